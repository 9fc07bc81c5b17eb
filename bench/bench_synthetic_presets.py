"""Named models on the synthetic data under the presets test's shared budget: validation Recall@20 of each.

The procedure of ``tests/components/test_presets_on_synthetic.py`` (``mmsearch.testing.synthetic_presets``): 400
users, 300 items, seed 0, 32-d embeddings, every preset at one learning rate.

    python bench/bench_synthetic_presets.py [--presets lightgcn smore] [--lr 0.005] [--epochs 40] [--patience 10]
"""

from __future__ import annotations

import argparse

from mmsearch.search.presets import load_presets
from mmsearch.testing.synthetic_presets import LR, synthetic_valid_recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", help="default: every preset")
    parser.add_argument("--lr", type=float, default=LR)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--patience", type=int, default=10)
    args = parser.parse_args()
    names = args.presets or sorted(load_presets())
    print(f"validation recall@20 on the synthetic data (lr {args.lr}, at most {args.epochs} epochs):")
    for name, recall in synthetic_valid_recall(names, args.lr, args.epochs, args.patience).items():
        print(f"  {name:14s} {recall:.4f}")


if __name__ == "__main__":
    main()
