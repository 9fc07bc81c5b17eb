import torch

from mmsearch.model.sparse_pattern import SparsePattern


def random_pattern(n=12, k=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    cols = torch.stack([torch.randperm(n, generator=generator)[:k].sort().values for _ in range(n)])
    return SparsePattern(torch.arange(n).repeat_interleave(k), cols.reshape(-1), n)


def gradients(function, *inputs):
    inputs = [tensor.detach().requires_grad_() for tensor in inputs]
    output = function(*inputs)
    (output * torch.linspace(-1, 1, output.numel()).reshape(output.shape)).sum().backward()
    return output.detach(), [tensor.grad for tensor in inputs]


def test_product_matches_the_dense_product_forward_and_backward():
    pattern = random_pattern()
    values, dense = torch.rand(len(pattern.rows)), torch.randn(12, 4)

    def reference(values, dense):
        matrix = torch.zeros(12, 12).index_put((pattern.rows, pattern.cols), values)
        return matrix @ dense

    got, expected = gradients(pattern.matmul, values, dense), gradients(reference, values, dense)
    torch.testing.assert_close(got, expected)


def test_sampled_dot_matches_gathered_rows_forward_and_backward():
    pattern = random_pattern(seed=1)
    left, right = torch.randn(12, 4), torch.randn(12, 4)
    got = gradients(pattern.sampled_dot, left, right)
    expected = gradients(lambda a, b: (a[pattern.rows] * b[pattern.cols]).sum(dim=1), left, right)
    torch.testing.assert_close(got, expected)


def test_empty_pattern_gives_zeros():
    empty = torch.zeros(0, dtype=torch.long)
    pattern = SparsePattern(empty, empty, 5)
    assert pattern.matmul(torch.zeros(0), torch.randn(5, 2)).abs().sum() == 0
    assert pattern.sampled_dot(torch.randn(5, 2), torch.randn(5, 2)).shape == (0,)
