"""Named models on a real dataset under the fixed protocol: each preset's Recall@20 per seed, mean and spread.

Runs ``spaces/presets.yaml`` (every built-in preset, or those named) as one study per seed, resumable, then prints,
per preset, validation and test Recall@20 at the best-validation epoch for every seed, their mean and standard
deviation, the mean test Recall@20 on the cold and the tail items (``mmsearch.eval.slices``), seconds of training and
the epoch of the best validation.

    python bench/bench_presets.py --data ../shared/data/tiktok [--seeds 0 1 2] [--presets freedom mgcn]
        [--storage URL] [--run-dir runs] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import optuna
import yaml

from mmsearch.study.storage import open_storage

ROOT = Path(__file__).resolve().parents[1]
PRESETS_SPACE = ROOT / "spaces" / "presets.yaml"


def run(args: argparse.Namespace, space: Path, seed: int) -> str:
    """Run (or resume) the study of one seed; returns its name."""
    study = f"{Path(args.data).name}-presets-{'-'.join(args.presets or ['all'])}-s{seed}"
    storage = ["--storage", args.storage] if args.storage else []
    command = [str(Path(sys.executable).parent / "mmsearch"), "run", "--space", str(space), "--data", args.data]
    command += ["--study", study, "--trials", str(args.trials), "--workers", str(args.workers), "--seed", str(seed)]
    subprocess.run([*command, "--run-dir", args.run_dir, "--quiet", *storage], check=True)
    return study


def table(args: argparse.Namespace, studies: list[str]) -> None:
    """Per preset: Recall@20 of every seed, the test mean and standard deviation, the mean cold and tail test
    Recall@20, mean seconds and best epoch."""
    rows: dict[str, list[tuple[float, ...]]] = {}
    for name in studies:
        storage = open_storage(args.storage, Path(args.run_dir), name)
        for trial in optuna.load_study(study_name=name, storage=storage).trials:
            if trial.state == optuna.trial.TrialState.COMPLETE and "preset" in trial.user_attrs:
                attrs = trial.user_attrs
                recalls = attrs["valid"]["recall@20"], attrs["test"]["recall@20"]
                pieces = attrs["slices"]["test"]
                slices = pieces["cold_items"]["recall@20"], pieces["tail_items"]["recall@20"]
                row = (*recalls, *slices, attrs["train_seconds"], attrs["best_epoch"])
                rows.setdefault(attrs["preset"], []).append(row)
    print(f"{'preset':14} {'seeds':>5} {'val R@20 per seed':>26} {'test R@20 per seed':>26} "
          f"{'test mean':>9} {'sd':>6} {'cold':>6} {'tail':>6} {'train s':>8} {'best ep':>8}")  # fmt: skip
    for preset, runs in rows.items():
        valid, test, cold, tail, seconds, epochs = zip(*runs)
        spread = statistics.stdev(test) if len(test) > 1 else float("nan")
        print(
            f"{preset:14} {len(runs):5d} {' '.join(f'{v:.4f}' for v in valid):>26} "
            f"{' '.join(f'{t:.4f}' for t in test):>26} {statistics.mean(test):9.4f} {spread:6.4f} "
            f"{statistics.mean(cold):6.4f} {statistics.mean(tail):6.4f} "
            f"{statistics.mean(seconds):8.0f} {statistics.mean(epochs):8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--presets", nargs="+", help="preset names (default: every preset of spaces/presets.yaml)")
    parser.add_argument("--storage", help="postgresql:// URL (default: a journal in --run-dir)")
    parser.add_argument("--run-dir", default=str(ROOT / "runs"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--studies", nargs="+", help="only print the table of these stored studies (nothing is run)")
    args = parser.parse_args()
    if args.studies:
        table(args, args.studies)
        return
    space = yaml.safe_load(PRESETS_SPACE.read_text())
    if args.presets:
        space["baselines"] = args.presets
    args.trials = len(space["baselines"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "presets.yaml"
        path.write_text(yaml.safe_dump(space))
        studies = [run(args, path, seed) for seed in args.seeds]
    table(args, studies)


if __name__ == "__main__":
    main()
