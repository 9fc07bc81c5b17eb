"""User-facing errors: one line that names the problem; the CLI prints it without a traceback."""

import difflib
from collections.abc import Iterable


class MMSearchError(Exception):
    """Base class of every error caused by user input (files, spaces, plugin names, options)."""


class DataError(MMSearchError):
    """A dataset file is unreadable, malformed or inconsistent. The message names the file."""


class SpaceError(MMSearchError):
    """A space file is invalid or names something the registry does not have."""


class PluginError(MMSearchError):
    """A plugin is unknown, broken or violates its contract."""


class UsageError(MMSearchError):
    """A command line that does not parse: an unknown or missing argument, or a value out of its range."""


class StorageError(MMSearchError):
    """A study storage cannot be opened or used as asked."""


def unknown_name(what: str, name: str, known: Iterable[str]) -> str:
    """``unknown <what> '<name>'; [did you mean <close names>? ]available: <every known name>``."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return f"unknown {what} '{name}'; {hint}available: {', '.join(known) or 'none'}"


class TrialFailure(Exception):
    """One trial's training cannot go on; the study records the trial as failed with this message and continues.

    Not a user error: the other trials of the study are unaffected.
    """


class NonFiniteLossError(TrialFailure):
    """The training loss became NaN or infinite; the message names the epoch and the batch."""


class MemoryCapError(TrialFailure):
    """A trial's peak memory exceeded the cap set for the study; the message gives the measured and allowed MiB."""


class OutOfMemoryFailure(TrialFailure):
    """The device ran out of memory during a trial; its memory was released before the study went on."""
