"""The components SMORE is made of (the spectral timing and the preference-gated fusion) against their formulas."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from mmsearch_builtin.encoders.lightgcn import normalized_interactions
from mmsearch_builtin.encoders.mf import MFEncoder
from mmsearch_builtin.fusions.preference_gated import PreferenceGatedFusion
from mmsearch_builtin.fusions.sum import SumFusion
from mmsearch_builtin.timings.spectral import SpectralTiming, union_maximum
from mmsearch_builtin.timings.two_stream import modal_graph

from mmsearch.components import BuildContext
from mmsearch.testing import tiny_dataset

DIM = 8


def context():
    dataset = tiny_dataset()
    features = {name: modality.features for name, modality in dataset.modalities.items()}
    return BuildContext(dataset.n_users, dataset.n_items, DIM, {}, dataset.train, torch.device("cpu"), 0, features)


def test_the_fused_graph_keeps_every_edge_at_its_largest_value():
    first = sp.csr_matrix(np.array([[0.5, 0.2, 0.0], [0.0, 0.3, 0.0], [0.1, 0.0, 0.0]], dtype=np.float32))
    second = sp.csr_matrix(np.array([[0.4, 0.6, 0.0], [0.0, 0.0, 0.7], [0.0, 0.0, 0.0]], dtype=np.float32))
    expected = np.array([[0.5, 0.6, 0.0], [0.0, 0.3, 0.7], [0.1, 0.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(union_maximum([first, second]).toarray(), expected)


def test_views_are_filtered_in_the_frequency_domain_gate_the_ids_and_run_over_their_graphs():
    ctx = context()
    torch.manual_seed(0)
    module = SpectralTiming(k=3).build(ctx, ["id", "image", "text"], MFEncoder(), SumFusion()).eval()
    views = {name: torch.randn(ctx.n_items, DIM) for name in ("id", "image", "text")}
    output = module(views)

    def filtered(spectrum, view):
        weights = torch.complex(module.filters[view][:, 0], module.filters[view][:, 1])
        return torch.fft.irfft(spectrum * weights, n=DIM, dim=1, norm="ortho")

    spectra = {m: torch.fft.rfft(views[m], dim=1, norm="ortho") for m in ("image", "text")}
    signals = {m: filtered(spectra[m], m) for m in spectra}
    signals["spectral_fusion"] = filtered(spectra["image"] * spectra["text"], "spectral_fusion")
    graphs = {m: modal_graph(ctx, m, 3, True, True) for m in ("image", "text")}
    graphs["spectral_fusion"] = sp.csr_matrix(np.maximum(graphs["image"].toarray(), graphs["text"].toarray()))
    r_hat = torch.tensor(normalized_interactions(ctx.train).toarray())
    users, items = module.user_embedding.weight, views["id"]
    for view, signal in signals.items():
        gate = module.gates[view]
        purified = views["id"] * torch.sigmoid(signal @ gate.weight.T + gate.bias)
        modal_items = torch.tensor(graphs[view].toarray()) @ purified
        users, items = users + r_hat @ modal_items, items + modal_items
    torch.testing.assert_close(output.users, users, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(output.items, items, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(torch.cat(output.behaviour), torch.cat([module.user_embedding.weight, views["id"]]))


def test_preference_gated_fusion_attends_each_view_by_the_last_and_gates_by_behaviour():
    ctx = context()
    module = PreferenceGatedFusion().build(ctx, 4, DIM)
    behaviour, first, second, last = (torch.randn(12, DIM) for _ in range(4))
    parts = []
    for query, view in zip(module.queries, (first, second)):
        parts.append(torch.softmax(query(last), dim=-1) * view)
    parts.append(last)
    gated = [torch.sigmoid(preference(behaviour)) * part for preference, part in zip(module.preferences, parts)]
    torch.testing.assert_close(module([behaviour, first, second, last]), behaviour + sum(gated) / 3)
    assert len(module.queries) == 2 and len(module.preferences) == 3
    torch.testing.assert_close(PreferenceGatedFusion().build(ctx, 1, DIM)([behaviour]), behaviour)


def test_preference_gates_are_dropped_out_only_while_training():
    ctx = context()
    module = PreferenceGatedFusion(dropout=0.5).build(ctx, 3, DIM)
    views = [torch.randn(50, DIM) for _ in range(3)]
    module.train()
    assert not torch.allclose(module(views), module(views))
    module.eval()
    torch.testing.assert_close(module(views), module(views))


@pytest.mark.parametrize("views", [["id"], ["id", "image"]])
def test_fewer_modalities_build_the_matching_views(views):
    ctx = context()
    module = SpectralTiming(k=3).build(ctx, views, MFEncoder(), SumFusion())
    assert list(module.filters) == ([] if views == ["id"] else ["image", "spectral_fusion"])
    output = module({name: torch.randn(ctx.n_items, DIM) for name in views})
    assert output.users.shape == (ctx.n_users, DIM) and output.items.isfinite().all()
