"""Wall seconds of one search run by ``mmsearch run --workers 1`` and by ``--workers 2``, and their ratio.

Both runs are the same command (same space, seed and trial budget, the synthetic default dataset) on a fresh study
in a temporary folder, timed end to end as a user waits for it: start-up, data, every trial, the leaderboard. With
two workers each process gets half the CPU threads; the sampler sees the other worker's running trial, so the two
searches draw similar, not identical, trials.

    python bench/bench_workers.py [--space spaces/quick.yaml] [--trials 12] [--device cpu] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SPACE = Path(__file__).resolve().parents[1] / "spaces" / "quick.yaml"


def timed_run(space: Path, trials: int, device: str, workers: int, run_dir: Path) -> float:
    """Seconds that ``mmsearch run`` takes for a fresh study of ``trials`` trials with ``workers`` workers."""
    command = [sys.executable, "-m", "mmsearch.cli.main", "run", "--space", str(space), "--trials", str(trials)]
    command += ["--device", device, "--workers", str(workers), "--run-dir", str(run_dir), "--study", f"w{workers}"]
    tick = time.perf_counter()
    done = subprocess.run([*command, "--quiet"], capture_output=True, text=True)
    seconds = time.perf_counter() - tick
    if done.returncode != 0:
        raise SystemExit(f"mmsearch run --workers {workers} failed:\n{done.stderr}")
    if f"{trials}/{trials} trials finished" not in done.stdout:
        raise SystemExit(f"mmsearch run --workers {workers} did not finish its budget:\n{done.stdout}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", type=Path, default=DEFAULT_SPACE, help="space file (default spaces/quick.yaml)")
    parser.add_argument("--trials", type=int, default=12, help="trial budget of each search (default 12)")
    parser.add_argument("--device", default="cpu", help="device of every worker (default cpu)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default 1 2)")
    args = parser.parse_args()
    seconds = {}
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            seconds[workers] = timed_run(args.space, args.trials, args.device, workers, Path(folder))
            print(f"--workers {workers}: {seconds[workers]:.1f} s wall for {args.trials} trials", flush=True)
    first = args.workers[0]
    for workers in args.workers[1:]:
        print(f"speed-up of --workers {workers} over --workers {first}: {seconds[first] / seconds[workers]:.2f}x")


if __name__ == "__main__":
    main()
