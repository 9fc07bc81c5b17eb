"""Modules whose random structure is redrawn once per training epoch."""

from __future__ import annotations

from abc import ABC, abstractmethod


class EpochResampled(ABC):
    """Mixin for a module (of the model or of an auxiliary loss) that redraws part of itself once per epoch, e.g. a
    pruned graph; the trainer calls ``new_epoch`` on every such submodule before each training epoch.
    """

    @abstractmethod
    def new_epoch(self) -> None:
        """Draw this epoch's structure (from the module's own seeded generator)."""
