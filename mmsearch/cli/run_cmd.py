"""``mmsearch run``: run or resume a study over a space file on a dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import optuna

from mmsearch.errors import MMSearchError
from mmsearch.registry import Registry
from mmsearch.search.space import load_space
from mmsearch.study import RunOptions, counted_trials, format_leaderboard, run_study, trials_frame
from mmsearch.study.objectives import objective_names
from mmsearch.study.runner import PRUNERS, SAMPLERS
from mmsearch.train.device import resolve_device

from .arguments import non_negative_float, non_negative_int, positive_float, positive_int, seed_int
from .data_cmd import add_data_arguments, dataset_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run or resume a search study")
    parser.add_argument("--space", required=True, help="space file (YAML), e.g. spaces/quick.yaml")
    add_data_arguments(parser)
    add_study_arguments(parser)
    parser.add_argument("--trials", type=positive_int, default=20, help="total trial budget of the study (default 20)")
    parser.add_argument(
        "--timeout", type=non_negative_float, default=None, help="seconds after which no new trial starts"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    add_worker_arguments(parser)
    parser.add_argument("--seed", type=seed_int, default=0, help="seed of models and sampler (default 0)")
    parser.add_argument("--pruner", choices=PRUNERS, default="none", help="epoch-level pruning (default none)")
    parser.add_argument("--sampler", choices=SAMPLERS, default="tpe", help="search strategy (default tpe)")
    parser.add_argument(
        "--objectives",
        default="recall",
        metavar="recall[,cold_recall][,tail_recall][,time][,memory]",
        help="maximise validation Recall@20 (default), overall and/or on the cold or tail items, and minimise "
        "training seconds and/or peak memory; several objectives need --pruner none (poor trials are stopped by "
        "mmsearch's own rule)",
    )
    parser.add_argument(
        "--memory-cap-mb", type=positive_float, default=None, help="fail a trial that uses more MiB (default: no cap)"
    )
    parser.add_argument(
        "--keep-models",
        type=non_negative_int,
        default=0,
        help="keep the weights of the K best trials in <study>/models (default 0)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=run)


def add_study_arguments(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """``--study``, ``--storage`` and ``--run-dir``, shared by every command that opens a study."""
    parser.add_argument("--study", required=required, help="study name (default for run: <dataset>-<space>)")
    parser.add_argument("--storage", default=None, help="journal file path or postgresql:// URL (default: journal)")
    parser.add_argument("--run-dir", type=Path, default=Path("runs"), help="folder of local study files (runs/)")


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """``--workers`` and ``--devices``; read them back with ``worker_devices``."""
    parser.add_argument(
        "--workers", type=positive_int, default=1, help="worker processes that run trials at once (default 1)"
    )
    parser.add_argument(
        "--devices", default=None, metavar="D1,D2", help="device of each worker in turn, e.g. cuda:0,cuda:1 or cpu"
    )


def worker_devices(args: argparse.Namespace) -> tuple[str, ...]:
    """The devices given by ``--devices`` (empty: every worker uses ``--device``), each checked.

    Raises:
        MMSearchError: ``--devices`` with one worker, or an unknown or missing device.
    """
    if args.devices is None:
        return ()
    if args.workers == 1:
        raise MMSearchError("--devices needs --workers 2 or more; use --device for one worker")
    names = tuple(name.strip() for name in args.devices.split(",") if name.strip())
    if not names:
        raise MMSearchError("--devices expects device names separated by commas, e.g. cuda:0,cuda:1")
    return tuple(str(resolve_device(name)) for name in names)


def run(args: argparse.Namespace) -> int:
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # trial progress and failures are reported by mmsearch
    devices = worker_devices(args)
    registry = Registry()
    space = load_space(args.space, registry)
    device = resolve_device(args.device)
    dataset = dataset_from_args(args)
    space = space.for_dataset(dataset, registry)
    presets = " (its baseline presets may still use it)" if space.baselines else ""
    for modality in space.unused_modalities(dataset):
        kind = dataset.modalities[modality].kind
        print(
            f"note: modality '{modality}' ({kind} content) is not used by sampled trials: the space turns it off "
            f"or lists no extractor that reads it{presets}",
            file=sys.stderr,
        )
    options = RunOptions(
        study_name=args.study or f"{dataset.name}-{space.name}",
        storage_url=args.storage,
        run_dir=args.run_dir,
        n_trials=args.trials,
        timeout=args.timeout,
        seed=args.seed,
        pruner=args.pruner,
        sampler=args.sampler,
        show_progress=not args.quiet,
        memory_cap_mb=args.memory_cap_mb,
        keep_models=args.keep_models,
        workers=args.workers,
        devices=devices,
        objectives=objective_names([name.strip() for name in args.objectives.split(",")]),
    )
    try:
        study = run_study(dataset, space, registry, device, options)
    except KeyboardInterrupt:
        print(
            f"mmsearch: interrupted; finished trials are stored. Run the same command to resume "
            f"study '{options.study_name}'.",
            file=sys.stderr,
        )
        return 130
    print(f"study '{study.study_name}' on {dataset.name}: {counted_trials(study)}/{options.n_trials} trials finished")
    print(format_leaderboard(trials_frame(study)))
    return 0
