"""A fixed sparse matrix that multiplies dense tensors inside autograd, on the CPU and on CUDA.

``SparseOperator`` keeps the matrix (and its transpose, unless it is symmetric) as torch sparse CSR tensors on the
device, so a product runs on torch's own threads (MKL's sparse kernels on x86 CPUs, cuSPARSE on CUDA) and its
backward never rebuilds a transpose. Measured on TikTok's graph inside LightGCN's propagation (two layers, d = 64,
``bench/bench_speed.py``), torch CSR beat SciPy CSR row blocks run on a thread pool beside torch's threads, whose two
pools competed for the same cores between products.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch


class SparseOperator:
    """``operator @ dense`` for a fixed float32 sparse matrix [n, m] and dense [m, d] -> [n, d], differentiable in
    ``dense``.

    Args:
        matrix: the sparse matrix.
        device: where the dense operands live.
        symmetric: the matrix equals its transpose (its backward then reuses it).
    """

    def __init__(self, matrix: sp.spmatrix | sp.sparray, device: torch.device, symmetric: bool = False) -> None:
        forward = sp.csr_matrix(matrix, dtype=np.float32)
        forward.sort_indices()
        self.shape = forward.shape
        self.device = device
        self.nnz = forward.nnz
        self._forward = _to_torch(forward, device)
        self._backward = self._forward if symmetric else _to_torch(forward.T.tocsr(), device)

    def __matmul__(self, dense: torch.Tensor) -> torch.Tensor:
        return _SparseMatmul.apply(dense, self)

    def apply(self, dense: torch.Tensor, transpose: bool) -> torch.Tensor:
        """The product without autograd bookkeeping (``transpose`` multiplies by the transposed matrix)."""
        return torch.sparse.mm(self._backward if transpose else self._forward, dense.detach())


class _SparseMatmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, dense: torch.Tensor, operator: SparseOperator) -> torch.Tensor:  # type: ignore[override]
        ctx.operator = operator
        return operator.apply(dense, transpose=False)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:  # type: ignore[override]
        return ctx.operator.apply(grad.contiguous(), transpose=True), None


def _to_torch(matrix: sp.csr_matrix, device: torch.device) -> torch.Tensor:
    with warnings.catch_warnings():  # torch calls its CSR support beta; the product used here is long-standing
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")
        return torch.sparse_csr_tensor(
            torch.from_numpy(matrix.indptr.astype(np.int64)),
            torch.from_numpy(matrix.indices.astype(np.int64)),
            torch.from_numpy(matrix.data),
            size=matrix.shape,
            device=device,
            check_invariants=False,
        )
