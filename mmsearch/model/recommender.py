"""The model every trial trains: ID embeddings and modal views composed by a timing, encoder and fusion."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import Representations, TimingModule, WeightedFusionModule


class Recommender(nn.Module):
    """Item views ``id`` + one per used modality, handed in a fixed order to the timing module.

    Args:
        item_embedding: item ID embedding [n_items, d].
        modal_features: modality -> float32 [n_items, in_dim] (kept as buffers, not trained).
        transforms: modality -> module mapping (features, item ID embedding) to [n_items, d].
        timing: composes encoder and fusion and owns the user embeddings.
        head: the loss's scoring head (``Loss.head``), applied to the final users and items, or None.
    """

    def __init__(
        self,
        item_embedding: nn.Embedding,
        modal_features: dict[str, torch.Tensor],
        transforms: nn.ModuleDict,
        timing: TimingModule,
        head: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.item_embedding = item_embedding
        self.modalities = sorted(modal_features)
        for modality in self.modalities:
            self.register_buffer(f"features_{modality}", modal_features[modality])
        self.transforms = transforms
        self.timing = timing
        self.head = head

    def forward(self) -> Representations:
        """Full representations of all users and items (one graph propagation)."""
        ids = self.item_embedding.weight
        views = {"id": ids}
        for modality in self.modalities:
            views[modality] = self.transforms[modality](getattr(self, f"features_{modality}"), ids)
        encoded = self.timing(views)
        if self.head is None:
            return Representations(encoded.users, encoded.items, views, encoded.behaviour, encoded.hyper_views)
        return Representations(
            self.head(encoded.users),
            self.head(encoded.items),
            views,
            encoded.behaviour,
            encoded.hyper_views,
            source=(encoded.users, encoded.items),
            head_views={modality: self.head(views[modality]) for modality in self.modalities},
        )

    @property
    def views(self) -> list[str]:
        """View names in the order the timing module receives them."""
        return ["id", *self.modalities]

    def fusion_weights(self) -> dict[str, dict[str, float]]:
        """Learned view weights of every weighted fusion module (module path -> view -> weight)."""
        return {
            name: dict(zip(self.views, module.view_weights().tolist()))
            for name, module in self.named_modules()
            if isinstance(module, WeightedFusionModule)
        }

    def l2_penalty(
        self, users: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor, views: Representations | None = None
    ) -> torch.Tensor:
        """Mean over the batch of half the squared norms of the layer-0 user, positive and negative embeddings.

        With ``views`` (this model's output for the batch) the items' modal views count too, so the whole layer-0
        item vector is regularised (VBPR regularises ``[gamma_i ; E f_i]``); else only their ID embeddings.
        """
        items = torch.cat([pos, neg])
        item_norms = self.item_embedding(items).pow(2).sum()
        if views is not None:
            for modality in self.modalities:
                item_norms = item_norms + views.item_views[modality].index_select(0, items).pow(2).sum()
        return 0.5 * (self.timing.user_ego(users).pow(2).sum() + item_norms) / len(users)
