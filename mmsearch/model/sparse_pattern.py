"""Sparse matrices with a fixed pattern and trainable values: products and sampled dot products, both differentiable.

Graphs whose edges are chosen without gradient but weighted by differentiable functions (LATTICE's learned item-item
graph) need gradients for their values. Gathering one row per edge ([E, d] temporaries) is slow and memory-hungry;
here every forward and backward step is a torch sparse CSR product or a sampled dense-dense product (SDDMM), so
memory stays O(E + n d).
"""

from __future__ import annotations

import warnings

import torch


class SparsePattern:
    """The positions of the non-zeros of an [n, n] matrix, ready for CSR products in both directions.

    Args:
        rows: LongTensor [E], ascending.
        cols: LongTensor [E]; each (row, col) pair at most once.
        n: matrix size.
    """

    def __init__(self, rows: torch.Tensor, cols: torch.Tensor, n: int) -> None:
        self.rows, self.cols, self.n = rows, cols, n
        self.crow = _compressed(rows, n)
        self.transposed_order = torch.argsort(cols, stable=True)
        self.transposed_cols = rows[self.transposed_order]
        self.transposed_crow = _compressed(cols[self.transposed_order], n)

    def matrix(self, values: torch.Tensor, transpose: bool = False) -> torch.Tensor:
        """The sparse CSR matrix [n, n] with ``values`` [E] at the pattern's positions (or its transpose)."""
        if transpose:
            crow, cols, values = self.transposed_crow, self.transposed_cols, values[self.transposed_order]
        else:
            crow, cols = self.crow, self.cols
        with warnings.catch_warnings():  # torch flags sparse CSR tensors as beta on every construction
            warnings.filterwarnings("ignore", "Sparse CSR tensor support is in beta state", UserWarning)
            return torch.sparse_csr_tensor(crow, cols, values, (self.n, self.n), check_invariants=False)

    def matmul(self, values: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        """``matrix(values) @ dense``: values [E], dense [n, d] -> [n, d], differentiable in both."""
        return _PatternMatmul.apply(values, dense, self)

    def sampled_dot(self, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        """``<left[rows[e]], right[cols[e]]>`` for every position e: [n, d], [n, d] -> [E], differentiable in both."""
        return _SampledDot.apply(left, right, self)


def _compressed(sorted_rows: torch.Tensor, n: int) -> torch.Tensor:
    crow = torch.zeros(n + 1, dtype=torch.long, device=sorted_rows.device)
    crow[1:] = torch.bincount(sorted_rows, minlength=n).cumsum(0)
    return crow


def _sddmm(pattern: SparsePattern, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    if len(pattern.rows) == 0:
        return left.new_zeros(0)
    template = pattern.matrix(left.new_zeros(len(pattern.rows)))
    return torch.sparse.sampled_addmm(template, left.contiguous(), right.T, beta=0.0).values()


class _PatternMatmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, values, dense, pattern):  # type: ignore[override]
        ctx.save_for_backward(values, dense)
        ctx.pattern = pattern
        return torch.sparse.mm(pattern.matrix(values), dense)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        values, dense = ctx.saved_tensors
        pattern = ctx.pattern
        grad_values = _sddmm(pattern, grad, dense) if ctx.needs_input_grad[0] else None
        grad_dense = torch.sparse.mm(pattern.matrix(values, transpose=True), grad) if ctx.needs_input_grad[1] else None
        return grad_values, grad_dense, None


class _SampledDot(torch.autograd.Function):
    @staticmethod
    def forward(ctx, left, right, pattern):  # type: ignore[override]
        ctx.save_for_backward(left, right)
        ctx.pattern = pattern
        return _sddmm(pattern, left, right)

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        left, right = ctx.saved_tensors
        pattern = ctx.pattern
        grad_left = torch.sparse.mm(pattern.matrix(grad), right) if ctx.needs_input_grad[0] else None
        grad_right = torch.sparse.mm(pattern.matrix(grad, transpose=True), left) if ctx.needs_input_grad[1] else None
        return grad_left, grad_right, None
