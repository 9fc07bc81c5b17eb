"""Calibration of verdicts: how often a planted effect is found, and how often a null choice is called different.

Each repetition r draws the synthetic dataset with seed r, its ``image`` modality carrying the signal and its
``text`` modality pure noise (``signal = {image: 1, text: 0}``), and offers the fusion ``sum`` beside
``sum_twin`` (``sum`` under another name). It runs a random-sampler study of ``--trials`` trials, then controlled
ablations of ``fusion``, ``extractor.text`` and ``extractor.image`` around the ``--anchors`` best trials under
``--seeds`` seeds. Per repetition and kind (observational, controlled) it records the state of:

- ``image`` (planted: the modality with the signal against ``off``): found when ``provided`` ``wins``;
- ``text`` (null: a noise modality against ``off``) and ``fusion`` (null: ``sum`` against ``sum_twin``): a false
  call when ``wins`` or ``loses``.

Observational figures read a per-modality on/off column derived from the trials' extractors. Results are appended
as one JSON line per repetition to ``--out``; ``--summary`` prints the rates over a results file.

    python bench/bench_calibration.py --reps 0-9 --out runs/calibration.jsonl
    python bench/bench_calibration.py --summary runs/calibration.jsonl
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import optuna
import pandas as pd
import torch

from mmsearch.analysis import controlled_choices, observational_choices, settle, variants_frame, verdict_rows
from mmsearch.data.synth import synthetic_dataset
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, run_study, trials_frame
from mmsearch.study.ablation import open_ablation, plan_ablation, run_ablation
from mmsearch.study.storage import journal_path
from mmsearch.testing.twins import TWIN_FUSION

REGISTRY = Registry(extra=[TWIN_FUSION])
CPU = torch.device("cpu")
AXES = {"image": "extractor.image", "text": "extractor.text", "fusion": "fusion"}
PLANTED = {"image": "provided"}


def space(epochs: int) -> dict:
    return {
        "name": "calibration",
        "axes": {
            "extractor": {"*": {"provided": {}, "off": {}}},
            "transform": {"linear": {}},
            "encoder": {"mf": {}, "lightgcn": {"n_layers": {"int": {"low": 1, "high": 2}}}},
            "timing": {"early": {}, "late": {}},
            "fusion": {"sum": {}, "sum_twin": {}},
            "loss": {"bpr": {}},
        },
        "train": {
            "embedding_dim": 32,
            "lr": {"float": {"low": 3.0e-3, "high": 2.0e-2, "log": True}},
            "max_epochs": epochs,
            "patience": 10,
        },
    }


def repetition(rep: int, args: argparse.Namespace, run_dir: Path) -> dict:
    """One repetition's states per kind and effect (see the module docstring)."""
    data = synthetic_dataset(args.users, args.items, seed=rep, signal={"image": 1.0, "text": 0.0})
    resolved = parse_space(space(args.epochs), REGISTRY).for_dataset(data, REGISTRY)
    name = f"cal{rep}"
    options = RunOptions(name, None, run_dir, args.trials, seed=rep, sampler="random", show_progress=False)
    study = run_study(data, resolved, REGISTRY, CPU, options)
    frame = trials_frame(study)
    for modality in ("image", "text"):
        on = frame["extractors"].str.contains(f"{modality}:provided", regex=False)
        frame[AXES[modality]] = on.map({True: "provided", False: "off"}).where(frame["extractors"].notna())
    observed = verdict_rows(settle(observational_choices(frame, list(AXES.values()))))
    parts = []
    for axis in AXES.values():
        plan = plan_ablation(study, resolved, REGISTRY, axis, f"top:{args.anchors}", args.seeds)
        url = str(journal_path(None, run_dir, name))
        ablate = RunOptions(plan.name, url, run_dir, len(plan.variants), show_progress=False)
        ablation, ablation_space, _ = open_ablation(study, plan, data, REGISTRY, ablate)
        run_ablation(ablation, ablation_space, data, REGISTRY, CPU, ablate)
        parts.append(variants_frame(optuna.load_study(study_name=plan.name, storage=study._storage)))
    controlled = verdict_rows(settle(controlled_choices(pd.concat(parts, ignore_index=True))))
    result = {"rep": rep}
    for kind, verdicts in (("observational", observed), ("controlled", controlled)):
        for effect, axis in AXES.items():
            row = verdicts[verdicts["axis"] == axis]
            if row.empty:
                result[f"{kind}:{effect}"] = {"state": "absent"}
                continue
            row = row.iloc[0]
            result[f"{kind}:{effect}"] = {
                "state": str(row["state"]),
                "winner": str(row["winner"]),
                "effect": float(row["effect"]),
                "ci": [float(row["ci_low"]), float(row["ci_high"])],
                "p": float(row["p"]),
            }
    return result


def summary(path: Path) -> str:
    """Rates over a results file: planted effects found, null choices called different."""
    results = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines = [f"{len(results)} repetitions"]
    for kind in ("observational", "controlled"):
        for effect in AXES:
            states = [result[f"{kind}:{effect}"] for result in results]
            if effect in PLANTED:
                hits = sum(s["state"] == "wins" and s.get("winner") == PLANTED[effect] for s in states)
                lines.append(f"{kind:13} {effect:6} planted: found (wins, right direction) {hits}/{len(states)}")
            else:
                calls = sum(s["state"] in ("wins", "loses") for s in states)
                lines.append(f"{kind:13} {effect:6} null:    called wins/loses {calls}/{len(states)}")
            counts = pd.Series([s["state"] for s in states]).value_counts().to_dict()
            lines.append(f"{'':13} {'':6} states: {counts}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", default="0-9", help="repetitions as FIRST-LAST (default 0-9)")
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--anchors", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("runs/calibration.jsonl"))
    parser.add_argument("--summary", type=Path, default=None, help="print the rates of a results file and stop")
    args = parser.parse_args()
    if args.summary is not None:
        print(summary(args.summary))
        return
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    first, last = (int(part) for part in args.reps.split("-"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for rep in range(first, last + 1):
        tick = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            result = repetition(rep, args, Path(folder))
        result["seconds"] = time.perf_counter() - tick
        with args.out.open("a") as out:
            out.write(json.dumps(result) + "\n")
        print(f"repetition {rep}: {result['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
