"""``mmsearch trials`` and ``mmsearch best``: the leaderboard of a stored study."""

from __future__ import annotations

import argparse
from pathlib import Path

import optuna

from mmsearch.errors import StorageError
from mmsearch.study import format_best, format_leaderboard, open_storage, study_dir, trials_frame
from mmsearch.study.storage import JOURNAL_NAME

from .arguments import positive_int
from .run_cmd import add_study_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    trials = subparsers.add_parser("trials", help="leaderboard of a study (ranked by validation Recall@20)")
    add_study_arguments(trials, required=True)
    trials.add_argument("--top", type=positive_int, default=20, help="rows to show (default 20)")
    trials.set_defaults(func=show_trials)
    best = subparsers.add_parser("best", help="the best trial of a study, with its spec and all metrics")
    add_study_arguments(best, required=True)
    best.set_defaults(func=show_best)


def load_existing_study(args: argparse.Namespace) -> optuna.Study:
    """The study named by ``--study`` in ``--storage``; an unknown name is a one-line error listing the known ones.

    With the default journal storage, a study without a journal file is unknown (nothing is created).
    """
    if args.storage is None and not (study_dir(args.run_dir, args.study) / JOURNAL_NAME).exists():
        known = sorted(path.parent.name for path in Path(args.run_dir).glob(f"*/{JOURNAL_NAME}"))
        raise StorageError(f"no study '{args.study}' in {args.run_dir}; studies: {', '.join(known) or 'none'}")
    storage = open_storage(args.storage, args.run_dir, args.study)
    names = [summary.study_name for summary in optuna.get_all_study_summaries(storage, include_best_trial=False)]
    if args.study not in names:
        raise StorageError(f"no study '{args.study}' in this storage; studies: {', '.join(names) or 'none'}")
    return optuna.load_study(study_name=args.study, storage=storage)


def show_trials(args: argparse.Namespace) -> int:
    print(format_leaderboard(trials_frame(load_existing_study(args)), top=args.top))
    return 0


def show_best(args: argparse.Namespace) -> int:
    study = load_existing_study(args)
    print(format_best(trials_frame(study), study))
    return 0
