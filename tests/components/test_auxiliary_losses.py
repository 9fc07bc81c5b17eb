import math

import optuna
import pytest
import torch
from mmsearch_builtin.auxiliaries._contrast import info_nce
from mmsearch_builtin.auxiliaries.sand import CLUBEstimator, halves, negative_l2, solosim

from mmsearch.components import BuildContext, TrainingBatch
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate

REGISTRY = Registry()


def test_info_nce_equals_hand_computed_value():
    pairs = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    expected = math.log(1 + math.exp(-1.0))  # each row: -log(e^1 / (e^1 + e^0)) at temperature 1
    assert info_nce(pairs, pairs, temperature=1.0).item() == pytest.approx(expected, rel=1e-6)
    halved = math.log(1 + math.exp(-2.0))
    assert info_nce(pairs, pairs, temperature=0.5).item() == pytest.approx(halved, rel=1e-6)


@pytest.mark.parametrize(("rows", "width", "temperature"), [(5, 3, 0.2), (300, 16, 0.05), (64, 8, 1.0)])
def test_info_nce_value_and_gradients_equal_cross_entropy_over_cosine_scores(rows, width, temperature):
    torch.manual_seed(rows)
    anchors, positives = (torch.randn(rows, width, dtype=torch.float64, requires_grad=True) for _ in range(2))
    unit = torch.nn.functional.normalize
    scores = unit(anchors, dim=-1) @ unit(positives, dim=-1).T / temperature
    expected = torch.nn.functional.cross_entropy(scores, torch.arange(rows))
    loss = info_nce(anchors, positives, temperature)
    torch.testing.assert_close(loss, expected)
    for mine, theirs in zip(
        torch.autograd.grad(loss, [anchors, positives]), torch.autograd.grad(expected, [anchors, positives])
    ):
        torch.testing.assert_close(mine, theirs)


def test_sand_terms_equal_hand_computed_values():
    generic = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    # each row picks itself among two at cosine 1 against 0: -log(e^1 / (e^1 + e^0)) at tau 1, e^2 at tau 0.5
    assert solosim(generic, generic, 1.0).item() == pytest.approx(math.log(1 + math.exp(-1.0)), rel=1e-6)
    assert solosim(generic, generic, 0.5).item() == pytest.approx(math.log(1 + math.exp(-2.0)), rel=1e-6)
    # unit-length parts: (1, 0) against (0, 1) is 2 apart squared, (0, 1) against (0, 1) is 0
    assert negative_l2(torch.tensor([[1.0, 0.0], [0.0, 3.0]]), torch.tensor([[0.0, 2.0], [0.0, 1.0]])).item() == -1.0
    view = torch.arange(8.0).view(2, 4)
    assert [part.tolist() for part in halves(view)] == [[[0.0, 1.0], [4.0, 5.0]], [[2.0, 3.0], [6.0, 7.0]]]


def test_club_bound_equals_its_hand_computed_value():
    club = CLUBEstimator(1, 1, lr=1e-3, device=torch.device("cpu"))
    for parameter in club.parameters:  # q(u | g) = N(relu(g), 1): mean net relu(1 * g), log-variance net tanh(0) = 0
        parameter.zero_()
    club.first[0, 0, 0] = 1.0  # the mean network's first layer; the log-variance network's stays 0
    club.mean_out.fill_(1.0)
    generic = unique = torch.tensor([[[1.0], [2.0], [4.0]]])
    torch.manual_seed(3)
    order = torch.randperm(3)
    torch.manual_seed(3)
    bound = club.bound(generic, unique)
    # matched pairs have log q = 0; a shuffled pair (g_i, u_j) has log q = -(u_j - g_i)^2 / 2
    expected = sum((unique[0, j] - generic[0, i]).item() ** 2 / 2 for i, j in enumerate(order.tolist())) / 3
    assert bound.shape == (1,) and bound.item() == pytest.approx(expected)


