from importlib.metadata import EntryPoint, entry_points

import numpy as np
import pytest
import torch
from mmsearch_builtin.encoders.lattice import LatticeEncoder
from mmsearch_builtin.encoders.lightgcn import LightGCNEncoder

from mmsearch.components import BuildContext
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.model.knn import knn_graph, symmetric_normalize
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate

POINT = EntryPoint("lattice", "mmsearch_builtin.encoders.lattice:LatticeEncoder", "mmsearch.encoders")
REGISTRY = Registry([] if entry_points(group=POINT.group, name=POINT.name) else [POINT])


def context(dataset, dim=8, features=None):
    if features is None:
        features = {name: modality.features for name, modality in dataset.modalities.items()}
    dims = {m: f.shape[1] for m, f in features.items()}
    return BuildContext(dataset.n_users, dataset.n_items, dim, dims, dataset.train, torch.device("cpu"), 0, features)


def normalize(dense):
    degree = dense.sum(dim=1)
    scale = torch.where(degree > 0, degree.clamp_min(1e-30).rsqrt(), 0.0)
    return scale[:, None] * dense * scale[None, :]


def learned_knn(projected, k):
    """Dense brute force: row i keeps its k most cosine-similar other rows, valued by the similarity (at least 0)."""
    unit = torch.nn.functional.normalize(projected, dim=1)
    similarity = unit @ unit.T
    masked = similarity.clone().fill_diagonal_(-torch.inf)
    top = masked.topk(k, dim=1).indices
    return torch.zeros_like(similarity).scatter(1, top, similarity.gather(1, top).clamp_min(0.0))


def dense_item_graph(module, features, k, skip):
    weights = module.modality_weights()
    learned = sum(w * learned_knn(g.projection(g.features), k) for w, g in zip(weights, module.graphs.values()))
    initial = sum(
        w * torch.tensor(symmetric_normalize(knn_graph(features[m], k)).toarray())
        for w, m in zip(weights, sorted(features))
    )
    return (1 - skip) * normalize(learned) + skip * initial


def test_output_is_lightgcn_plus_convolution_over_the_mixed_graph():
    dataset = tiny_dataset()
    ctx = context(dataset)
    module = LatticeEncoder(k=3, skip=0.4, item_layers=2).build(ctx, 8)
    with torch.no_grad():
        module.modality_logits.copy_(torch.tensor([0.3, -0.2]))
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    got_users, got_items = module(users, items)
    lightgcn_users, lightgcn_items = LightGCNEncoder(n_layers=2).build(ctx, 8)(users, items)
    graph = dense_item_graph(module, ctx.item_features, 3, 0.4).detach()
    assert got_users.shape == users.shape and got_items.shape == items.shape
    torch.testing.assert_close(got_users, lightgcn_users)
    torch.testing.assert_close(got_items, lightgcn_items + graph @ (graph @ items))


def test_gradients_reach_the_projections_and_the_modality_weights():
    dataset = tiny_dataset()
    module = LatticeEncoder(k=3).build(context(dataset), 8)
    items = torch.randn(dataset.n_items, 8, requires_grad=True)
    _, out_items = module(torch.randn(dataset.n_users, 8), items)
    (out_items * torch.randn_like(out_items)).sum().backward()
    for graph in module.graphs.values():
        assert graph.projection.weight.grad.abs().sum() > 0
    assert module.modality_logits.grad.abs().sum() > 0 and items.grad.abs().sum() > 0


def test_learned_graph_follows_the_projections():
    dataset = tiny_dataset()
    ctx = context(dataset)
    module = LatticeEncoder(k=3).build(ctx, 8)
    image = module.graphs["image"]
    before_values, before_cols = module.learned_values()[0].detach(), image.pattern.cols.clone()
    with torch.no_grad():
        image.projection.weight.copy_(torch.randn_like(image.projection.weight))
    assert not torch.allclose(module.learned_values()[0], before_values)  # same neighbours, new weights
    image.refresh()
    assert not torch.equal(image.pattern.cols, before_cols)
    expected = learned_knn(image.projection(image.features), 3).detach()
    got = torch.zeros_like(expected)
    got[image.pattern.rows, image.pattern.cols] = image.similarities().detach()
    torch.testing.assert_close(got, expected)


