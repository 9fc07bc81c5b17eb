"""What the checks run on: the tiny build context, the devices, and sample modalities for extractors."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from mmsearch.components import BuildContext
from mmsearch.data.dataset import Modality

from ..tiny import tiny_dataset

Devices = Sequence[str | torch.device] | None

SAMPLE_TEXTS = (
    "red cotton shirt with long sleeves",
    "blue cotton shirt for a warm summer",
    "warm wool sweater with a cotton lining",
    "green cotton shirt, slim fit",
    "black leather shoes with cotton laces",
    "red running shoes and a light cotton shirt",
)


def tiny_context(device: str | torch.device = "cpu", seed: int = 0, embedding_dim: int = 8) -> BuildContext:
    """A ``BuildContext`` over a tiny synthetic dataset: 14 users, 11 items, modalities image (6) and text (5).

    The sizes all differ so that a swapped axis shows; ``item_features`` holds both feature matrices.
    """
    dataset = tiny_dataset(n_users=14, n_items=11, per_user=4, modality_dims={"image": 6, "text": 5})
    features = {name: modality.features for name, modality in dataset.modalities.items()}
    dims = {name: values.shape[1] for name, values in features.items()}
    return BuildContext(
        dataset.n_users, dataset.n_items, embedding_dim, dims, dataset.train, torch.device(device), seed, features
    )


def available_devices() -> list[torch.device]:
    """The CPU, and the current CUDA device when one is available."""
    return [torch.device("cpu"), *([torch.device("cuda")] if torch.cuda.is_available() else [])]


def sample_modalities(folder: Path) -> list[Modality]:
    """Tiny samples of each content type: ``features`` (7 items x 12), ``text`` (7 items), ``image`` (3 items, two
    small BMP files written to ``folder``); the last item of each has no content.
    """
    rng = np.random.default_rng(0)
    features = rng.normal(size=(7, 12)).astype(np.float32)
    present = np.array([True] * 6 + [False])
    texts = (*SAMPLE_TEXTS, None)
    images: list[str | None] = []
    for index in range(2):
        path = folder / f"sample_{index}.bmp"
        _write_bmp(path, rng.integers(0, 256, size=(10 + 4 * index, 16, 3), dtype=np.uint8))
        images.append(str(path))
    return [
        Modality("features", features=features, present=present),
        Modality("text", raw=texts, present=present),
        Modality("image", raw=(*images, None), present=np.array([True, True, False])),
    ]


def _write_bmp(path: Path, pixels: np.ndarray) -> None:
    """Write uint8 RGB ``pixels`` [height, width, 3] as an uncompressed 24-bit BMP (no imaging library needed)."""
    height, width, _ = pixels.shape
    stride = (3 * width + 3) // 4 * 4
    rows = np.zeros((height, stride), dtype=np.uint8)
    rows[:, : 3 * width] = pixels[::-1, :, ::-1].reshape(height, 3 * width)
    header = struct.pack("<2sIHHI", b"BM", 54 + rows.size, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, rows.size, 2835, 2835, 0, 0)
    path.write_bytes(header + info + rows.tobytes())
