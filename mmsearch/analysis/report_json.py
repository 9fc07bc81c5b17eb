"""A report as JSON: typed verdicts for programs, and every block the text report shows.

Schema (``schema`` = ``SCHEMA_NAME``, ``version`` = ``SCHEMA_VERSION``; a version changes only when a field is
removed or changes meaning)::

    {
      "schema": "mmsearch.report", "version": 1,
      "study": str, "dataset": {name, users, items, interactions, ...},
      "ablations": [str],                          # names of the study's ablation studies
      "verdicts": [                                # one per dataset, axis and kind
        {"dataset": str, "axis": str, "kind": "controlled" | "observational",
         "basis": "anchors" | "pairs" | "confounded",
         "winner": str, "runner_up": str,
         "effect": float, "ci_low": float, "ci_high": float,   # winner minus runner-up, validation Recall@20, 95%
         "p": float | null,                                    # Holm-corrected two-sided t-test
         "test_effect": float | null,                          # the same difference on test
         "state": "wins" | "no detectable difference" | "not enough evidence",
         "verdict": str,                                       # the state as shown, e.g. "... (within ±0.0040)"
         "seed_sd": float | null, "anchors": int, "seeds": int, "trials": int}
      ],
      "slice_verdicts": [ {every verdict field, "slice": str} ],   # controlled verdicts on a slice of the
                                                               # evaluation (cold_items, tail_items, ...)
      "choices": [ {every field of verdict.CHOICE_COLUMNS} ],  # each choice against the best of its axis; its
                                                               # state may also be "loses"
      "ranks": [ {"dataset", "axis", "choice", "rank", "anchors"} ],   # controlled rank distribution
      "blocks": [ {"key": str, "title": str, "lines": [str], "table": [ {column: str} ] | null} ]
    }

Missing numbers (no interval, no p-value) are ``null``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from .layout import report_blocks
from .report import Report

SCHEMA_NAME = "mmsearch.report"
SCHEMA_VERSION = 1
VERDICT_FIELDS = (
    "dataset", "axis", "kind", "basis", "winner", "runner_up", "effect", "ci_low", "ci_high", "p", "test_effect",
    "state", "verdict", "seed_sd", "anchors", "seeds", "trials",
)  # fmt: skip


def report_json(report: Report) -> str:
    """The report as one JSON document (schema in the module docstring)."""
    document = {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "study": report.study,
        "dataset": report.dataset,
        "ablations": list(report.ablations),
        "verdicts": _records(report.verdicts[list(VERDICT_FIELDS)]),
        "slice_verdicts": _records(report.slice_verdicts[[*VERDICT_FIELDS, "slice"]]),
        "choices": _records(report.choices),
        "ranks": _records(report.ranks),
        "blocks": [
            {
                "key": block.key,
                "title": block.title,
                "lines": block.lines,
                "table": None if block.table is None else _records(block.table),
            }
            for block in report_blocks(report)
        ],
    }
    return json.dumps(document, indent=2, allow_nan=False)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{column: _plain(value) for column, value in row.items()} for row in table.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return None if pd.isna(value) else str(value)
