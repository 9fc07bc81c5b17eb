from dataclasses import replace
from pathlib import Path

import numpy as np
import optuna
import pytest

from mmsearch.data.dataset import Modality
from mmsearch.errors import PluginError, SpaceError
from mmsearch.registry import Registry
from mmsearch.search.params import FixedParam, IntParam
from mmsearch.search.space import InactiveDraw, load_space, parse_space
from mmsearch.search.spec import TrialSpec
from mmsearch.testing import tiny_dataset

SPACES = Path(__file__).resolve().parents[2] / "spaces"
AXES = {
    "transform": {"linear": {}},
    "encoder": {"mf": {}, "lightgcn": {"n_layers": {"int": {"low": 1, "high": 2}}}},
    "timing": {"early": {}},
    "fusion": {"sum": {}, "concat": {}},
    "loss": {"bpr": {}},
}


@pytest.fixture(scope="module")
def registry():
    return Registry()


def enqueued(params):
    """A trial of a fresh study that draws ``params`` (and samples the rest)."""
    study = optuna.create_study()
    study.enqueue_trial(params)
    return study.ask()


def space_with(**changes):
    axes = {**AXES, **changes}
    return {"name": "t", "axes": {key: value for key, value in axes.items() if value is not None}}


@pytest.mark.parametrize("path", sorted(SPACES.glob("*.yaml")), ids=lambda path: path.stem)
def test_shipped_spaces_validate(path, registry):
    space = load_space(path, registry)
    assert set(space.axes) == {"transform", "encoder", "timing", "fusion", "loss"}
    assert space.train["embedding_dim"] == FixedParam(64)


def test_plugin_defaults_are_merged_and_overrides_narrow(registry):
    space = parse_space(space_with(), registry)
    assert space.axes["encoder"]["lightgcn"]["n_layers"] == IntParam(1, 2)
    assert space.axes["encoder"]["mf"] == {}
    full = parse_space(space_with(encoder={"lightgcn": {}}), registry)
    assert full.axes["encoder"]["lightgcn"]["n_layers"] == IntParam(1, 4)


def test_suggest_uses_namespaced_names_and_builds_a_spec(registry):
    dataset = tiny_dataset()
    raw = space_with()
    raw["axes"]["extractor"] = {"*": {"provided": {}, "off": {}}}
    space = parse_space(raw, registry).for_dataset(dataset, registry)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = set()
    for _ in range(12):
        trial = study.ask()
        spec = space.suggest(trial, seed=3)
        assert isinstance(spec, TrialSpec) and spec.seed == 3
        assert set(spec.extractors) <= {"image", "text"}
        seen.update(trial.params)
        study.tell(trial, 0.0)
    assert {"encoder", "fusion", "extractor.image", "extractor.text", "encoder.lightgcn.n_layers"} <= seen
    assert "timing" not in seen  # a single option is not suggested
    assert "extractor.image.provided.standardize" in seen


def test_an_id_only_draw_suggests_no_modal_axis_and_no_modal_auxiliary(registry):
    raw = space_with(
        transform={"mlp": {}, "linear": {}},
        timing={"early": {}, "late": {}},
        extractor={"*": {"off": {}, "provided": {}}},
        auxiliary={"sand": {}, "edge_dropout_cl": {}},
    )
    space = parse_space(raw, registry).for_dataset(tiny_dataset(), registry)
    trial = enqueued({"extractor.image": "off", "extractor.text": "off", "encoder": "mf", "timing": "late"})
    spec = space.suggest(trial, seed=0)
    assert spec.id_only and spec.label().startswith("mf|bpr")
    assert (spec.transform.name, spec.timing.name, spec.fusion.name) == ("mlp", "early", "sum")  # first options
    assert {"transform", "timing", "fusion", "auxiliary.sand"}.isdisjoint(trial.params)
    assert "auxiliary.edge_dropout_cl" in trial.params  # structure-based: works without modalities
    modal = enqueued({"extractor.image": "provided", "extractor.text": "off"})
    space.suggest(modal, seed=0)
    assert {"transform", "timing", "fusion", "auxiliary.sand"} <= set(modal.params)


def test_an_id_only_draw_of_a_modal_encoder_is_pruned_untrained(registry):
    raw = space_with(encoder={"mf": {}, "item_knn": {}}, extractor={"*": {"off": {}, "provided": {}}})
    space = parse_space(raw, registry).for_dataset(tiny_dataset(), registry)
    trial = enqueued({"extractor.image": "off", "extractor.text": "off", "encoder": "item_knn"})
    with pytest.raises(InactiveDraw, match="encoder 'item_knn' needs modal features and the trial drew no modality"):
        space.suggest(trial, seed=0)
    assert space.modal_only["encoder"] == {"item_knn"}


