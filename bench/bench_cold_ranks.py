"""Where the named models rank the items never seen in training: the test split's cold-item slice at deeper cut-offs.

Recall@20 of the cold-item slice can be 0 for a model that still ranks cold items far above chance. For each preset
(one seed), this trains it under the fixed protocol, keeps the best-validation epoch's weights, and evaluates the
test split's ``cold_items`` slice at K = 20, 100, 500 and 1000, beside the whole split, with what a random ranking
would give (K / the items a user can be shown, averaged over the slice's users).

    python bench/bench_cold_ranks.py --data ../shared/data/tiktok [--presets lightgcn freedom vbpr] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch

from mmsearch.data.load import load_dataset
from mmsearch.eval import Evaluator
from mmsearch.eval.slices import dataset_slices
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry
from mmsearch.search.presets import load_presets
from mmsearch.search.space import load_space
from mmsearch.study.execute import build_model, execute_spec
from mmsearch.train.trainer import score_all

ROOT = Path(__file__).resolve().parents[1]
KS = (20, 100, 500, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--presets", nargs="+", default=["lightgcn", "freedom", "vbpr"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dataset, registry, device = load_dataset(args.data), Registry(), torch.device("cpu")
    space = load_space(ROOT / "spaces" / "presets.yaml", registry).for_dataset(dataset, registry)
    cold = [piece for piece in dataset_slices(dataset) if piece.name == "cold_items"]
    evaluator = Evaluator(dataset.train, dataset.test, ks=KS, slices=cold)
    piece = evaluator.evaluate(lambda users: torch.zeros(len(users), dataset.n_items)).slices["cold_items"]
    shown = dataset.n_items - np.asarray(dataset.train[piece.users].getnnz(axis=1))
    print(f"{dataset.name}: {piece.interactions} test interactions with cold items, {len(piece.users)} users")
    print(f"{'preset':12} {'test R@20':>9} " + " ".join(f"{f'cold R@{k}':>11}" for k in KS))
    print(f"{'random':12} {'':>9} " + " ".join(f"{np.mean(np.minimum(k / shown, 1)):11.4f}" for k in KS))
    presets = load_presets()
    with tempfile.TemporaryDirectory() as folder:
        cache = FeatureCache(Path(folder))
        for name in args.presets:
            spec = presets[name].to_spec(sorted(dataset.modalities), space.train, seed=args.seed)
            outcome = execute_spec(spec, dataset, registry, device, cache, keep_best_state=True)
            model, _, _ = build_model(spec, dataset, registry, device, cache)
            model.load_state_dict(outcome.result.best_state, strict=False)
            model.eval()
            with torch.no_grad():
                result = evaluator.evaluate(score_all(model))
            cold_recall = " ".join(f"{result.slices['cold_items'].metrics[f'recall@{k}']:11.4f}" for k in KS)
            print(f"{name:12} {result.metrics['recall@20']:9.4f} {cold_recall}", flush=True)


if __name__ == "__main__":
    main()
