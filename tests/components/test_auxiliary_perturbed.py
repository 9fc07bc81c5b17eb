import math

import pytest
import torch
from mmsearch_builtin.auxiliaries._contrast import info_nce, jensen_shannon
from mmsearch_builtin.auxiliaries._perturb import feature_dropout, feature_noise
from mmsearch_builtin.auxiliaries.feature_cl import FeatureContrastAuxiliary
from mmsearch_builtin.auxiliaries.infonce import InfoNCEAuxiliary

from mmsearch.components import BuildContext, Representations, TrainingBatch
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate

ESTIMATORS = {"infonce": info_nce, "js": jensen_shannon}


def test_dropout_zeroes_entries_with_rate_p_and_rescales_the_others():
    out = feature_dropout(torch.full((500, 8), 2.0), 0.25, torch.Generator().manual_seed(0))
    assert out.unique().tolist() == pytest.approx([0.0, 2.0 / 0.75])
    assert (out == 0).float().mean().item() == pytest.approx(0.25, abs=0.02)


def test_noise_has_norm_p_times_the_row_norm():
    features = torch.randn(50, 8, generator=torch.Generator().manual_seed(0)) * torch.arange(1.0, 51.0)[:, None]
    noise = feature_noise(features, 0.3, torch.Generator().manual_seed(1)) - features
    assert torch.allclose(noise.norm(dim=1), 0.3 * features.norm(dim=1), rtol=1e-4)


def random_views(names, n_items):
    return {name: torch.randn(n_items, 8, generator=torch.Generator().manual_seed(i)) for i, name in enumerate(names)}


def representations(views):
    items = next(iter(views.values()))
    return Representations(torch.zeros(3, items.shape[1]), torch.zeros_like(items), views)


BATCH = TrainingBatch(torch.tensor([0, 1, 2]), torch.tensor([1, 0, 1]), torch.tensor([2, 2, 2]))


@pytest.mark.parametrize("perturbation", ["dropout", "noise"])
def test_perturbed_views_at_rate_zero_equal_a_hand_computed_view_contrasted_with_itself(ctx, perturbation):
    settings = {"views": "perturbed", "perturbation": perturbation, "perturb_rate": 0.0}
    module = FeatureContrastAuxiliary(weight=1.0, temperature=1.0, **settings).build(ctx, ["id"])
    ids = torch.tensor([[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])  # items 0 and 1 are the batch's positives
    expected = math.log(1 + math.exp(-1.0))  # each row: -log(e^1 / (e^1 + e^0)), as in the InfoNCE test
    assert module(representations({"id": ids}), BATCH).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("estimator", ["infonce", "js"])
@pytest.mark.parametrize("perturbation", ["dropout", "noise"])
def test_perturbed_views_at_rate_zero_equal_each_view_contrasted_with_itself(ctx, estimator, perturbation):
    settings = {"estimator": estimator, "views": "perturbed", "perturbation": perturbation, "perturb_rate": 0.0}
    module = FeatureContrastAuxiliary(weight=0.5, **settings).build(ctx, ["id", "image"])
    views = random_views(["id", "image"], ctx.n_items)
    items = torch.tensor([0, 1])
    expected = sum(ESTIMATORS[estimator](view[items], view[items], 0.2) for view in views.values()) / 2
    assert module(representations(views), BATCH).item() == pytest.approx(0.5 * expected.item(), rel=1e-6)


def test_both_adds_the_modal_and_perturbed_terms_and_reports_each(ctx):
    module = FeatureContrastAuxiliary(weight=2.0, views="both", perturb_rate=0.2).build(ctx, ["id", "image", "text"])
    views = random_views(["id", "image", "text"], ctx.n_items)
    loss = module(representations(views), BATCH)
    terms = module.last_terms
    assert set(terms) == {"infonce", "modal", "perturbed"}
    assert terms["infonce"] == pytest.approx(terms["modal"] + terms["perturbed"], rel=1e-6)
    assert loss.item() == pytest.approx(2.0 * terms["infonce"], rel=1e-6)


@pytest.mark.parametrize("perturbation", ["dropout", "noise"])
def test_perturbed_views_are_seeded_fresh_each_step_and_pass_gradients(ctx, perturbation):
    aux = FeatureContrastAuxiliary(views="perturbed", perturbation=perturbation, perturb_rate=0.3)
    first, second = aux.build(ctx, ["id"]), aux.build(ctx, ["id"])
    ids = torch.randn(ctx.n_items, 8, generator=torch.Generator().manual_seed(0)).requires_grad_()
    values = [first(representations({"id": ids}), BATCH) for _ in range(2)]
    assert second(representations({"id": ids}), BATCH).item() == values[0].item()
    assert values[1].item() != values[0].item()
    values[0].backward()
    rows = ids.grad.abs().sum(dim=1)
    assert (rows[:2] > 0).all() and (rows[2:] == 0).all()


def test_infonce_name_contrasts_perturbed_views_too(ctx):
    module = InfoNCEAuxiliary(weight=1.0, temperature=1.0, views="perturbed", perturb_rate=0.0).build(ctx, ["id"])
    ids = torch.tensor([[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])
    assert module(representations({"id": ids}), BATCH).item() == pytest.approx(math.log(1 + math.exp(-1.0)), rel=1e-6)


def test_rate_one_dropout_is_refused(ctx):
    with pytest.raises(ValueError, match="perturb_rate must lie in"):
        FeatureContrastAuxiliary(views="perturbed", perturb_rate=1.0).build(ctx, ["id"])


REGISTRY = Registry()


@pytest.mark.parametrize("perturbation", ["dropout", "noise"])
def test_perturbed_term_falls_during_training(perturbation):
    dataset = tiny_dataset(n_users=60, n_items=40, per_user=8)
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in ("image", "text")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("mf"),
        timing=ComponentSpec("late"),
        fusion=ComponentSpec("concat"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=16, lr=0.01, batch_size=256, max_epochs=8, patience=50),
        seed=0,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), 0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(dataset.n_users, dataset.n_items, 16, dims, dataset.train, torch.device("cpu"), 0)
    model, objective = build_recommender(spec, ctx, features, REGISTRY)
    aux = FeatureContrastAuxiliary(weight=1.0, views="perturbed", perturbation=perturbation, perturb_rate=0.3)
    objective.auxiliaries["feature_cl"] = aux.build(ctx, model.views)
    users, items = (torch.from_numpy(a.astype("int64")) for a in dataset.train.nonzero())
    batch = TrainingBatch(users, items, items.flip(0))
    before = aux.build(ctx, model.views)(model(), batch).item()  # a fresh module draws the same corruptions
    train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    after = aux.build(ctx, model.views)(model(), batch).item()
    assert after < 0.9 * before
