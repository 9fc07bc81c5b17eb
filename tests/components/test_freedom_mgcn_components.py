"""The components FREEDOM and MGCN are made of: each equals its formula on tiny inputs."""

import math

import numpy as np
import optuna
import pytest
import torch
from mmsearch_builtin.auxiliaries.modal_bpr import ModalBPRAuxiliary
from mmsearch_builtin.auxiliaries.side_infonce import SideInfoNCEAuxiliary
from mmsearch_builtin.encoders.lightgcn import LightGCNEncoder, normalized_interactions
from mmsearch_builtin.fusions.behaviour_aware import BehaviourAwareFusion
from mmsearch_builtin.fusions.id_view import IDViewFusion
from mmsearch_builtin.fusions.sum import SumFusion
from mmsearch_builtin.timings.two_stream import TwoStreamTiming
from mmsearch_builtin.transforms.linear import LinearTransform
from torch.nn import functional

from mmsearch.components import BuildContext, Representations, TrainingBatch
from mmsearch.model.knn import knn_graph, symmetric_normalize
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.testing import tiny_dataset

BATCH = TrainingBatch(torch.tensor([0, 3, 3, 7]), torch.tensor([2, 5, 9, 2]), torch.tensor([1, 4, 6, 8]))


def with_features(ctx):
    dataset = tiny_dataset()
    features = {name: modality.features for name, modality in dataset.modalities.items()}
    return BuildContext(
        ctx.n_users, ctx.n_items, ctx.embedding_dim, ctx.modality_dims, ctx.train, ctx.device, 0, features
    )


def test_id_view_passes_the_first_view_on_and_leaves_the_others_out(ctx):
    module = IDViewFusion().build(ctx, 3, 8)
    views = [torch.randn(40, 8) for _ in range(3)]
    assert module(views) is views[0]
    assert IDViewFusion().out_dim(3, 8) == 8


def test_modal_bpr_is_the_bpr_of_each_modal_view_scored_by_the_final_user(ctx):
    generator = torch.Generator().manual_seed(0)
    users, items = torch.randn(ctx.n_users, 8, generator=generator), torch.randn(40, 8, generator=generator)
    views = {
        "id": items,
        "image": torch.randn(40, 8, generator=generator),
        "text": torch.randn(40, 8, generator=generator),
    }
    module = ModalBPRAuxiliary(weight=0.5).build(ctx, list(views))
    loss = module(Representations(users, items, views), BATCH)
    expected = 0.0
    for view in ("image", "text"):
        for u, p, n in zip(*(t.tolist() for t in (BATCH.users, BATCH.positives, BATCH.negatives))):
            margin = float(users[u] @ views[view][p] - users[u] @ views[view][n])
            expected += math.log(1 + math.exp(-margin)) / len(BATCH.users)
    assert loss.item() == pytest.approx(0.5 * expected, rel=1e-5)
    assert set(module.last_terms) == {"image", "text"}


def test_modal_bpr_uses_each_views_block_of_a_concatenated_user(ctx):
    generator = torch.Generator().manual_seed(1)
    views = {name: torch.randn(40, 8, generator=generator) for name in ("id", "image", "text")}
    users = torch.randn(ctx.n_users, 24, generator=generator)
    module = ModalBPRAuxiliary(weight=1.0).build(ctx, list(views))
    module(Representations(users, torch.cat(list(views.values()), dim=1), views), BATCH)
    block = users[:, 16:24]  # text is the third view
    scores = [(block[BATCH.users] * views["text"][items]).sum(-1) for items in (BATCH.positives, BATCH.negatives)]
    assert module.last_terms["text"] == pytest.approx((-functional.logsigmoid(scores[0] - scores[1]).mean()).item())
    with pytest.raises(ValueError, match="user width 20"):
        module(Representations(torch.randn(ctx.n_users, 20), users, views), BATCH)


