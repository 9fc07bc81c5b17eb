"""Signal set-up for the child processes that tests send Ctrl-C to."""

import signal


def take_sigint() -> None:
    """``preexec_fn`` of such a child: SIGINT back to its default disposition. A suite started in the background
    inherits SIGINT ignored from the shell and would pass that on, so that the child's Ctrl-C could never arrive."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