def club_negative_log_likelihood(parameters, generic, unique):
    """The sum over modalities of each one's mean -log q(u | g) (up to a constant), written out with autograd."""
    first, first_bias, mean_out, mean_bias, var_out, var_bias = parameters
    hidden = torch.relu(generic @ first + first_bias)
    width = first.shape[2] // 2
    mean = hidden[..., :width] @ mean_out + mean_bias
    log_var = torch.tanh(hidden[..., width:] @ var_out + var_bias)
    return (((unique - mean) ** 2 * torch.exp(-log_var) + log_var).sum(-1) / 2).mean(-1).sum()


def test_club_fit_takes_adam_steps_on_the_autograd_gradient_of_each_modality_s_negative_log_likelihood():
    torch.manual_seed(0)
    club = CLUBEstimator(2, 8, lr=1e-2, device=torch.device("cpu"))
    generic, unique = torch.randn(2, 50, 8), torch.randn(2, 50, 8) + 0.5
    reference = [parameter.clone().requires_grad_() for parameter in club.parameters]
    optimizer = torch.optim.Adam(reference, lr=1e-2)
    for _ in range(3):
        optimizer.zero_grad()
        club_negative_log_likelihood(reference, generic, unique).backward()
        optimizer.step()
        club.fit(generic, unique)
        for mine, theirs in zip(club.parameters, reference):
            torch.testing.assert_close(mine.grad, theirs.grad, rtol=1e-4, atol=1e-6)
            torch.testing.assert_close(mine, theirs.detach(), rtol=1e-5, atol=1e-6)
    loss = club_negative_log_likelihood(club.parameters, generic, unique)
    assert loss.item() == pytest.approx(-club.log_likelihood(generic, unique).mean(-1).sum().item(), rel=1e-5)
    for _ in range(50):
        club.fit(generic, unique)
    assert club_negative_log_likelihood(club.parameters, generic, unique) < loss


def build(auxiliaries, modalities=("image", "text"), dataset=None):
    dataset = dataset or tiny_dataset(n_users=60, n_items=40, per_user=8)
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in modalities},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("mf"),
        timing=ComponentSpec("late"),
        fusion=ComponentSpec("concat"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=16, lr=0.01, batch_size=256, max_epochs=8, patience=50),
        seed=0,
        auxiliaries=auxiliaries,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), 0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(dataset.n_users, dataset.n_items, 16, dims, dataset.train, torch.device("cpu"), 0)
    model, objective = build_recommender(spec, ctx, features, REGISTRY)
    return dataset, spec, model, objective


def terms(model, objective, dataset, name):
    users, items = (torch.from_numpy(a.astype("int64")) for a in dataset.train.nonzero())
    batch = TrainingBatch(users, items, items.flip(0))
    objective(model(), batch)
    return dict(objective.auxiliaries[name].last_terms)


@pytest.mark.parametrize("align", ["solosim", "infonce"])
def test_sand_align_term_falls_and_the_halves_move_apart_during_training(align):
    params = {"alpha": 0.5, "beta": 0.05, "align": align, "distance": "l2", "temperature": 0.2}
    dataset, spec, model, objective = build({"sand": ComponentSpec("sand", params)})
    before = terms(model, objective, dataset, "sand")
    train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    after = terms(model, objective, dataset, "sand")
    assert after["align"] < before["align"]
    assert after["distance"] < before["distance"]  # minus the squared distance of the halves: they moved apart


def test_sand_acts_on_the_halves_the_scores_use_so_it_cannot_collapse_beside_them():
    params = {"alpha": 1.0, "beta": 1.0, "align": "solosim", "distance": "l2", "temperature": 0.5}
    dataset, _, model, objective = build({"sand": ComponentSpec("sand", params)})
    users, items = (torch.from_numpy(a.astype("int64")) for a in dataset.train.nonzero())
    batch = TrainingBatch(users, items, items.flip(0))
    representations = model()
    loss = objective.auxiliaries["sand"](representations, batch)
    # the term is a function of the modal views' halves alone, computed by hand from them
    chosen = torch.unique(items)
    (image_generic, image_unique), (text_generic, text_unique) = (
        halves(representations.item_views[m][chosen]) for m in ("image", "text")
    )
    expected = solosim(image_generic, text_generic, 0.5) + negative_l2(image_generic, image_unique)
    expected = expected + negative_l2(text_generic, text_unique)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    # and the halves are what the model scores with: zeroing either half of a view changes the scores
    scores = representations.score(users, items).detach()
    projection = model.transforms["image"]
    for columns in (slice(0, 8), slice(8, 16)):
        with torch.no_grad():
            saved = projection.weight[columns].clone(), projection.bias[columns].clone()
            projection.weight[columns] = 0.0
            projection.bias[columns] = 0.0
            changed = model().score(users, items)
            projection.weight[columns], projection.bias[columns] = saved
        assert not torch.allclose(changed, scores)
    # nothing of its own to train: no head that could meet the objective without touching the model
    assert not list(objective.auxiliaries["sand"].parameters())


