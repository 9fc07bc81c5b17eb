"""Command-line parsing: options out of their range and other usage mistakes are one-line errors, like every user
mistake (``UsageError``; ``mmsearch.cli.main`` prints it and exits with status 2).

Each numeric option states its range through its ``type``: ``positive_int`` for counts, ``non_negative_int`` for
counts that may be zero, ``seed_int`` for seeds, ``positive_float`` / ``non_negative_float`` for sizes and durations,
``finite_float`` for a threshold, ``tcp_port`` for a TCP port.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import NoReturn

from mmsearch.errors import UsageError

MAX_SEED = 2**32 - 1
"""The largest seed NumPy's and Optuna's generators accept."""


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` (and, through ``add_subparsers``, its sub-command parsers) whose errors are one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _ranged_int(low: int, high: int | None, bound: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
        return value

    return parse


def _ranged_float(accepts: Callable[[float], bool], bound: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not (math.isfinite(value) and accepts(value)):
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value

    return parse


positive_int = _ranged_int(1, None, "at least 1")
non_negative_int = _ranged_int(0, None, "at least 0")
seed_int = _ranged_int(0, MAX_SEED, f"in 0..{MAX_SEED}")
tcp_port = _ranged_int(1, 65535, "in 1..65535")
positive_float = _ranged_float(lambda value: value > 0, "a finite number greater than 0")
non_negative_float = _ranged_float(lambda value: value >= 0, "a finite number of at least 0")
finite_float = _ranged_float(lambda value: True, "a finite number")