def test_behaviour_aware_fusion_matches_mgcns_fuser(ctx):
    module = BehaviourAwareFusion().build(ctx, 3, 8)
    generator = torch.Generator().manual_seed(2)
    behaviour, image, text = (torch.randn(40, 8, generator=generator) for _ in range(3))
    query = lambda x: module.attention.query(torch.tanh(module.attention.key(x)))  # noqa: E731
    attention = torch.softmax(torch.cat([query(image), query(text)], dim=1), dim=1)
    common = attention[:, :1] * image + attention[:, 1:] * text
    prefer = [torch.sigmoid(layer(behaviour)) for layer in module.preferences]
    side = (prefer[0] * (image - common) + prefer[1] * (text - common) + common) / 3
    torch.testing.assert_close(module([behaviour, image, text]), behaviour + side)
    assert BehaviourAwareFusion().build(ctx, 1, 8)([behaviour]) is behaviour


def test_two_stream_propagates_modal_views_over_their_own_item_graphs(ctx):
    ctx = with_features(ctx)
    timing = TwoStreamTiming(k=3, item_layers=1).build(
        ctx, ["id", "image", "text"], LightGCNEncoder(n_layers=2), SumFusion()
    )
    generator = torch.Generator().manual_seed(3)
    views = {name: torch.randn(40, 8, generator=generator) for name in ("id", "image", "text")}
    out = timing(views)
    lightgcn = LightGCNEncoder(n_layers=2).build(ctx, 8)
    behaviour = lightgcn(timing.user_embedding.weight, views["id"])
    r_hat = torch.tensor(normalized_interactions(ctx.train).toarray())
    users, items = behaviour[0].clone(), behaviour[1].clone()
    for modality in ("image", "text"):
        graph = knn_graph(ctx.item_features[modality], 3, self_loops=True, weighted=True)
        modal_items = torch.tensor(symmetric_normalize(graph).toarray()) @ views[modality]
        users, items = users + r_hat @ modal_items, items + modal_items
    torch.testing.assert_close(out.users, users)
    torch.testing.assert_close(out.items, items)
    for got, want in zip(out.behaviour, behaviour):
        torch.testing.assert_close(got, want)


def test_side_infonce_equals_the_hand_computed_value():
    # behaviour rows e0, e1 and side rows e0, e1: each row's InfoNCE at tau 1 is -log(e / (e + 1))
    eye = torch.eye(2)
    reps = Representations(2 * eye, 2 * eye, {}, (eye, eye))
    batch = TrainingBatch(torch.tensor([0, 1]), torch.tensor([1, 0]), torch.tensor([0, 1]))
    ctx = BuildContext(2, 2, 2, {}, None, torch.device("cpu"), 0)
    module = SideInfoNCEAuxiliary(weight=0.5, temperature=1.0).build(ctx, ["id"])
    one = math.log(1 + math.exp(-1))
    assert module(reps, batch).item() == pytest.approx(0.5 * 2 * one, rel=1e-6)
    assert module.last_terms == {"users": pytest.approx(one, rel=1e-6), "items": pytest.approx(one, rel=1e-6)}
    with pytest.raises(ValueError, match="keeps no behaviour stream"):
        module(Representations(eye, eye), batch)
    with pytest.raises(ValueError, match="fused width 4"):
        module(Representations(torch.eye(2, 4), torch.eye(2, 4), {}, (eye, eye)), batch)


def test_tuned_features_start_at_their_values_and_are_trained(ctx):
    fixed = LinearTransform().build(ctx, 6)
    tuned = LinearTransform(tune_features=True).build(ctx, 6)
    tuned.load_state_dict(fixed.state_dict() | {"offsets": torch.zeros(40, 6)})
    features = torch.randn(40, 6)
    torch.testing.assert_close(tuned(features, None), fixed(features, None))
    optimizer = torch.optim.Adam(tuned.parameters(), lr=0.1)
    tuned(features, None).pow(2).sum().backward()
    optimizer.step()
    assert tuned.offsets.abs().sum() > 0 and fixed.offsets is None


