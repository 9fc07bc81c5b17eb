"""The ``mmsearch`` command: thin sub-commands over typed library functions.

User mistakes (``MMSearchError``, a command line that does not parse included) print one line to stderr and exit 2;
``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mmsearch.errors import MMSearchError

from . import (
    ablate_cmd,
    dashboard_cmd,
    data_cmd,
    export_cmd,
    plugins_cmd,
    presets_cmd,
    recommend_cmd,
    report_cmd,
    retrain_cmd,
    run_cmd,
    trials_cmd,
    worker_cmd,
)
from .arguments import CommandParser

COMMAND_MODULES = (
    run_cmd,
    worker_cmd,
    trials_cmd,
    data_cmd,
    plugins_cmd,
    presets_cmd,
    report_cmd,
    dashboard_cmd,
    export_cmd,
    retrain_cmd,
    recommend_cmd,
    ablate_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; each command module adds its sub-commands through ``register(subparsers)``."""
    parser = CommandParser(prog="mmsearch", description="AutoML search over multimodal recommenders.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script. Returns the process exit code."""
    parser = build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except MMSearchError as error:
        if args is not None and args.debug:
            raise
        print(f"mmsearch: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mmsearch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
