"""The errors the contract checks raise, and the helpers that raise ``ContractError`` with a located message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class ContractError(AssertionError):
    """A component breaks its kind's contract; the message names the component, where it ran and what broke."""


class MissingRequirement(Exception):
    """The component's optional dependencies are absent; the message carries its ``missing_requirement()`` hint."""


def expect(condition: Any, message: str) -> None:
    """Raise ``ContractError(message)`` unless ``condition`` is truthy."""
    if not condition:
        raise ContractError(message)


def stage(label: str, call: Callable[[], Any]) -> Any:
    """``call()``; an exception other than ``ContractError`` becomes one that names ``label``."""
    try:
        return call()
    except ContractError:
        raise
    except Exception as error:
        raise ContractError(f"{label} raised {type(error).__name__}: {error}") from error


@contextmanager
def located(where: str) -> Iterator[None]:
    """Prefixes a ``ContractError`` raised inside with ``where``."""
    try:
        yield
    except ContractError as error:
        raise ContractError(f"{where}: {error}") from error.__cause__
