import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from mmsearch_builtin.auxiliaries._contrast import info_nce
from mmsearch_builtin.auxiliaries.edge_dropout import EdgeDropoutAuxiliary, drop_edges
from mmsearch_builtin.encoders.lightgcn import LightGCNPropagation, normalized_interactions

from mmsearch.components import BuildContext, Representations, TrainingBatch
from mmsearch.model import build_recommender
from mmsearch.model.sparse import SparseOperator
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate


def test_drop_edges_keeps_a_subset_with_probability_one_minus_p():
    graph = sp.random(200, 300, density=0.1, format="csr", random_state=0, dtype=np.float32)
    graph.data[:] = 1.0
    kept = normalized_interactions(drop_edges(graph, 0.3, np.random.default_rng(0))) > 0
    assert (kept > graph).nnz == 0
    assert kept.nnz / graph.nnz == pytest.approx(0.7, abs=0.02)
    assert (
        normalized_interactions(drop_edges(graph, 0.0, np.random.default_rng(0))) != normalized_interactions(graph)
    ).nnz == 0


def test_zero_drop_rate_equals_hand_computed_infonce_of_a_view_with_itself():
    # edges u0-i0, u0-i1, u1-i1: R_hat = [[1/sqrt(2), 1/2], [0, 1/sqrt(2)]] (degrees u: 2, 1; i: 1, 2)
    train = sp.csr_matrix(np.array([[1.0, 1.0], [0.0, 1.0]], dtype=np.float32))
    ctx = BuildContext(2, 2, 2, {}, train, torch.device("cpu"), 0)
    module = EdgeDropoutAuxiliary(weight=1.0, temperature=1.0, drop_rate=0.0, n_layers=1).build(ctx, ["id"])
    eye = torch.eye(2)
    batch = TrainingBatch(torch.tensor([0, 1]), torch.tensor([0, 1]), torch.tensor([1, 0]))
    loss = module(Representations(eye, eye), batch)
    # one layer, P = (I + A_hat) / 2: u0 ~ (1 + r, 1/2), u1 ~ (0, 1), i0 ~ (1, 0), i1 ~ (1/2, 1 + r) with r = 1/sqrt(2),
    # so both pairs have cosine c and each row's InfoNCE against an identical view is -log(e^1 / (e^1 + e^c)).
    r = 1 / math.sqrt(2)
    c = 0.5 / math.sqrt((1 + r) ** 2 + 0.25)
    one = math.log(1 + math.exp(c - 1))
    assert module.last_terms == {"users": pytest.approx(one, rel=1e-6), "items": pytest.approx(one, rel=1e-6)}
    assert loss.item() == pytest.approx(2 * one, rel=1e-6)


BATCH = TrainingBatch(torch.tensor([0, 3, 3, 7]), torch.tensor([2, 5, 9, 2]), torch.tensor([1, 1, 1, 1]))


def random_representations(ctx):
    generator = torch.Generator().manual_seed(0)
    users = torch.randn(ctx.n_users, 8, generator=generator).requires_grad_()
    return Representations(users, torch.randn(ctx.n_items, 8, generator=generator).requires_grad_())


def test_zero_drop_rate_gives_two_identical_views_of_the_full_graph(ctx):
    module = EdgeDropoutAuxiliary(weight=0.5, temperature=0.2, drop_rate=0.0, n_layers=2).build(ctx, ["id"])
    reps = random_representations(ctx)
    full = LightGCNPropagation(SparseOperator(normalized_interactions(ctx.train), ctx.device), 2)
    users, items = full(reps.users, reps.items)
    u, i = torch.tensor([0, 3, 7]), torch.tensor([2, 5, 9])
    expected = info_nce(users[u], users[u], 0.2) + info_nce(items[i], items[i], 0.2)
    assert module(reps, BATCH).item() == pytest.approx(0.5 * expected.item(), rel=1e-5)


def test_gradients_reach_the_final_representations(ctx):
    module = EdgeDropoutAuxiliary(drop_rate=0.2).build(ctx, ["id"])
    reps = random_representations(ctx)
    module(reps, BATCH).backward()
    assert reps.users.grad.abs().sum() > 0 and reps.items.grad.abs().sum() > 0
    assert torch.isfinite(reps.users.grad).all() and torch.isfinite(reps.items.grad).all()


def test_views_differ_and_are_redrawn_every_resample_every_steps(ctx):
    module = EdgeDropoutAuxiliary(drop_rate=0.5, resample_every=2).build(ctx, ["id"])
    reps = random_representations(ctx)
    drawn = []
    for _ in range(3):
        module(reps, BATCH)
        drawn.append([view.interactions for view in module.views])
    assert drawn[1] == drawn[0] and all(a is not b for a, b in zip(drawn[2], drawn[1]))
    (users_a, _), (users_b, _) = (view(reps.users, reps.items) for view in module.views)
    assert not torch.allclose(users_a, users_b)


def test_drop_rates_outside_zero_one_are_refused(ctx):
    with pytest.raises(ValueError, match="drop_rate must lie in"):
        EdgeDropoutAuxiliary(drop_rate=1.0).build(ctx, ["id"])


REGISTRY = Registry()


def test_edge_dropout_term_falls_during_training():
    dataset = tiny_dataset(n_users=60, n_items=40, per_user=8)
    spec = TrialSpec(
        extractors={},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lightgcn"),
        timing=ComponentSpec("early"),
        fusion=ComponentSpec("sum"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=16, lr=0.01, batch_size=256, max_epochs=8, patience=50),
        seed=0,
    )
    ctx = BuildContext(dataset.n_users, dataset.n_items, 16, {}, dataset.train, torch.device("cpu"), 0)
    model, objective = build_recommender(spec, ctx, {}, REGISTRY)
    aux = EdgeDropoutAuxiliary(weight=1.0, drop_rate=0.2)
    objective.auxiliaries["edge_dropout_cl"] = aux.build(ctx, model.views)
    users, items = (torch.from_numpy(a.astype("int64")) for a in dataset.train.nonzero())
    batch = TrainingBatch(users, items, items.flip(0))
    before = aux.build(ctx, model.views)(model(), batch).item()  # a fresh module draws the same two graphs
    train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    after = aux.build(ctx, model.views)(model(), batch).item()
    assert after < 0.9 * before
