"""``mmsearch data``: inspect a dataset folder, write the synthetic dataset; shared dataset arguments."""

from __future__ import annotations

import argparse

from mmsearch.data import Dataset, TableOptions, inspect_dataset, load_dataset, synthetic_dataset, write_synthetic
from mmsearch.data.cold_split import split_cold_items
from mmsearch.data.load import FORMATS
from mmsearch.data.splits import COLD_ITEMS, SPLIT_RULES
from mmsearch.data.synth import DEFAULT_ITEMS, DEFAULT_USERS
from mmsearch.errors import DataError

from .arguments import finite_float, positive_int, seed_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``data inspect`` and ``data synth``."""
    parser = subparsers.add_parser("data", help="inspect datasets, write the synthetic dataset")
    commands = parser.add_subparsers(dest="data_command", required=True)

    inspect = commands.add_parser("inspect", help="load a dataset folder, check it and print a summary")
    inspect.add_argument("data", metavar="PATH", help="dataset folder")
    _add_format_arguments(inspect)
    inspect.set_defaults(func=run_inspect)

    synth = commands.add_parser("synth", help="write the synthetic dataset (MMRec format) into a folder")
    synth.add_argument("out", metavar="OUT", help="folder to write into")
    synth.add_argument(
        "--users", type=positive_int, default=DEFAULT_USERS, help=f"number of users (default {DEFAULT_USERS})"
    )
    synth.add_argument(
        "--items", type=positive_int, default=DEFAULT_ITEMS, help=f"number of items (default {DEFAULT_ITEMS})"
    )
    synth.add_argument("--seed", type=seed_int, default=0, help="seed of every random draw (default 0)")
    synth.add_argument(
        "--signal",
        default=None,
        metavar="M=S,...",
        help="per-modality signal strength in [0, 1], e.g. image=1.0,text=0.0 (0: pure noise; default 1 for all)",
    )
    synth.set_defaults(func=run_synth)


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data PATH``, ``--format`` and the table-format options; read them back with ``dataset_from_args``."""
    parser.add_argument("--data", default=None, metavar="PATH", help="dataset folder (default: the synthetic dataset)")
    _add_format_arguments(parser)


def dataset_from_args(args: argparse.Namespace) -> Dataset:
    """The dataset named by the arguments of ``add_data_arguments``; the synthetic dataset when ``--data`` is absent;
    re-split for item cold start with ``--split cold-items F`` (``data.cold_split``).

    Raises:
        DataError: the folder cannot be loaded, or format options were given without ``--data``.
    """
    rule, cold_fraction = _split_rule(args.split)
    options = TableOptions(
        min_rating=args.min_rating,
        split=rule,
        split_seed=args.split_seed,
        text_columns=args.text_columns,
        image_column=args.image_column,
        image_dir=args.image_dir,
    )
    if args.data is None:
        if args.format is not None or options != TableOptions():
            raise DataError("--format and the table options need --data PATH")
        dataset = synthetic_dataset()
    else:
        dataset = load_dataset(args.data, args.format, options)
    return dataset if cold_fraction is None else split_cold_items(dataset, cold_fraction, args.split_seed)


def _split_rule(words: list[str]) -> tuple[str, float | None]:
    """``--split`` words -> (the table format's per-user rule, the cold-items fraction or None).

    Raises:
        DataError: not ``random``, ``time`` or ``cold-items F`` with F a number in (0, 1).
    """
    if len(words) == 1 and words[0] in SPLIT_RULES:
        return words[0], None
    if len(words) == 2 and words[0] == COLD_ITEMS:
        try:
            fraction = float(words[1])
        except ValueError:
            fraction = float("nan")
        if 0 < fraction < 1:
            return "random", fraction
    raise DataError(f"--split: expected random, time or {COLD_ITEMS} F with 0 < F < 1, got {' '.join(words)!r}")


def _add_format_arguments(parser: argparse.ArgumentParser) -> None:
    """``--format`` and the table-format options."""
    parser.add_argument("--format", choices=tuple(FORMATS), default=None, help="dataset format (default: detect)")
    table = parser.add_argument_group("table format options")
    table.add_argument(
        "--min-rating",
        type=finite_float,
        default=None,
        help="only rows with rating >= this are interactions (default: all)",
    )
    table.add_argument(
        "--split",
        nargs="+",
        default=["random"],
        metavar="RULE",
        help=f"random or time (per-user rules of the table format; default random), or {COLD_ITEMS} F (any format: "
        "a share F of the items held out with all their interactions, half for validation, half for test)",
    )
    table.add_argument(
        "--split-seed", type=seed_int, default=0, help="seed of the random or cold-items split (default 0)"
    )
    table.add_argument(
        "--text-columns", type=_column_list, default=None, metavar="A,B", help="item columns that make the text"
    )
    table.add_argument("--image-column", default=None, help="item column of image paths (default: detect)")
    table.add_argument("--image-dir", default=None, help="folder of <item id>.jpg|jpeg|png files (default: detect)")


def _column_list(value: str) -> tuple[str, ...]:
    """``a,b`` -> ``("a", "b")``."""
    columns = tuple(part.strip() for part in value.split(",") if part.strip())
    if not columns:
        raise argparse.ArgumentTypeError("expected one or more column names separated by commas")
    return columns


def _signal_mapping(value: str) -> dict[str, float]:
    """``image=1.0,text=0`` -> ``{"image": 1.0, "text": 0.0}``; names and ranges are checked by ``write_synthetic``.

    Raises:
        DataError: a part is not ``NAME=NUMBER``.
    """
    signal: dict[str, float] = {}
    for part in value.split(","):
        name, _, strength = (piece.strip() for piece in part.partition("="))
        malformed = DataError(f"--signal: expected MODALITY=STRENGTH[,...], got {part.strip()!r}")
        if not name:
            raise malformed
        try:
            signal[name] = float(strength)
        except ValueError:
            raise malformed from None
    return signal


def run_inspect(args: argparse.Namespace) -> int:
    """Print the report of ``inspect_dataset``."""
    print(inspect_dataset(dataset_from_args(args)))
    return 0


def run_synth(args: argparse.Namespace) -> int:
    """Write the synthetic dataset and say where."""
    signal = None if args.signal is None else _signal_mapping(args.signal)
    folder = write_synthetic(args.out, n_users=args.users, n_items=args.items, seed=args.seed, signal=signal)
    print(f"wrote the synthetic dataset ({args.users} users, {args.items} items, seed {args.seed}) to {folder}")
    return 0
