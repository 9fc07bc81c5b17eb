"""``mmsearch recommend``: the top-k items for a user from a trial's kept model."""

from __future__ import annotations

import argparse

import optuna

from mmsearch.registry import Registry
from mmsearch.study.recommend import load_kept_model, recommend, user_index
from mmsearch.train.device import resolve_device

from .arguments import non_negative_int, positive_int
from .data_cmd import add_data_arguments, dataset_from_args
from .run_cmd import add_study_arguments
from .trials_cmd import load_existing_study


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("recommend", help="top-k items for a user from a kept model (run --keep-models)")
    add_study_arguments(parser, required=True)
    parser.add_argument(
        "--trial", type=non_negative_int, required=True, help="trial number (its model must have been kept)"
    )
    parser.add_argument(
        "--user", required=True, help="user id of the source files (an index 0..n-1 when the data keeps no ids)"
    )
    parser.add_argument("-k", type=positive_int, default=10, help="number of items (default 10)")
    add_data_arguments(parser)
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    parser.set_defaults(func=show_recommendations)


def show_recommendations(args: argparse.Namespace) -> int:
    """Prints rank, item id and score of the top-k items, the user's training items excluded."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = load_existing_study(args)
    device = resolve_device(args.device)
    dataset = dataset_from_args(args)
    model = load_kept_model(study, args.trial, dataset, Registry(), device, args.run_dir)
    user = user_index(dataset, args.user)
    items = recommend(model, dataset, user, args.k)
    print(f"top {len(items)} items for user {args.user} from trial {args.trial} (training items excluded)")
    width = max([4, *(len(str(item.item)) for item in items)])
    print(f"rank  {'item'.ljust(width)}  score")
    for item in items:
        print(f"{item.rank:>4}  {str(item.item).ljust(width)}  {item.score:.4f}")
    return 0
