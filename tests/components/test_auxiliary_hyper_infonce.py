"""hyper_infonce (LGMRec's contrast of the modalities' hypergraph embeddings) and where a space draws it."""

import optuna
import pytest
import torch
from mmsearch_builtin.auxiliaries.hyper_infonce import HyperInfoNCEAuxiliary
from torch.nn import functional

from mmsearch.components import BuildContext, Representations, TrainingBatch
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.testing import tiny_dataset

CTX = BuildContext(5, 7, 4, {}, None, torch.device("cpu"), 0)


def reference(first, second, rows, temperature):
    """Cross-entropy of the cosine scores of the anchors against the whole other table, summed over the batch."""
    scores = functional.normalize(first[rows], dim=-1) @ functional.normalize(second, dim=-1).T / temperature
    return functional.cross_entropy(scores, rows, reduction="sum")


def test_each_anchor_is_contrasted_against_every_user_or_item_of_the_other_modality():
    torch.manual_seed(0)
    views = {m: (torch.randn(5, 4), torch.randn(7, 4)) for m in ("audio", "image")}
    reps = Representations(torch.randn(5, 4), torch.randn(7, 4), {}, None, views)
    batch = TrainingBatch(torch.tensor([0, 3, 3]), torch.tensor([6, 1, 2]), torch.tensor([0, 0, 0]))
    module = HyperInfoNCEAuxiliary(weight=0.1, temperature=0.5).build(CTX, ["id", "audio", "image"])
    users = reference(views["audio"][0], views["image"][0], batch.users, 0.5)
    items = reference(views["audio"][1], views["image"][1], batch.positives, 0.5)
    assert module(reps, batch).item() == pytest.approx(0.1 * (users + items).item(), rel=1e-5)
    assert module.last_terms == {
        "audio-image users": pytest.approx(users.item(), rel=1e-5),
        "audio-image items": pytest.approx(items.item(), rel=1e-5),
    }


def test_it_is_zero_with_one_modality_and_refuses_a_timing_without_hypergraph_views():
    reps = Representations(torch.randn(5, 4), torch.randn(7, 4))
    batch = TrainingBatch(torch.tensor([0]), torch.tensor([1]), torch.tensor([2]))
    assert HyperInfoNCEAuxiliary().build(CTX, ["id", "image"])(reps, batch).item() == 0.0
    with pytest.raises(ValueError, match="no hypergraph views of audio, image"):
        HyperInfoNCEAuxiliary().build(CTX, ["id", "audio", "image"])(reps, batch)


def test_a_space_draws_hyper_infonce_only_with_the_local_global_timing():
    registry = Registry()
    raw = {
        "name": "t",
        "axes": {
            "extractor": {"*": {"provided": {}}},
            "transform": {"linear": {}},
            "encoder": {"lightgcn": {}},
            "timing": {"early": {}, "late": {}, "local_global": {}},
            "fusion": {"sum": {}},
            "loss": {"bpr": {}},
            "auxiliary": {"hyper_infonce": {}},
        },
    }
    space = parse_space(raw, registry).for_dataset(tiny_dataset(), registry)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    drawn = {True: set(), False: set()}
    for _ in range(60):
        trial = study.ask()
        spec = space.suggest(trial, seed=0)
        drawn["hyper_infonce" in spec.auxiliaries].add(spec.timing.name)
        study.tell(trial, 0.0)
    assert drawn[True] == {"local_global"}
    assert drawn[False] == {"early", "late", "local_global"}
