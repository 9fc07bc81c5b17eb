"""The contract shared by every plugin kind."""

from __future__ import annotations

import inspect
from abc import ABC
from typing import Any, ClassVar

from mmsearch.search.params import Param


class Component(ABC):
    """A searchable component: a class attribute ``name``, typed keyword hyper-parameters, a default search space.

    Subclasses declare their hyper-parameters as keyword-only constructor arguments with defaults, and return from
    ``search_space`` the distributions to search for some of them (keys must be constructor arguments). A constructor
    stores its arguments and does nothing else: no file I/O, no change of environment.

    ``needs_modalities`` is True for a component that does nothing without a modal view (e.g. an item-item graph of
    modal features): a space never combines it with an ID-only draw.
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    needs_modalities: ClassVar[bool] = False

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        """Default search distributions of this component's hyper-parameters (may be empty)."""
        return {}

    @classmethod
    def missing_requirement(cls) -> str | None:
        """None when everything the component needs is importable, else a one-line hint naming what to install
        (e.g. ``pip install 'mmsearch[text]'``). Heavy optional dependencies are imported lazily, never at module load.
        """
        return None

    @classmethod
    def hyperparameters(cls) -> dict[str, Any]:
        """Constructor keyword arguments and their defaults."""
        signature = inspect.signature(cls.__init__)
        return {
            name: parameter.default
            for name, parameter in signature.parameters.items()
            if name != "self" and parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        }
