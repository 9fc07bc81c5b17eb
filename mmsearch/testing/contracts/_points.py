"""The constructor arguments the checks build a component with, and constructing it at one of them."""

from __future__ import annotations

from functools import partial
from typing import Any

from mmsearch.components import Component
from mmsearch.search.params import ChoiceParam, FixedParam, FloatParam, IntParam, Param

from ._errors import stage


def search_space_points(component_class: type[Component]) -> list[dict[str, Any]]:
    """Constructor arguments the checks build with: ``{}`` (the defaults), then one argument at a time.

    Each searched argument takes in turn the low end and the highest value on the step grid of a range, each value
    of a choice, or its fixed value; values equal to the default are left out (the defaults cover them).
    """
    defaults = component_class.hyperparameters()
    points: list[dict[str, Any]] = [{}]
    for key, param in sorted(component_class.search_space().items()):
        for value in _ends(param):
            if not any(_same(value, seen) for seen in [defaults[key], *(p[key] for p in points if key in p)]):
                points.append({key: value})
    return points


def point_label(kind: str, component_class: type[Component], params: dict[str, Any]) -> str:
    """Where a check runs, e.g. ``fusion 'max' with defaults`` or ``fusion 'max' with key=value, ...``."""
    described = ", ".join(f"{key}={value!r}" for key, value in params.items()) or "defaults"
    return f"{kind} '{component_class.name}' with {described}"


def construct(component_class: type[Component], params: dict[str, Any]) -> Component:
    """``component_class(**params)``; an exception becomes a ``ContractError``."""
    return stage("constructing", partial(component_class, **params))


def _ends(param: Param) -> tuple[Any, ...]:
    if isinstance(param, FloatParam):
        return (param.low, param.high)
    if isinstance(param, IntParam):
        return (param.low, param.low + (param.high - param.low) // param.step * param.step)
    if isinstance(param, ChoiceParam):
        return param.values
    assert isinstance(param, FixedParam)
    return (param.value,)


def _same(first: Any, second: Any) -> bool:
    return type(first) is type(second) and first == second
