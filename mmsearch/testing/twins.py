"""A null choice for calibrating verdicts: a component identical to a built-in one under another name."""

from __future__ import annotations

from importlib.metadata import EntryPoint

from mmsearch_builtin.fusions.sum import SumFusion


class SumTwinFusion(SumFusion):
    """Exactly the ``sum`` fusion, named ``sum_twin``: any verdict that tells the two apart is a false one."""

    name = "sum_twin"


TWIN_FUSION = EntryPoint("sum_twin", "mmsearch.testing.twins:SumTwinFusion", "mmsearch.fusions")
"""Pass to ``Registry(extra=[TWIN_FUSION])`` to offer ``sum_twin`` beside ``sum``."""