def test_a_space_draws_side_infonce_only_where_a_behaviour_stream_of_equal_width_exists():
    registry = Registry()
    raw = {
        "name": "t",
        "axes": {
            "extractor": {"*": {"provided": {}}},
            "transform": {"linear": {}},
            "encoder": {"lightgcn": {}},
            "timing": {"early": {}, "late": {"with_id": {"choice": [True, False]}}, "two_stream": {}},
            "fusion": {"sum": {}, "concat": {}, "behaviour_aware": {}},
            "loss": {"bpr": {}},
            "auxiliary": {"side_infonce": {}},
        },
    }
    space = parse_space(raw, registry).for_dataset(tiny_dataset(), registry)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    drawn = {True: set(), False: set()}
    for _ in range(160):
        trial = study.ask()
        spec = space.suggest(trial, seed=0)
        timing = spec.timing.name + ("" if spec.timing.params.get("with_id", True) else " without id")
        drawn["side_infonce" in spec.auxiliaries].add((timing, spec.fusion.name))
        study.tell(trial, 0.0)
    assert drawn[True] == {(t, f) for t in ("late", "two_stream") for f in ("sum", "behaviour_aware")}
    assert {("early", "sum"), ("two_stream", "concat"), ("late without id", "sum")} <= drawn[False]


def test_knn_graph_of_the_two_stream_timing_is_built_from_each_modality_alone(ctx):
    ctx = with_features(ctx)
    timing = TwoStreamTiming(k=3, weighted=False, self_loops=False).build(
        ctx, ["id", "image"], LightGCNEncoder(), SumFusion()
    )
    expected = symmetric_normalize(knn_graph(ctx.item_features["image"], 3)).toarray()
    probe = torch.eye(40)
    np.testing.assert_allclose((timing.item_graphs["image"] @ probe).numpy(), expected, rtol=1e-6)


def test_lightgcn_can_sum_its_layers_over_unit_length_inputs(ctx):
    users, items = torch.randn(ctx.n_users, 8), torch.randn(40, 8)
    mean = LightGCNEncoder(n_layers=2).build(ctx, 8)
    summed = LightGCNEncoder(n_layers=2, combine="sum", normalize_inputs=True).build(ctx, 8)
    unit = functional.normalize(users, dim=-1), functional.normalize(items, dim=-1)
    for got, want in zip(summed(users, items), mean(*unit)):
        torch.testing.assert_close(got, 3 * want)


def test_item_knn_can_convolve_the_propagated_items(ctx):
    from mmsearch_builtin.encoders.item_knn import ItemKNNEncoder

    ctx = with_features(ctx)
    users, items = torch.randn(ctx.n_users, 8), torch.randn(40, 8)
    encoder = ItemKNNEncoder(k=3, graph_on="output", combine="sum", normalize_inputs=True)
    module = encoder.build(ctx, 8)
    propagated = LightGCNEncoder(n_layers=2, combine="sum", normalize_inputs=True).build(ctx, 8)(users, items)
    graph = torch.tensor(encoder.item_graph(ctx).toarray())
    got_users, got_items = module(users, items)
    torch.testing.assert_close(got_users, propagated[0])
    torch.testing.assert_close(got_items, propagated[1] + graph @ propagated[1])
    with pytest.raises(ValueError, match="graph_on"):
        ItemKNNEncoder(graph_on="both").build(ctx, 8)


def test_late_timing_without_the_id_view_encodes_and_fuses_the_modal_views_only(ctx):
    from mmsearch_builtin.fusions.concat import ConcatFusion
    from mmsearch_builtin.timings.late import LateFusionTiming

    views = {name: torch.randn(40, 8) for name in ("id", "image", "text")}
    module = LateFusionTiming(with_id=False).build(ctx, list(views), LightGCNEncoder(), ConcatFusion())
    out = module(views)
    assert list(module.encoders) == ["image", "text"] and out.behaviour is None
    expected = [module.encoders[v](module.user_embeddings[v].weight, views[v]) for v in ("image", "text")]
    torch.testing.assert_close(out.items, torch.cat([expected[0][1], expected[1][1]], dim=1))
    torch.testing.assert_close(out.users, torch.cat([expected[0][0], expected[1][0]], dim=1))
