"""Training and evaluation speed of the named models on one dataset, as ratios measured in one run.

Prints, in one process:

1. the sparse product LightGCN repeats (R_hat [users x items] times a [items x 64] matrix, and its transpose) with
   every kernel available here: torch CSR (MKL on x86; what ``SparseOperator`` runs), torch COO, SciPy CSR on one
   thread, and a row-parallel CSR kernel compiled by Numba when ``numba`` is installed (on CUDA: torch CSR and COO);
2. LightGCN's floor: the time of the sparse products one training epoch needs (per batch K layers x 2 products in
   the forward pass and the same in the backward) at the fastest kernel's speed, and the epoch as a ratio of it;
3. each preset's seconds per training epoch (median of ``--epochs`` after one warm-up) as a ratio of LightGCN's,
   for every registered preset unless ``--presets`` names some;
4. one full validation evaluation (forward pass, scoring, masking, top-K, metrics, slices) as a ratio of its floor:
   one dense scoring pass over the same users plus top-K, on the same representations.

    python bench/bench_speed.py --data ../shared/data/tiktok [--presets lightgcn freedom mgcn sand] [--epochs 3]
        [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch
from mmsearch_builtin.encoders.lightgcn import normalized_interactions

from mmsearch.data import load_dataset
from mmsearch.eval import Evaluator, score_by_dot
from mmsearch.eval.slices import dataset_slices
from mmsearch.model import FeatureCache
from mmsearch.model.sparse import SparseOperator
from mmsearch.registry import Registry
from mmsearch.search.presets import load_presets
from mmsearch.study.execute import build_model
from mmsearch.train.allocator import keep_freed_memory
from mmsearch.train.device import resolve_device
from mmsearch.train.sampler import NegativeSampler
from mmsearch.train.trainer import make_optimizer, score_all, train_epoch

DIM, K = 64, 20


def median_seconds(run: Callable[[], object], device: torch.device, repeats: int) -> float:
    """Median wall seconds of ``repeats`` calls after one warm-up, synchronising a CUDA device around each."""
    seconds = []
    for _ in range(repeats + 1):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds[1:])


def kernels(matrix: sp.csr_matrix, device: torch.device) -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """Kernel name -> ``dense [m, d] -> matrix @ dense`` for every candidate available on ``device``."""
    coo = matrix.tocoo()
    indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    torch_coo = torch.sparse_coo_tensor(indices, torch.from_numpy(coo.data), matrix.shape, check_invariants=False)
    torch_coo = torch_coo.coalesce().to(device)
    operator = SparseOperator(matrix, device)
    found = {"torch CSR (MKL)": lambda dense: operator.apply(dense, transpose=False)}
    found["torch COO"] = lambda dense: torch.sparse.mm(torch_coo, dense)
    if device.type != "cpu":
        return found
    found["SciPy CSR, 1 thread"] = lambda dense: torch.from_numpy(matrix @ dense.numpy())
    numba_product = _numba_kernel()
    if numba_product is not None:
        indptr, cols, values = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.data
        found["Numba CSR (parallel)"] = lambda dense: torch.from_numpy(
            numba_product(indptr, cols, values, dense.numpy())
        )
    return found


def _numba_kernel() -> Callable | None:
    """A row-parallel CSR x dense product compiled by Numba, or None where Numba is not installed."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(parallel=True, fastmath=True, cache=False)
    def product(indptr, cols, values, dense):  # pragma: no cover - compiled
        out = np.zeros((indptr.shape[0] - 1, dense.shape[1]), dtype=np.float32)
        for row in numba.prange(indptr.shape[0] - 1):
            for position in range(indptr[row], indptr[row + 1]):
                column, value = cols[position], values[position]
                for k in range(dense.shape[1]):
                    out[row, k] += value * dense[column, k]
        return out

    return product


