"""``mmsearch retrain``: re-train a stored trial from its spec under several seeds."""

from __future__ import annotations

import argparse
import sys

import optuna

from mmsearch.registry import Registry
from mmsearch.study.retrain import SeedRun, format_retraining, retrain_trial
from mmsearch.train.device import resolve_device

from .arguments import non_negative_int, positive_int
from .data_cmd import add_data_arguments, dataset_from_args
from .run_cmd import add_study_arguments
from .trials_cmd import load_existing_study


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "retrain", help="re-train a stored trial under several seeds: mean ± std and per-user vectors"
    )
    parser.add_argument("trial", type=non_negative_int, metavar="TRIAL", help="trial number")
    add_study_arguments(parser, required=True)
    add_data_arguments(parser)
    parser.add_argument(
        "--seeds", type=positive_int, default=5, help="seeds: the trial's seed, seed+1, ... (default 5)"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=retrain)


def retrain(args: argparse.Namespace) -> int:
    """Prints the per-seed table and mean ± std; the per-user vectors go to ``<run-dir>/<study>/retrain-<T>.npz``."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = load_existing_study(args)
    device = resolve_device(args.device)
    dataset = dataset_from_args(args)

    def progress(run: SeedRun) -> None:
        if not args.quiet:
            valid, test = run.valid.metrics["recall@20"], run.test.metrics["recall@20"]
            print(f"seed {run.seed}: valid recall@20 {valid:.4f}  test recall@20 {test:.4f}", file=sys.stderr)

    retraining = retrain_trial(study, args.trial, dataset, Registry(), device, args.run_dir, args.seeds, progress)
    print(format_retraining(retraining))
    return 0
