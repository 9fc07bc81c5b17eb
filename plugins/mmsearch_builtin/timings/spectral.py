"""``spectral`` timing: MGCN's two streams over modal views denoised and fused in the frequency domain (SMORE)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from mmsearch.components import BuildContext, Encoder, Fusion, TimingModule
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, IntParam, Param

from ..encoders.lightgcn import normalized_interactions
from ..transforms.purifier import IDGate
from .two_stream import TwoStreamModule, TwoStreamTiming, modal_graph

FUSED = "spectral_fusion"
"""Name of the cross-modal view, passed to the fusion last."""


class SpectralTiming(TwoStreamTiming):
    """SMORE (Ong & Khong, WSDM 2025) in the design space.

    - Spectra: each modality's projected view h_m [n_items, d] (the transform's output, e.g. ``linear``) is turned
      into its orthonormal real FFT over the d features, H_m [n_items, d/2 + 1].
    - Denoising: c_m = irfft(H_m w_m) with a learned complex filter w_m [d/2 + 1] per modality.
    - Fusion: the cross-modal view c_F = irfft(w_F prod_m H_m); a product of spectra is a circular convolution of
      the views.
    - Purification: every c gates the item ID embedding, v = item_id * sigmoid(W c + b), one gate per view (the
      purifier's gate).
    - Streams as ``two_stream``: behaviour (C_u, C_i) = Encoder(user_embedding, item_id); each v_m over its
      modality's kNN graph S_m, v_F over the fused graph S_F (the entry-wise maximum of the S_m over the union of
      their edges); users R_hat times the items.
    - Output: Fusion(C, V_1, ..., V_M, V_F), one module for users and items, the cross-modal view last. The output
      keeps the behaviour stream.

    Filters start at standard normal real and imaginary parts (SMORE's). Without modal views the output is
    Fusion(C).

    Its arguments are ``two_stream``'s.
    """

    name = "spectral"

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"k": ChoiceParam((10, 15, 20, 40)), "item_layers": IntParam(1, 2)}

    def build(self, ctx: BuildContext, views: Sequence[str], encoder: Encoder, fusion: Fusion) -> TimingModule:
        dim = ctx.embedding_dim
        modalities = [view for view in views if view != "id"]
        graphs = {m: modal_graph(ctx, m, self.k, self.self_loops, self.weighted) for m in modalities}
        if modalities:
            graphs[FUSED] = union_maximum(list(graphs.values()))
        user_embedding = nn.Embedding(ctx.n_users, dim)
        nn.init.xavier_uniform_(user_embedding.weight)
        return _Spectral(
            user_embedding=user_embedding,
            encoder=encoder.build(ctx, dim),
            fusion=fusion.build(ctx, 1 + len(graphs), dim),
            filters=nn.ParameterDict({view: nn.Parameter(torch.randn(dim // 2 + 1, 2)) for view in graphs}),
            gates=nn.ModuleDict({view: IDGate(dim) for view in graphs}),
            item_graphs={view: SparseOperator(graph, ctx.device) for view, graph in graphs.items()},
            interactions=SparseOperator(normalized_interactions(ctx.train), ctx.device),
            item_layers=self.item_layers,
        ).to(ctx.device)


def union_maximum(graphs: list[sp.csr_matrix]) -> sp.csr_matrix:
    """Every edge of any graph, valued by the largest value it has in the graphs that hold it (SMORE's max-pooled
    fused graph): CSR [n, n] of the union pattern."""
    stacked = sp.vstack([sp.coo_matrix(graph) for graph in graphs]).tocoo()
    n = graphs[0].shape[0]
    rows, cols = stacked.row % n, stacked.col
    order = np.lexsort((-stacked.data, cols, rows))
    rows, cols, values = rows[order], cols[order], stacked.data[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return sp.csr_matrix((values[first], (rows[first], cols[first])), shape=(n, n), dtype=np.float32)


class _Spectral(TwoStreamModule):
    def __init__(self, filters: nn.ParameterDict, gates: nn.ModuleDict, **streams) -> None:
        super().__init__(**streams)
        self.filters = filters
        self.gates = gates

    def modal_items(self, item_views: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Each filtered view (the cross-modal one last) gating the item ID embedding."""
        ids = item_views["id"]
        return {view: self.gates[view](signal, ids) for view, signal in self._filtered(item_views).items()}

    def _filtered(self, item_views: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Each modality's denoised view c_m and the cross-modal view c_F, [n_items, d] each."""
        modalities = [view for view in self.filters if view != FUSED]
        if not modalities:
            return {}
        dim = item_views["id"].shape[1]
        spectra = {m: torch.fft.rfft(item_views[m], dim=1, norm="ortho") for m in modalities}
        product = spectra[modalities[0]]
        for modality in modalities[1:]:
            product = product * spectra[modality]
        spectra[FUSED] = product
        return {
            view: torch.fft.irfft(spectrum * torch.view_as_complex(self.filters[view]), n=dim, dim=1, norm="ortho")
            for view, spectrum in spectra.items()
        }
