"""User-facing errors: one line that names the problem; the CLI prints it without a traceback."""


class MMSearchError(Exception):
    """Base class of every error caused by user input (files, spaces, plugin names, options)."""


class DataError(MMSearchError):
    """A dataset file is unreadable, malformed or inconsistent. The message names the file."""


class SpaceError(MMSearchError):
    """A space file is invalid or names something the registry does not have."""


class PluginError(MMSearchError):
    """A plugin is unknown, broken or violates its contract."""


class StorageError(MMSearchError):
    """A study storage cannot be opened or used as asked."""


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
