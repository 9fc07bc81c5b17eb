"""Every registered plugin passes its kind's contract checks; each check catches a deliberately broken component."""

import os
import random

import numpy as np
import pytest
import torch
from torch import nn

from mmsearch.components import (
    AuxiliaryLoss,
    AuxiliaryModule,
    Encoder,
    ExtractedFeatures,
    Extractor,
    Fusion,
    FusionTiming,
    Loss,
    TimingModule,
    TimingOutput,
    Transform,
    WeightedFusionModule,
)
from mmsearch.registry import KINDS, Registry
from mmsearch.search.params import ChoiceParam, FloatParam, IntParam
from mmsearch.testing import (
    ContractError,
    MissingRequirement,
    check_component,
    check_declaration,
    registered_components,
    search_space_points,
)

REGISTRY = Registry()


@pytest.mark.parametrize(
    ("kind", "name"), [pytest.param(k, n, id=f"{k}:{n}") for k, n in registered_components(REGISTRY)]
)
def test_registered_component_meets_its_contract(kind, name):
    try:
        check_component(kind, REGISTRY.get(kind, name))
    except MissingRequirement as missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))


def test_every_kind_has_registered_components():
    registered = registered_components(REGISTRY)
    assert {kind for kind, _ in registered} == set(KINDS)
    assert {("encoder", "lightgcn"), ("loss", "bpr"), ("extractor", "provided")} <= set(registered)


