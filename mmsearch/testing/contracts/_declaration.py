"""The class-level contract of every kind: the declaration, and the optional dependencies being installed."""

from __future__ import annotations

import inspect

from mmsearch.components import Component
from mmsearch.registry import KINDS
from mmsearch.search.params import ChoiceParam, FloatParam, IntParam, Param

from ._errors import MissingRequirement, expect, located, stage


def check_declaration(kind: str, component_class: type[Component]) -> None:
    """Class-level contract: base class of ``kind``, concrete, a ``name``, keyword-only hyper-parameters with
    defaults, a search space of well-formed distributions over constructor arguments.

    Raises:
        ContractError: the first broken point.
    """
    label = getattr(component_class, "name", getattr(component_class, "__name__", repr(component_class)))
    with located(f"{kind} '{label}'"):
        base = KINDS[kind][1]
        expect(inspect.isclass(component_class) and issubclass(component_class, base), f"is not a {base.__name__}")
        expect(
            not inspect.isabstract(component_class),
            f"does not implement {', '.join(sorted(getattr(component_class, '__abstractmethods__', ())))}",
        )
        expect(isinstance(getattr(component_class, "name", None), str) and component_class.name, "declares no name")
        for name, parameter in inspect.signature(component_class.__init__).parameters.items():
            if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            expect(parameter.kind == parameter.KEYWORD_ONLY, f"constructor argument '{name}' is not keyword-only")
            expect(parameter.default is not parameter.empty, f"constructor argument '{name}' has no default")
        space = stage("search_space()", component_class.search_space)
        expect(isinstance(space, dict), f"search_space() returned {type(space).__name__}, not a dict")
        hyper = component_class.hyperparameters()
        unknown = sorted(set(space) - set(hyper))
        expect(not unknown, f"search-space keys {unknown} are not constructor keyword arguments {sorted(hyper)}")
        for key, param in space.items():
            _check_param(key, param)
        hint = stage("missing_requirement()", component_class.missing_requirement)
        expect(hint is None or isinstance(hint, str), "missing_requirement() must return None or a str")


def check_usable(kind: str, component_class: type[Component]) -> None:
    """``check_declaration``, then the component's optional dependencies must be installed.

    Raises:
        ContractError: a broken point of the declaration.
        MissingRequirement: ``missing_requirement()`` returned a hint.
    """
    check_declaration(kind, component_class)
    hint = component_class.missing_requirement()
    if hint is not None:
        raise MissingRequirement(f"{kind} '{component_class.name}': {hint}")


def _check_param(key: str, param: Param) -> None:
    expect(isinstance(param, Param), f"search-space entry '{key}' is a {type(param).__name__}, not a Param")
    if isinstance(param, FloatParam | IntParam):
        expect(param.low <= param.high, f"search-space entry '{key}': low {param.low} > high {param.high}")
        expect(not param.log or param.low > 0, f"search-space entry '{key}': a log range needs low > 0")
    if isinstance(param, IntParam):
        expect(param.step >= 1, f"search-space entry '{key}': step {param.step} < 1")
    if isinstance(param, ChoiceParam):
        expect(len(param.values) > 0, f"search-space entry '{key}': an empty choice")