def test_sand_club_trains_its_estimators_apart_from_the_model():
    params = {"alpha": 0.5, "beta": 0.1, "align": "solosim", "distance": "club", "temperature": 0.2, "club_steps": 5}
    dataset, spec, model, objective = build({"sand": ComponentSpec("sand", params)})
    module = objective.auxiliaries["sand"]
    assert module._club.first.shape[0] == 2  # one pair of networks per modality, image and text
    estimator = module._club.parameters
    assert not {id(p) for p in estimator} & {id(p) for p in objective.parameters()}
    first = [p.detach().clone() for p in estimator]
    result = train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    assert all(not torch.equal(a, b) for a, b in zip(first, estimator))
    assert math.isfinite(module.last_terms["distance"]) and result.valid.metrics["recall@20"] > 0


def test_infonce_aligns_views_and_is_zero_without_modalities():
    params = {"weight": 1.0, "temperature": 0.2, "pairs": "all"}
    dataset, spec, model, objective = build({"infonce": ComponentSpec("infonce", params)})
    before = terms(model, objective, dataset, "infonce")["infonce"]
    train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    assert terms(model, objective, dataset, "infonce")["infonce"] < before
    _, _, id_only, id_objective = build({"infonce": ComponentSpec("infonce", params)}, modalities=())
    users = torch.tensor([0, 1])
    assert id_objective.auxiliaries["infonce"](id_only(), TrainingBatch(users, users, users)).item() == 0.0


def test_space_searches_auxiliaries_on_and_off_with_namespaced_names():
    raw = {
        "axes": {
            "transform": {"linear": {}},
            "encoder": {"mf": {}},
            "timing": {"early": {}},
            "fusion": {"sum": {}},
            "loss": {"bpr": {}},
            "auxiliary": {"sand": {"alpha": {"float": {"low": 0.1, "high": 0.2}}}, "infonce": {"use": True}},
        }
    }
    space = parse_space(raw, REGISTRY)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    used = set()
    for _ in range(8):
        trial = study.ask()
        spec = space.suggest(trial, 0)
        assert "infonce" in spec.auxiliaries
        if "sand" in spec.auxiliaries:
            assert 0.1 <= spec.auxiliaries["sand"].params["alpha"] <= 0.2
            assert "auxiliary.sand.alpha" in trial.params
        used.add("sand" in spec.auxiliaries)
        assert TrialSpec.from_json(spec.to_json()) == spec
        study.tell(trial, 0.0)
    assert used == {True, False}


@pytest.mark.parametrize(("alpha", "beta", "computed"), [(0.0, 0.1, {"distance"}), (0.5, 0.0, {"align"})])
def test_sand_term_of_weight_zero_is_not_computed_and_its_club_networks_stay_untrained(alpha, beta, computed):
    params = {"alpha": alpha, "beta": beta, "align": "solosim", "distance": "club", "club_steps": 3}
    dataset, _, model, objective = build({"sand": ComponentSpec("sand", params)})
    module = objective.auxiliaries["sand"]
    estimator = module._club.parameters
    first = [p.detach().clone() for p in estimator]
    assert set(terms(model, objective, dataset, "sand")) == computed
    trained = [not torch.equal(a, b) for a, b in zip(first, estimator)]
    assert all(trained) if beta else not any(trained)
