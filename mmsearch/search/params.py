"""Typed search-space parameters: what a plugin declares and what a space file may narrow or fix.

A space file writes each parameter explicitly, never inferred from the shape of a value::

    n_layers: {int: {low: 1, high: 4}}
    lr: {float: {low: 1.0e-4, high: 1.0e-2, log: true}}
    activation: {choice: [relu, tanh]}
    dropout: {fixed: 0.1}        # or a plain scalar: dropout: 0.1
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import optuna

from mmsearch.errors import SpaceError

from ._shapes import key_names, shown, unknown_keys

Scalar = bool | int | float | str | None


@dataclass(frozen=True)
class FloatParam:
    """A float in [low, high], sampled on a log scale when ``log``."""

    low: float
    high: float
    log: bool = False

    def suggest(self, trial: optuna.Trial, name: str) -> float:
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def to_yaml(self) -> dict[str, Any]:
        return {"float": {"low": self.low, "high": self.high, "log": self.log}}


@dataclass(frozen=True)
class IntParam:
    """An integer in [low, high] with ``step``, sampled on a log scale when ``log``."""

    low: int
    high: int
    step: int = 1
    log: bool = False

    def suggest(self, trial: optuna.Trial, name: str) -> int:
        return trial.suggest_int(name, self.low, self.high, step=self.step, log=self.log)

    def to_yaml(self) -> dict[str, Any]:
        return {"int": {"low": self.low, "high": self.high, "step": self.step, "log": self.log}}


@dataclass(frozen=True)
class ChoiceParam:
    """One of a finite tuple of scalar values."""

    values: tuple[Scalar, ...]

    def suggest(self, trial: optuna.Trial, name: str) -> Scalar:
        return trial.suggest_categorical(name, list(self.values))

    def to_yaml(self) -> dict[str, Any]:
        return {"choice": list(self.values)}


@dataclass(frozen=True)
class FixedParam:
    """A value that is not searched."""

    value: Scalar

    def suggest(self, trial: optuna.Trial, name: str) -> Scalar:
        return self.value

    def to_yaml(self) -> dict[str, Any]:
        return {"fixed": self.value}


Param = FloatParam | IntParam | ChoiceParam | FixedParam


def parse_param(raw: Any, where: str) -> Param:
    """Parse one parameter entry of a space file.

    Args:
        raw: the YAML value: ``{float: {...}}``, ``{int: {...}}``, ``{choice: [...]}``, ``{fixed: v}`` or a scalar.
        where: dotted location used in error messages, e.g. ``encoder.lightgcn.n_layers``.

    Raises:
        SpaceError: the entry is malformed (one line naming ``where``).
    """
    if isinstance(raw, list):
        raise SpaceError(f"{where}: a list is ambiguous; write {{choice: [...]}} to search over values")
    if not isinstance(raw, dict):
        return FixedParam(_scalar(raw, where))
    if len(raw) != 1:
        raise SpaceError(f"{where}: expected exactly one of float/int/choice/fixed, got {key_names(raw) or 'none'}")
    ((tag, body),) = raw.items()
    if tag == "fixed":
        return FixedParam(_scalar(body, where))
    if tag == "choice":
        if not isinstance(body, list) or not body:
            raise SpaceError(f"{where}: choice needs a non-empty list, got {shown(body)}")
        return ChoiceParam(tuple(_scalar(value, where) for value in body))
    if tag in ("float", "int"):
        return _parse_range(tag, body, where)
    raise SpaceError(f"{where}: unknown parameter type '{tag}' (use float, int, choice or fixed)")


def _parse_range(tag: str, body: Any, where: str) -> Param:
    if not isinstance(body, dict):
        raise SpaceError(f"{where}: {tag} needs a mapping with low and high, got {shown(body)}")
    if not {"low", "high"} <= set(body):
        raise SpaceError(f"{where}: {tag} needs low and high")
    unknown = unknown_keys(body, ("low", "high", "log", "step"))
    if unknown:
        raise SpaceError(f"{where}: unknown {tag} keys {unknown}")
    low, high, log = body["low"], body["high"], body.get("log", False)
    if not isinstance(log, bool):
        raise SpaceError(f"{where}: log must be true or false, got {shown(log)}")
    cast = float if tag == "float" else int
    for bound in (low, high):
        if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
            raise SpaceError(f"{where}: {tag} bounds must be finite numbers, got {shown(bound)}")
        if tag == "int" and float(bound) != int(bound):
            raise SpaceError(f"{where}: int bounds must be whole numbers, got {bound!r}")
    if low > high:
        raise SpaceError(f"{where}: low {low} is greater than high {high}")
    if log and low <= 0:
        raise SpaceError(f"{where}: a log range needs low > 0, got {low}")
    if tag == "float":
        if "step" in body:
            raise SpaceError(f"{where}: float ranges take no step")
        return FloatParam(float(low), float(high), log)
    step = body.get("step", 1)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise SpaceError(f"{where}: step must be a positive integer, got {shown(step)}")
    if log and step != 1:
        raise SpaceError(f"{where}: a log int range needs step 1")
    return IntParam(cast(low), cast(high), step, log)


def _scalar(value: Any, where: str) -> Scalar:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SpaceError(f"{where}: expected a scalar value, got {shown(value)}")


def check_compatible(declared: Param, given: Param, where: str) -> None:
    """Check that a space file's entry ``given`` has the type of the plugin's declared parameter.

    Raises:
        SpaceError: e.g. a float range for an integer parameter, or a fixed string for a float.
    """
    kind = _value_kind(declared)
    values: tuple[Scalar, ...]
    if isinstance(given, FloatParam):
        if kind not in ("float",):
            raise SpaceError(f"{where}: a float range does not fit a {kind} parameter")
        return
    if isinstance(given, IntParam):
        if kind not in ("int", "float"):
            raise SpaceError(f"{where}: an int range does not fit a {kind} parameter")
        return
    values = given.values if isinstance(given, ChoiceParam) else (given.value,)
    for value in values:
        if _kind_of(value) != kind and not (kind == "float" and _kind_of(value) == "int"):
            raise SpaceError(f"{where}: value {value!r} does not fit a {kind} parameter")
        if isinstance(declared, ChoiceParam) and value not in declared.values:
            raise SpaceError(f"{where}: value {value!r} is not one of {list(declared.values)}")


def _value_kind(param: Param) -> str:
    if isinstance(param, FloatParam):
        return "float"
    if isinstance(param, IntParam):
        return "int"
    values = param.values if isinstance(param, ChoiceParam) else (param.value,)
    return _kind_of(values[0])


def _kind_of(value: Scalar) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if value is None:
        return "none"
    return "str"