def test_neighbours_are_refound_every_refresh_every_training_steps_only():
    dataset = tiny_dataset()
    module = LatticeEncoder(k=3, refresh_every=2).build(context(dataset), 8)
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    patterns = []
    module.train()
    for _ in range(3):
        module(users, items)
        patterns.append(module.graphs["text"].pattern)
    module.eval()
    module(users, items)
    assert patterns[0] is patterns[1] is not patterns[2] is module.graphs["text"].pattern


def test_items_without_content_get_no_learned_edges():
    dataset = tiny_dataset()
    features = {"image": dataset.modalities["image"].features.copy()}
    features["image"][[4, 9]] = 0.0
    pattern = LatticeEncoder(k=3).build(context(dataset, features=features), 8).graphs["image"].pattern
    assert not np.isin([4, 9], pattern.rows.numpy()).any() and not np.isin([4, 9], pattern.cols.numpy()).any()
    assert len(pattern.rows) == 3 * (dataset.n_items - 2)


def test_without_modal_features_it_is_lightgcn():
    dataset = tiny_dataset()
    ctx = context(dataset, features={})
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    for got, want in zip(LatticeEncoder().build(ctx, 8)(users, items), LightGCNEncoder().build(ctx, 8)(users, items)):
        torch.testing.assert_close(got, want)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="skip"):
        LatticeEncoder(skip=1.5).build(context(tiny_dataset()), 8)


@pytest.mark.parametrize("timing", ["early", "late"])
def test_trains_inside_a_recommender_through_the_registry(timing):
    dataset = tiny_dataset()
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in ("image", "text")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lattice", {"k": 3, "refresh_every": 1}),
        timing=ComponentSpec(timing),
        fusion=ComponentSpec("concat"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=8, max_epochs=1, batch_size=128),
        seed=0,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), seed=0)
    ctx = context(dataset, features={m: f.values for m, f in features.items()})
    model, objective = build_recommender(spec, ctx, features, REGISTRY)
    result = train_and_evaluate(model, objective, dataset, spec.train, ctx.device, 0)
    assert result.epochs_run == 1 and np.isfinite(result.curve[-1]["loss"])


def test_a_module_loaded_from_its_state_keeps_the_trained_neighbours_and_no_features():
    dataset = tiny_dataset()
    ctx = context(dataset)
    torch.manual_seed(0)
    module = LatticeEncoder(k=3, refresh_every=2).build(ctx, 8)
    initial = {m: graph.neighbours.clone() for m, graph in module.graphs.items()}
    users, items, target = (torch.randn(n, 8) for n in (dataset.n_users, dataset.n_items, dataset.n_items))
    optimizer = torch.optim.Adam(module.parameters(), lr=0.5)
    module.train()
    for _ in range(7):  # three refreshes
        loss = ((module(users, items)[1] - target) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert all(not torch.equal(graph.neighbours, initial[m]) for m, graph in module.graphs.items())
    state = module.state_dict()
    assert not [name for name in state if name.endswith((".features", ".present"))]
    torch.manual_seed(1)
    restored = LatticeEncoder(k=3, refresh_every=2).build(ctx, 8)
    restored.load_state_dict(state)
    module.eval()
    restored.eval()
    weight = torch.randn(dataset.n_items, 8)
    for _ in range(2):  # eval forwards never refresh
        for net in (module, restored):
            net.zero_grad()
            (net(users, items)[1] * weight).sum().backward()
        torch.testing.assert_close(restored(users, items), module(users, items), rtol=0, atol=0)
        for (name, got), (_, want) in zip(restored.named_parameters(), module.named_parameters()):
            torch.testing.assert_close(got.grad, want.grad, msg=f"gradient of {name}")