def kernel_table(train: sp.csr_matrix, device: torch.device, repeats: int) -> dict[str, float]:
    """Kernel -> seconds of one R_hat product plus one transposed product (the pair one LightGCN layer runs)."""
    forward = normalized_interactions(train)
    backward = forward.T.tocsr()
    generator = torch.Generator().manual_seed(0)
    items = torch.randn(forward.shape[1], DIM, generator=generator).to(device)
    users = torch.randn(forward.shape[0], DIM, generator=generator).to(device)
    table = {}
    for (name, ahead), back in zip(kernels(forward, device).items(), kernels(backward, device).values()):
        table[name] = median_seconds(lambda ahead=ahead, back=back: (ahead(items), back(users)), device, repeats)
    return table


def epoch_seconds(name: str, dataset, device: torch.device, cache: FeatureCache, repeats: int) -> tuple[float, int]:
    """(median seconds of one training epoch, batches per epoch) of preset ``name`` at the literature's settings."""
    spec = load_presets()[name].to_spec(sorted(dataset.modalities), {}, seed=0)
    model, objective, _ = build_model(spec, dataset, Registry(), device, cache)
    sampler = NegativeSampler(dataset.train, spec.train.negatives, 0, spec.train.negative_pool)
    optimizer = make_optimizer([model, objective], spec.train)
    seconds = median_seconds(
        lambda: train_epoch(model, objective, sampler, optimizer, spec.train, device), device, repeats
    )
    return seconds, -(-len(sampler) // spec.train.batch_size)


def evaluation_ratio(dataset, device: torch.device, cache: FeatureCache, repeats: int) -> tuple[float, float]:
    """(seconds of one full validation evaluation of LightGCN, seconds of its floor: dense scores plus top-K)."""
    spec = load_presets()["lightgcn"].to_spec([], {}, seed=0)
    model, _, _ = build_model(spec, dataset, Registry(), device, cache)
    evaluator = Evaluator(dataset.train, dataset.valid, device=device, slices=dataset_slices(dataset))
    full = median_seconds(lambda: evaluator.evaluate(score_all(model)), device, repeats)
    users = torch.from_numpy(evaluator.users).to(device)

    def floor() -> None:
        with torch.no_grad():
            representations = model()
            score = score_by_dot(representations.users, representations.items)
            for first in range(0, len(users), evaluator.batch_size):
                torch.topk(score(users[first : first + evaluator.batch_size]), K, dim=1)

    return full, median_seconds(floor, device, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--presets", nargs="+", default=sorted(load_presets()), help="default: every preset")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per preset, after one warm-up")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = resolve_device(args.device)
    keep_freed_memory()  # as training does
    dataset = load_dataset(args.data)
    cache = FeatureCache(Path(tempfile.mkdtemp(prefix="mmsearch-bench-")))
    print(f"{args.data}: {dataset.n_users} users x {dataset.n_items} items, {dataset.train.nnz} training pairs")
    print(f"device {device}, torch threads {torch.get_num_threads()}")

    products = kernel_table(dataset.train, device, repeats=20)
    fastest = min(products, key=products.get)
    print("\none layer's product pair (R_hat @ items, R_hat^T @ users), d = 64:")
    for name, seconds in products.items():
        print(f"  {name:22} {seconds * 1e3:8.2f} ms  {seconds / products[fastest]:5.2f}x the fastest")

    print("\nseconds per training epoch (ratio to LightGCN's):")
    lightgcn, batches = epoch_seconds("lightgcn", dataset, device, cache, args.epochs)
    for name in args.presets:
        seconds = lightgcn if name == "lightgcn" else epoch_seconds(name, dataset, device, cache, args.epochs)[0]
        print(f"  {name:14} {seconds:8.2f} s  {seconds / lightgcn:5.2f}x")
    layers = load_presets()["lightgcn"].encoder.params.get("n_layers", 2)
    floor = batches * 2 * layers * products[fastest]  # forward and backward: ``layers`` product pairs each
    print(
        f"\nLightGCN floor: {batches} batches x 2 passes x {layers} layers x one product pair ({fastest}) = "
        f"{floor:.2f} s; the epoch is {lightgcn / floor:.2f}x its floor"
    )
    full, dense = evaluation_ratio(dataset, device, cache, repeats=5)
    print(f"validation evaluation {full:.3f} s; dense scores + top-{K} {dense:.3f} s; ratio {full / dense:.2f}x")


if __name__ == "__main__":
    main()
