"""``mmsearch worker``: join a study that ``mmsearch run`` started, from this host or another, and run its trials."""

from __future__ import annotations

import argparse
import sys

import optuna

from mmsearch.registry import Registry
from mmsearch.study import RunOptions, counted_trials, format_leaderboard, join_study, study_settings, trials_frame
from mmsearch.train.device import resolve_device

from .arguments import non_negative_float, positive_int
from .data_cmd import add_data_arguments, dataset_from_args
from .run_cmd import add_study_arguments, add_worker_arguments, worker_devices


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker", help="join a study started by run (any host sharing its storage) and run its trials"
    )
    add_study_arguments(parser, required=True)
    add_data_arguments(parser)
    parser.add_argument(
        "--trials",
        type=positive_int,
        default=None,
        help="stop once the study counts this many trials (at most its budget)",
    )
    parser.add_argument(
        "--timeout", type=non_negative_float, default=None, help="seconds after which no new trial starts"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    add_worker_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # trial progress and failures are reported by mmsearch
    devices = worker_devices(args)
    device = resolve_device(args.device)
    settings = study_settings(args.storage, args.run_dir, args.study)
    if args.trials is not None and args.trials > settings.budget:
        print(
            f"note: study '{args.study}' has a budget of {settings.budget} trials; --trials cannot raise it "
            "(mmsearch run --trials can)",
            file=sys.stderr,
        )
    options = RunOptions(
        study_name=args.study,
        storage_url=args.storage,
        run_dir=args.run_dir,
        n_trials=settings.budget if args.trials is None else min(args.trials, settings.budget),
        timeout=args.timeout,
        seed=settings.seed,
        pruner=settings.pruner,
        sampler=settings.sampler,
        show_progress=not args.quiet,
        workers=args.workers,
        devices=devices,
        objectives=settings.objectives,
        memory_cap_mb=settings.memory_cap_mb,
        keep_models=settings.keep_models,
    )
    dataset = dataset_from_args(args)
    try:
        study = join_study(dataset, Registry(), device, options)
    except KeyboardInterrupt:
        print(f"mmsearch: interrupted; finished trials are stored in study '{args.study}'.", file=sys.stderr)
        return 130
    print(f"study '{study.study_name}' on {dataset.name}: {counted_trials(study)}/{settings.budget} trials finished")
    print(format_leaderboard(trials_frame(study)))
    return 0
