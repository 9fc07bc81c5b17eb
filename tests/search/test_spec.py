import pytest

from mmsearch.errors import SpaceError
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec


def make_spec():
    return TrialSpec(
        extractors={"image": ComponentSpec("provided", {"standardize": True})},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lightgcn", {"n_layers": 3}),
        timing=ComponentSpec("late"),
        fusion=ComponentSpec("concat"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(lr=0.005, max_epochs=7),
        seed=11,
    )


def test_json_round_trip_is_exact():
    spec = make_spec()
    assert TrialSpec.from_json(spec.to_json()) == spec
    assert spec.label() == "lightgcn|late|concat|bpr|image:provided"


def test_train_config_rejects_nonsense():
    with pytest.raises(SpaceError, match="batch_size must be at least 1"):
        TrainConfig(batch_size=0)
    with pytest.raises(SpaceError, match="lr must be > 0"):
        TrainConfig(lr=0.0)
    with pytest.raises(SpaceError, match=r"negative_pool must be one of \['all', 'trained'\], got 'items'"):
        TrainConfig(negative_pool="items")
    with pytest.raises(SpaceError, match=r"reg_target must be one of \['layer0', 'final'\], got 'output'"):
        TrainConfig(reg_target="output")
