"""Every node of a shipped space replaced by a value of each wrong kind: the space loads, or the file is refused in one
line that names the node's place, never with another exception."""

import copy
import functools
from pathlib import Path

import optuna
import pytest
import yaml

from mmsearch.errors import SpaceError
from mmsearch.registry import Registry
from mmsearch.search.space import InactiveDraw, load_space
from mmsearch.testing import tiny_dataset

SPACES = Path(__file__).resolve().parents[2] / "spaces"
SPACE_FILES = ("quick", "full")
WRONG_VALUES = {
    "scalar": 3,
    "string": "x",
    "mapping": {"bogus": 1},
    "empty-mapping": {},
    "list": [1, 2],
    "empty-list": [],
    "null": None,
}
RANGE_KEYS = {"low": "number", "high": "number", "log": "bool", "step": "integer"}
ACCEPTS = {
    "mapping": lambda value: isinstance(value, dict),
    "range": lambda value: isinstance(value, dict),
    "optional-mapping": lambda value: value is None or isinstance(value, dict),
    "list": lambda value: isinstance(value, list),
    "optional-list": lambda value: value is None or isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "parameter": lambda value: not isinstance(value, list),
    "scalar": lambda value: not isinstance(value, (dict, list)),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "bool": lambda value: isinstance(value, bool),
}
"""Role of a node -> whether a value has a kind that may stand there (the value itself may still be refused)."""
WITHIN_ENTRY = {"range", "list", "scalar", "number", "integer", "bool"}
"""Roles of the parts of one parameter entry: errors there name the entry (up to two levels up)."""
EMPTY = {"optional-mapping": {}, "optional-list": []}
"""What null means where a role accepts it."""

REGISTRY = Registry()
DATASET = tiny_dataset()


def node_paths(node, path=()):
    """Every path into ``node``, the root included: mapping keys and list indices."""
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from node_paths(child, (*path, key))


def place(path) -> str:
    """A path as error messages name it: ``axes.encoder.mf``, ``baselines[0]``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else f".{key}" if text else str(key)
    return text


def role(path) -> str:
    """The kind of value the layout of a space file (``mmsearch.search.space``) expects at ``path``."""
    if not path:
        return "mapping"
    head, rest = path[0], path[1:]
    if head in ("name", "description"):
        return "string"
    if head == "baselines":
        return "string" if rest else "optional-list"
    if head == "train":
        return parameter_role(rest[1:]) if rest else "optional-mapping"
    if not rest:
        return "mapping"
    axis, options = rest[0], rest[1:]
    if axis == "extractor":
        if not options:
            return "mapping"
        options = options[1:]  # below one modality
    elif not options:
        return "optional-mapping" if axis == "auxiliary" else "mapping"
    if not options:
        return "mapping"
    return parameter_role(options[2:]) if len(options) > 1 else "optional-mapping"


def parameter_role(inner) -> str:
    """The role of a node inside one parameter entry (``inner`` is its path below the parameter)."""
    if not inner:
        return "parameter"
    tag = inner[0]
    if len(inner) == 1:
        return {"choice": "list", "fixed": "scalar"}.get(tag, "range")
    return "scalar" if tag == "choice" else RANGE_KEYS[inner[1]]


def replaced(raw, path, value):
    if not path:
        return copy.deepcopy(value)
    raw = copy.deepcopy(raw)
    parent = raw
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = copy.deepcopy(value)
    return raw


def cases():
    for stem in SPACE_FILES:
        raw = yaml.safe_load((SPACES / f"{stem}.yaml").read_text())
        for path in node_paths(raw):
            for label, value in WRONG_VALUES.items():
                yield pytest.param(stem, path, value, id=f"{stem}:{place(path) or '<root>'}={label}")


@functools.cache
def shipped(stem):
    """The raw data of a shipped space, or None where it does not load here (``full`` needs the extras)."""
    path = SPACES / f"{stem}.yaml"
    try:
        load_space(path, REGISTRY)
    except SpaceError:
        return None
    return yaml.safe_load(path.read_text())


def load_raw(tmp_path, raw, name="space"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_space(path, REGISTRY)


@pytest.mark.parametrize(("stem", "path", "value"), list(cases()))
def test_a_node_of_a_wrong_kind_loads_or_is_one_line_naming_its_place(stem, path, value, tmp_path):
    raw = shipped(stem)
    if raw is None:
        pytest.skip(f"{stem}.yaml does not load here")
    expected = role(path)
    try:
        space = load_raw(tmp_path, replaced(raw, path, value))
    except SpaceError as error:
        message = str(error)
        assert message.startswith(f"{tmp_path / 'space.yaml'}: ") and "\n" not in message
        up = 2 if expected in WITHIN_ENTRY else 0
        named = [place(path[:end]) for end in range(max(1, len(path) - up), len(path) + 1)]
        assert not path or any(name in message for name in named), message
        return
    assert ACCEPTS[expected](value), f"a {type(value).__name__} was accepted where a {expected} is due"
    if value is None and expected in EMPTY:
        empty = replaced(raw, path, EMPTY[expected])
        assert space.to_yaml_dict() == load_raw(tmp_path, empty, "empty").to_yaml_dict()
    resolved = space.for_dataset(DATASET, REGISTRY)
    try:
        resolved.suggest(optuna.create_study().ask(), seed=0)
    except InactiveDraw:
        pass


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("axes", "auxiliary"), {"sand": 3}, "axes.auxiliary.sand: expected a mapping, got 3"),
        (("axes", "auxiliary"), {"sand": "on"}, "axes.auxiliary.sand: expected a mapping, got 'on'"),
        (("axes", "auxiliary"), [1], "axes.auxiliary: expected a mapping, got a list"),
        (("axes", "encoder", "mf"), [1], "axes.encoder.mf: expected a mapping, got a list"),
        (("axes", "extractor", "*", "off"), {"x": 1}, r"axes.extractor.\*.off: dropping a modality takes no"),
        (("axes", "extractor"), {"image": 3}, "axes.extractor.image: expected a mapping, got 3"),
        (("axes", "encoder"), {"gnn": {}}, "axes.encoder.gnn: unknown encoder 'gnn'; .*available:"),
        (("axes", "encoder", "lightgcn", "n_layers", "int", "log"), "yes", "n_layers: log must be true or false"),
        (("axes", "encoder", "lightgcn", "n_layers"), {"int": 3}, "n_layers: int needs a mapping with low and"),
        (("train",), False, "train: expected a mapping, got False"),
        (("train", "max_epochs"), 0, "train.max_epochs must be at least 1, got 0"),
        (("train", "batch_size"), {"int": {"low": 0, "high": 8}}, "train.batch_size must be at least 1, got 0"),
        (("train", "negative_pool"), {"choice": ["all", "popular"]}, "negative_pool must be one of"),
        (("train",), {1: 2, "x": 3}, r"unknown train settings \['1', 'x'\]"),
        (("baselines",), "lightgcn", "baselines: expected a list, got 'lightgcn'"),
        (("baselines",), [{"lightgcn": {}}], r"baselines\[0\]: expected a string, got a mapping"),
        (("baselines",), ["ncf"], r"baselines\[0\]: unknown preset 'ncf'"),
        (("name",), ["quick"], "name: expected a string, got a list"),
    ],
)
def test_malformed_entries_are_named(path, value, message, tmp_path):
    raw = replaced(yaml.safe_load((SPACES / "quick.yaml").read_text()), path, value)
    with pytest.raises(SpaceError, match=message) as error:
        load_raw(tmp_path, raw)
    assert "\n" not in str(error.value)
