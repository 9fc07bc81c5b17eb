"""Ablation axes: choices from the space, variants that change one axis, and one-line errors."""

import pytest

from mmsearch.errors import SpaceError
from mmsearch.registry import Registry
from mmsearch.search.ablation import parse_axis
from mmsearch.search.space import InactiveDraw, parse_space
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()
DATA = tiny_dataset()
RAW = tiny_space(fusions=("sum", "attentive_sum"))
RAW["axes"]["auxiliary"] = {"infonce": {}}
SPACE = parse_space(RAW, REGISTRY).for_dataset(DATA, REGISTRY)


PER_ENTITY = ComponentSpec("attentive_sum", {"mode": "per_entity"})


def anchor(extractors=("image",), fusion=PER_ENTITY, **changes):
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True, "pca_dim": 0}) for m in extractors},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lightgcn", {"n_layers": 2}),
        timing=ComponentSpec("late"),
        fusion=fusion,
        loss=ComponentSpec("bpr"),
        train=TrainConfig(lr=0.02),
        seed=4,
    )
    return TrialSpec(**{**spec.__dict__, **changes})


def test_component_axis_variants_reset_the_plugins_parameters_for_every_choice_alike():
    axis = parse_axis("fusion", SPACE)
    assert axis.choices == ("sum", "attentive_sum")
    spec = anchor()
    assert axis.choice_of(spec) == "attentive_sum"
    same = axis.variant(spec, "attentive_sum", SPACE, REGISTRY, seed=5)
    assert same.fusion == ComponentSpec("attentive_sum", {"mode": "global"})  # the anchor's per_entity is reset
    other = axis.variant(spec, "sum", SPACE, REGISTRY, seed=5)
    assert other.fusion == ComponentSpec("sum", {}) and other.seed == 5
    assert {**other.__dict__, "fusion": None, "seed": None} == {**spec.__dict__, "fusion": None, "seed": None}


def test_modal_axes_do_not_act_in_an_id_only_anchor():
    axis = parse_axis("timing", SPACE)
    spec = anchor(extractors=())
    assert not axis.applies(spec, SPACE)
    with pytest.raises(InactiveDraw):
        axis.variant(spec, "early", SPACE, REGISTRY, seed=4)


def test_extractor_axis_turns_a_modality_off_or_on():
    axis = parse_axis("extractor.text", SPACE)
    assert set(axis.choices) == {"provided", "off"}
    on = axis.variant(anchor(), "provided", SPACE, REGISTRY, seed=4)
    assert set(on.extractors) == {"image", "text"}
    off = axis.variant(on, "off", SPACE, REGISTRY, seed=4)
    assert set(off.extractors) == {"image"}


def test_auxiliary_axis_adds_the_loss_with_its_defaults_or_removes_it():
    axis = parse_axis("auxiliary.infonce", SPACE)
    assert axis.choices == ("off", "on")
    on = axis.variant(anchor(), "on", SPACE, REGISTRY, seed=4)
    assert set(on.auxiliaries) == {"infonce"} and axis.choice_of(on) == "on"
    assert axis.choice_of(axis.variant(on, "off", SPACE, REGISTRY, seed=4)) == "off"
    assert not axis.applies(anchor(extractors=()), SPACE)  # infonce needs modal views


def test_parameter_and_training_axes_take_values_from_the_range_or_the_command():
    layers = parse_axis("encoder.lightgcn.n_layers", SPACE)
    assert layers.values == (1, 2)
    variant = layers.variant(anchor(), "1", SPACE, REGISTRY, seed=4)
    assert variant.encoder == ComponentSpec("lightgcn", {"n_layers": 1})
    assert not layers.applies(anchor(encoder=ComponentSpec("mf")), SPACE)
    lr = parse_axis("train.lr", SPACE)
    assert lr.values == (0.01, 0.03, 0.05)
    assert parse_axis("train.lr", SPACE, ("0.001", "0.1")).values == (0.001, 0.1)
    assert lr.variant(anchor(), "0.05", SPACE, REGISTRY, seed=4).train.lr == 0.05


@pytest.mark.parametrize(
    "name, values, message",
    [
        ("colour", (), "unknown ablation axis 'colour'"),
        ("transform", (), "has one option in this space"),
        ("extractor.audio", (), "no modality 'audio' in this space; available: image, text"),
        ("encoder.gcn.n_layers", (), "no encoder plugin 'gcn'"),
        ("encoder.lightgcn.depth", (), "'lightgcn' has no parameter 'depth'"),
        ("train.momentum", (), "unknown training setting 'momentum'"),
        ("train.lr", ("fast", "slow"), "value 'fast' is not a number"),
        ("fusion", ("a", "b"), "--values applies to parameters only"),
        ("train.max_epochs", (), "is fixed to"),
    ],
)
def test_bad_axes_are_one_line_errors(name, values, message):
    with pytest.raises(SpaceError, match=message):
        parse_axis(name, SPACE, values)


def test_an_axis_whose_variants_leave_a_loss_without_what_it_reads_does_not_apply():
    raw = tiny_space(fusions=("sum", "concat"))
    raw["axes"]["timing"] = {"early": {}, "two_stream": {}}
    raw["axes"]["auxiliary"] = {"side_infonce": {}}
    space = parse_space(raw, REGISTRY).for_dataset(DATA, REGISTRY)
    mgcn_like = anchor(timing=ComponentSpec("two_stream"), fusion=ComponentSpec("sum"))
    mgcn_like = TrialSpec(**{**mgcn_like.__dict__, "auxiliaries": {"side_infonce": ComponentSpec("side_infonce")}})
    # early keeps no behaviour stream and concat widens the views: side_infonce could not act in those variants
    assert not parse_axis("timing", space).applies(mgcn_like, space)
    assert not parse_axis("fusion", space).applies(mgcn_like, space)
    raw["axes"]["timing"] = {"late": {}, "two_stream": {}}  # late keeps the ID view's stream by default
    behaviour_space = parse_space(raw, REGISTRY).for_dataset(DATA, REGISTRY)
    assert parse_axis("timing", behaviour_space).applies(mgcn_like, behaviour_space)
    assert parse_axis("auxiliary.side_infonce", space).applies(mgcn_like, space)
    early = anchor(timing=ComponentSpec("early"), fusion=ComponentSpec("sum"))
    assert not parse_axis("auxiliary.side_infonce", space).applies(early, space)
