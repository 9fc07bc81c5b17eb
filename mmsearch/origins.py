"""Which installed distribution declares an entry point: the provenance of every plugin and preset."""

from __future__ import annotations

from importlib.metadata import EntryPoint


def distribution_of(point: EntryPoint) -> tuple[str, str]:
    """(name, version) of the distribution that declares ``point``; ``("(not installed)", "-")`` for one given
    directly (``Registry(extra=...)``)."""
    dist = point.dist
    if dist is None:
        return "(not installed)", "-"
    return dist.metadata["Name"], dist.version