@pytest.mark.parametrize(
    ("raw", "error", "message"),
    [
        (
            space_with(encoder={"transformer": {}}),
            PluginError,
            "unknown encoder 'transformer'; available: .*lightgcn.*mf",
        ),
        (space_with(encoder={"lightgcn": {"layers": 2}}), SpaceError, r"unknown parameters \['layers'\]"),
        (space_with(encoder={"lightgcn": {"n_layers": [1, 2]}}), SpaceError, "a list is ambiguous"),
        (space_with(encoder={"lightgcn": {"n_layers": {"float": {"low": 1, "high": 2}}}}), SpaceError, "float range"),
        (space_with(loss=None), SpaceError, r"missing axes \['loss'\]"),
        (space_with(fusoin={"sum": {}}), SpaceError, r"unknown axes \['fusoin'\]"),
        (space_with(encoder={}), SpaceError, "axes.encoder: lists no plugin"),
        ({"name": "t", "axes": AXES, "train": {"learning_rate": 0.1}}, SpaceError, "unknown train settings"),
        ({"name": "t", "axes": AXES, "train": {"max_epochs": 0}}, SpaceError, "max_epochs must be at least 1"),
        ("just text", SpaceError, "must be a mapping"),
    ],
)
def test_invalid_spaces_fail_with_one_line(raw, error, message, registry):
    with pytest.raises(error, match=message) as failure:
        space = parse_space(raw, registry)
        space.suggest(optuna.create_study().ask(), 0)
    assert "\n" not in str(failure.value)


def test_space_file_errors_name_the_file(tmp_path, registry):
    broken = tmp_path / "broken.yaml"
    broken.write_text("axes: [unclosed\n")
    with pytest.raises(SpaceError, match="broken.yaml: not valid YAML"):
        load_space(broken, registry)
    with pytest.raises(SpaceError, match="missing.yaml: cannot read space file"):
        load_space(tmp_path / "missing.yaml", registry)


def test_for_dataset_checks_modalities(registry):
    dataset = tiny_dataset(modality_dims={"image": 4})
    raw = space_with()
    raw["axes"]["extractor"] = {"audio": {"provided": {}}}
    with pytest.raises(SpaceError, match="modality 'audio' but dataset 'tiny' has: image"):
        parse_space(raw, registry).for_dataset(dataset, registry)
    raw["axes"]["extractor"] = {"*": {"provided": {}}}
    assert set(parse_space(raw, registry).for_dataset(dataset, registry).extractors) == {"image"}


def test_wildcard_skips_modalities_no_listed_extractor_reads(registry):
    dataset = tiny_dataset(modality_dims={"image": 4})
    text = Modality("text", raw=tuple("plot" for _ in range(dataset.n_items)), present=np.ones(dataset.n_items, bool))
    dataset = replace(dataset, modalities={**dataset.modalities, "text": text})
    raw = space_with()
    raw["axes"]["extractor"] = {"*": {"provided": {}, "off": {}}}
    resolved = parse_space(raw, registry).for_dataset(dataset, registry)
    assert set(resolved.extractors) == {"image"}
    assert resolved.unused_modalities(dataset) == ["text"]
    raw["axes"]["extractor"] = {"text": {"provided": {}}}
    with pytest.raises(SpaceError, match="extractor 'provided' cannot read modality 'text' \\(raw content"):
        parse_space(raw, registry).for_dataset(dataset, registry)


@pytest.mark.parametrize("extractors", [{"*": {"off": {}}}, {"*": {"provided": {}, "off": {}}}])
def test_a_resolved_space_round_trips_through_its_yaml(extractors, registry):
    dataset = tiny_dataset(modality_dims={"image": 4})
    raw = space_with()
    raw["axes"]["extractor"] = extractors
    resolved = parse_space(raw, registry).for_dataset(dataset, registry)
    reloaded = parse_space(resolved.to_yaml_dict(), registry).for_dataset(dataset, registry)
    assert reloaded.to_yaml_dict() == resolved.to_yaml_dict()


def test_a_dataset_without_modalities_leaves_out_the_options_that_need_them(registry):
    raw = space_with(encoder={"mf": {}, "item_knn": {}}, auxiliary={"sand": {}, "edge_dropout_cl": {}})
    bare = tiny_dataset(modality_dims={})
    space = parse_space(raw, registry).for_dataset(bare, registry)
    assert list(space.axes["encoder"]) == ["mf"] and list(space.auxiliaries) == ["edge_dropout_cl"]
    with pytest.raises(SpaceError, match="every listed encoder needs modal features and dataset 'tiny'"):
        parse_space(space_with(encoder={"lattice": {}, "item_knn": {}}), registry).for_dataset(bare, registry)
