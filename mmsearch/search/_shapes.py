"""Shape checks of parsed YAML: a value of the wrong kind is refused in one line that names its place.

A place is the dotted path of the value in its file, list items in brackets: ``axes.auxiliary.sand``,
``baselines[0]``.
"""

from __future__ import annotations

from typing import Any

from mmsearch.errors import SpaceError

SHOWN_LENGTH = 40


def shown(value: Any) -> str:
    """``value`` as an error message quotes it: ``a mapping``, ``an empty list``, ``null``, else its short repr."""
    if isinstance(value, (dict, list)):
        kind = "mapping" if isinstance(value, dict) else "list"
        return f"a {kind}" if value else f"an empty {kind}"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else f"{text[: SHOWN_LENGTH - 3]}..."


def expect_mapping(raw: Any, where: str, *, optional: bool = False) -> dict[Any, Any]:
    """``raw`` when it is a mapping; where ``optional``, null (an empty YAML entry) reads as an empty mapping.

    Raises:
        SpaceError: ``<where>: expected a mapping, got <value>``.
    """
    if raw is None and optional:
        return {}
    if not isinstance(raw, dict):
        raise SpaceError(f"{where}: expected a mapping, got {shown(raw)}")
    return raw


def expect_list(raw: Any, where: str, *, optional: bool = False) -> list[Any]:
    """``raw`` when it is a list; where ``optional``, null reads as an empty list.

    Raises:
        SpaceError: ``<where>: expected a list, got <value>``.
    """
    if raw is None and optional:
        return []
    if not isinstance(raw, list):
        raise SpaceError(f"{where}: expected a list, got {shown(raw)}")
    return raw


def expect_string(raw: Any, where: str) -> str:
    """``raw`` when it is a string.

    Raises:
        SpaceError: ``<where>: expected a string, got <value>``.
    """
    if not isinstance(raw, str):
        raise SpaceError(f"{where}: expected a string, got {shown(raw)}")
    return raw


def key_names(raw: dict[Any, Any]) -> list[str]:
    """The keys of ``raw`` as sorted strings (YAML keys may be numbers)."""
    return sorted(str(key) for key in raw)


def unknown_keys(raw: dict[Any, Any], known: tuple[str, ...] | set[str]) -> list[str]:
    """The keys of ``raw`` outside ``known``, as sorted strings."""
    return sorted(str(key) for key in raw if key not in known)