class _Linear(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.projection = nn.Linear(in_dim, out_dim)

    def forward(self, features, item_ids):
        return self.projection(features)


class GlobalNoiseTransform(Transform):
    name = "global_noise"

    def build(self, ctx, in_dim):
        return _Noisy(in_dim, ctx.embedding_dim).to(ctx.device)


class _Noisy(_Linear):
    def forward(self, features, item_ids):
        return self.projection(features) + torch.from_numpy(np.random.rand(len(features), 1).astype(np.float32))


class IdleParameterTransform(Transform):
    name = "idle_parameter"

    def build(self, ctx, in_dim):
        module = _Linear(in_dim, ctx.embedding_dim)
        module.idle = nn.Parameter(torch.zeros(3))
        return module.to(ctx.device)


class IgnoresFeaturesTransform(Transform):
    name = "ignores_features"

    def build(self, ctx, in_dim):
        return _IdsOnly(ctx.embedding_dim).to(ctx.device)


class _IdsOnly(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gate = nn.Linear(dim, dim)

    def forward(self, features, item_ids):
        return self.gate(item_ids)


class ElsewhereTransform(Transform):
    name = "elsewhere"

    def build(self, ctx, in_dim):
        module = _Linear(in_dim, ctx.embedding_dim).to(ctx.device)
        module.stray = nn.Parameter(torch.zeros(2, device="meta"))
        return module


class UnknownKeyTransform(Transform):
    name = "unknown_key"

    def __init__(self, *, width: int = 4) -> None:
        self.width = width

    @classmethod
    def search_space(cls):
        return {"width": IntParam(2, 8), "depth": IntParam(1, 3)}

    def build(self, ctx, in_dim):
        return _Linear(in_dim, ctx.embedding_dim).to(ctx.device)


class PositionalTransform(Transform):
    name = "positional"

    def __init__(self, width: int = 4) -> None:
        self.width = width

    def build(self, ctx, in_dim):
        return _Linear(in_dim, ctx.embedding_dim).to(ctx.device)


class WrongWidthFusion(Fusion):
    name = "wrong_width"

    def out_dim(self, n_views, dim):
        return dim

    def build(self, ctx, n_views, dim):
        return _Concat()


class _Concat(nn.Module):
    def forward(self, views):
        return torch.cat(views, dim=-1)


class CachedFusion(Fusion):
    name = "cached"

    def __init__(self) -> None:
        self.module = None

    def out_dim(self, n_views, dim):
        return dim

    def build(self, ctx, n_views, dim):
        self.module = self.module or _Gated(dim).to(ctx.device)
        return self.module


class _Gated(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gate = nn.Parameter(torch.ones(dim))

    def forward(self, views):
        return self.gate * torch.stack(views).sum(dim=0)


class UnnormalisedWeightsFusion(Fusion):
    name = "unnormalised"

    def out_dim(self, n_views, dim):
        return dim

    def build(self, ctx, n_views, dim):
        return _Unnormalised(n_views).to(ctx.device)


class _Unnormalised(WeightedFusionModule):
    def __init__(self, n_views):
        super().__init__()
        self.weights = nn.Parameter(torch.ones(n_views))

    def forward(self, views):
        return sum(w * v for w, v in zip(self.weights, views))

    def view_weights(self):
        return self.weights.detach()


class SingleTensorEncoder(Encoder):
    name = "single_tensor"

    def build(self, ctx, dim):
        return _Items()


class _Items(nn.Module):
    def forward(self, users, items):
        return items


class FailingChoiceEncoder(Encoder):
    name = "failing_choice"

    def __init__(self, *, mode: str = "plain") -> None:
        self.mode = mode

    @classmethod
    def search_space(cls):
        return {"mode": ChoiceParam(("plain", "fancy"))}

    def build(self, ctx, dim):
        if self.mode != "plain":
            raise ValueError(f"mode {self.mode} is not implemented")
        return _Identity()


class _Identity(nn.Module):
    def forward(self, users, items):
        return users, items


class UnregisteredEncoderTiming(FusionTiming):
    name = "unregistered"

    def build(self, ctx, views, encoder, fusion):
        width = fusion.out_dim(len(views), ctx.embedding_dim)
        fused = fusion.build(ctx, len(views), ctx.embedding_dim)
        return _Unregistered(nn.Embedding(ctx.n_users, width), fused, encoder.build(ctx, width)).to(ctx.device)


class _Unregistered(TimingModule):
    def __init__(self, users, fusion, encoder):
        super().__init__()
        self.users, self.fusion = users, fusion
        self.encoders = [encoder]  # a plain list: the encoder's module is not registered

    def forward(self, item_views):
        return TimingOutput(*self.encoders[0](self.users.weight, self.fusion(list(item_views.values()))))

    def user_ego(self, users):
        return self.users(users)


class WrongSignLoss(Loss):
    name = "wrong_sign"

    def build(self, ctx):
        return _WrongSign()


class _WrongSign(nn.Module):
    def forward(self, pos_scores, neg_scores):
        return (pos_scores - neg_scores).mean()


class PerPairLoss(Loss):
    name = "per_pair"

    def build(self, ctx):
        return _PerPair()


class _PerPair(nn.Module):
    def forward(self, pos_scores, neg_scores):
        return nn.functional.softplus(neg_scores - pos_scores)


class NanAuxiliary(AuxiliaryLoss):
    name = "nan"

    def build(self, ctx, views):
        return _Nan()


class _Nan(AuxiliaryModule):
    def forward(self, representations, batch):
        return representations.users.sum() * float("nan")


class Float64Extractor(Extractor):
    name = "float64"

    def supports(self, modality):
        return modality.features is not None

    def extract(self, modality, seed):
        return ExtractedFeatures(np.asarray(modality.features, dtype=np.float64), modality.present.copy())


class RandomExtractor(Extractor):
    name = "random"

    def supports(self, modality):
        return modality.features is not None

    def extract(self, modality, seed):
        values = np.random.default_rng().normal(size=(len(modality.present), 2)).astype(np.float32)
        return ExtractedFeatures(values, modality.present.copy())


class AlwaysPresentExtractor(Extractor):
    name = "always_present"

    def supports(self, modality):
        return modality.features is not None

    def extract(self, modality, seed):
        return ExtractedFeatures(np.asarray(modality.features), np.ones(len(modality.present), dtype=bool))


BROKEN = [
    ("transform", GlobalNoiseTransform, r"output 'view' differs between two builds and runs with seed 0"),
    ("transform", IdleParameterTransform, r"no gradient reaches parameter 'idle'"),
    ("transform", IgnoresFeaturesTransform, r"no gradient reaches input 'features'"),
    ("transform", ElsewhereTransform, r"on cpu, image features \[11, 6\]: parameter 'stray' is on meta, not cpu"),
    ("transform", UnknownKeyTransform, r"search-space keys \['depth'\] are not constructor keyword arguments"),
    ("transform", PositionalTransform, r"constructor argument 'width' is not keyword-only"),
    ("fusion", WrongWidthFusion, r"3 view\(s\) \[11, 8\]: fused has shape \(11, 24\), expected \(11, 8\)"),
    ("fusion", CachedFusion, r"two builds share 1 parameter\(s\)"),
    ("fusion", UnnormalisedWeightsFusion, r"view_weights\(\) sums to 3.0, not one"),
    ("encoder", SingleTensorEncoder, r"forward returned Tensor, not a pair"),
    ("encoder", FailingChoiceEncoder, r"with mode='fancy' on cpu, width 8: build raised ValueError: mode fancy is"),
    ("timing", UnregisteredEncoderTiming, r"a module built by the encoder or fusion is not a submodule"),
    ("loss", WrongSignLoss, r"the loss rises when positive scores rise and negative scores fall"),
    ("loss", PerPairLoss, r"loss has shape \(16,\), expected \(\)"),
    ("auxiliary", NanAuxiliary, r"views id\+image\+text: output 'loss' has non-finite values"),
    ("extractor", Float64Extractor, r"values must be a float32 \[n_items, dim\] array, got float64"),
    ("extractor", RandomExtractor, r"'features': two extractions with the same seed differ"),
    ("extractor", AlwaysPresentExtractor, r"an item without content is marked present"),
]


@pytest.mark.parametrize(("kind", "component", "message"), BROKEN, ids=[c.name for _, c, _ in BROKEN])
def test_broken_component_fails_with_a_message_naming_it(kind, component, message):
    with pytest.raises(ContractError, match=message) as failure:
        check_component(kind, component, devices=["cpu"])
    assert str(failure.value).startswith(f"{kind} '{component.name}'")


def test_search_space_key_missing_from_the_constructor_is_a_declaration_error():
    with pytest.raises(ContractError, match=r"transform 'unknown_key': search-space keys \['depth'\]"):
        check_declaration("transform", UnknownKeyTransform)


def test_missing_requirement_is_reported_with_its_hint():
    class NeedsExtra(Float64Extractor):
        name = "needs_extra"

        @classmethod
        def missing_requirement(cls):
            return "pip install 'mmsearch[extra]'"

    with pytest.raises(MissingRequirement, match=r"extractor 'needs_extra': pip install 'mmsearch\[extra\]'"):
        check_component("extractor", NeedsExtra)


def test_search_space_points_visit_each_end_and_choice_once():
    class Searched(Transform):
        name = "searched"

        def __init__(self, *, rate: float = 0.5, layers: int = 2, act: str = "relu") -> None:
            self.rate, self.layers, self.act = rate, layers, act

        @classmethod
        def search_space(cls):
            return {
                "rate": FloatParam(0.1, 0.5),
                "layers": IntParam(1, 8, step=3),
                "act": ChoiceParam(("relu", "tanh", "relu")),
            }

        def build(self, ctx, in_dim):
            return _Linear(in_dim, ctx.embedding_dim)

    assert search_space_points(Searched) == [{}, {"act": "tanh"}, {"layers": 1}, {"layers": 7}, {"rate": 0.1}]


def test_checks_leave_the_global_generators_as_they_were():
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    check_component("fusion", REGISTRY.get("fusion", "attentive_sum"), devices=["cpu"])
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected
