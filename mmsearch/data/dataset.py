"""The in-memory dataset that every loader produces and nothing downstream reads files again for."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Modality:
    """Raw content of one item modality.

    Exactly one of ``features`` (a precomputed float32 matrix, shape [n_items, dim]) and ``raw`` (one entry per item:
    a text string or an image path, None where missing) is set.

    Attributes:
        name: modality name, e.g. ``image``, ``audio``, ``text``.
        features: precomputed features, float32 [n_items, dim], or None.
        raw: raw per-item content (length n_items), or None.
        present: bool [n_items]; False where the item has no content for this modality.
    """

    name: str
    features: np.ndarray | None = None
    raw: tuple[str | None, ...] | None = None
    present: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def kind(self) -> str:
        """``features`` for a precomputed matrix, else ``raw``."""
        return "features" if self.features is not None else "raw"


@dataclass(frozen=True)
class Dataset:
    """Users, items, the three interaction splits and the item modalities.

    Attributes:
        name: short dataset name (used in study attributes and reports).
        n_users: number of users; user ids are 0..n_users-1.
        n_items: number of items; item ids are 0..n_items-1.
        train, valid, test: binary CSR matrices of shape [n_users, n_items] with disjoint supports.
        modalities: modality name -> Modality (may be empty: an ID-only dataset).
        problems: non-fatal quirks found while loading (duplicates dropped, missing content, ...).
        user_ids, item_ids: original ids in the source files, index = internal id (None when ids were already 0-based).
    """

    name: str
    n_users: int
    n_items: int
    train: sp.csr_matrix
    valid: sp.csr_matrix
    test: sp.csr_matrix
    modalities: dict[str, Modality] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    user_ids: np.ndarray | None = None
    item_ids: np.ndarray | None = None

    def fingerprint(self) -> str:
        """A short hash of the content: sizes, interactions, and per modality its features or its raw entries, an
        entry that names an existing file by the file's bytes rather than its path (``_raw_content``); keys caches and
        identifies the data in a study. Computed on the first call only, so each file is read once per object."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        digest.update(f"{self.n_users}x{self.n_items}".encode())
        for matrix in (self.train, self.valid, self.test):
            digest.update(np.ascontiguousarray(matrix.indptr).data)
            digest.update(np.ascontiguousarray(matrix.indices).data)
        for name in sorted(self.modalities):
            modality = self.modalities[name]
            digest.update(name.encode())
            if modality.features is not None:
                digest.update(np.ascontiguousarray(modality.features).data)
            else:
                digest.update(_raw_content(modality.raw).encode())
        return digest.hexdigest()[:16]

    def summary(self) -> dict[str, object]:
        """Counts and sparsity as a flat dict (what ``mmsearch data inspect`` prints first)."""
        n_inter = self.train.nnz + self.valid.nnz + self.test.nnz
        return {
            "name": self.name,
            "users": self.n_users,
            "items": self.n_items,
            "interactions": n_inter,
            "train": self.train.nnz,
            "valid": self.valid.nnz,
            "test": self.test.nnz,
            "sparsity": 1.0 - n_inter / max(1, self.n_users * self.n_items),
            "modalities": sorted(self.modalities),
        }


def _raw_content(raw: tuple[str | None, ...] | None) -> str:
    """``repr`` of the raw entries with each entry that names an existing file replaced by ``("file", SHA-256 of its
    bytes)``: what extractors read, not where it lies (a tuple's repr is never a string's, so text stays distinct).
    Each distinct path is read once, in chunks."""
    if raw is None:
        return repr(None)
    digests: dict[str, bytes] = {}
    for entry in raw:
        if isinstance(entry, str) and entry not in digests and os.path.isfile(entry):
            with open(entry, "rb") as file:
                digests[entry] = hashlib.file_digest(file, "sha256").digest()
    return repr(tuple(("file", digests[entry]) if entry in digests else entry for entry in raw))
