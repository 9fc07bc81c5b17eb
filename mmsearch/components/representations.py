"""What a model's forward pass returns: final user and item representations plus the per-view parts."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class Representations:
    """Final representations; the score of (u, i) is ``users[u] @ items[i]``.

    Attributes:
        users: float [n_users, D].
        items: float [n_items, D].
        item_views: view name (``id`` or a modality) -> item representation of that view before fusion, [n_items, d].
        behaviour: the encoded ID stream (users [n_users, d], items [n_items, d]) where the timing keeps it apart
            (``TimingOutput.behaviour``), else None.
        hyper_views: modality -> global (hypergraph) embeddings (users [n_users, d], items [n_items, d]) where the
            timing gives them (``TimingOutput.hyper_views``), else empty.
        source: where the loss has a scoring head (``Loss.head``), the final (users, items) before it; else None.
        head_views: modality -> the head applied to that modal item view [n_items, D] (with a head), else empty.
    """

    users: torch.Tensor
    items: torch.Tensor
    item_views: dict[str, torch.Tensor] = field(default_factory=dict)
    behaviour: tuple[torch.Tensor, torch.Tensor] | None = None
    hyper_views: dict[str, tuple[torch.Tensor, torch.Tensor]] = field(default_factory=dict)
    source: tuple[torch.Tensor, torch.Tensor] | None = None
    head_views: dict[str, torch.Tensor] = field(default_factory=dict)

    def score(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores of aligned (user, item) pairs: LongTensors [B] -> float [B]."""
        return (self.users.index_select(0, users) * self.items.index_select(0, items)).sum(dim=-1)

    def triple_scores(
        self, users: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(positive scores [B], negative scores [B]) of a batch of triples, gathering each user row once."""
        user_rows = self.users.index_select(0, users)
        item_rows = self.items.index_select(0, torch.cat([positives, negatives])).view(2, len(users), -1)
        scores = (item_rows * user_rows).sum(dim=-1)
        return scores[0], scores[1]

    def l2_penalty(self, users: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """Half the squared norms of the batch's final user, positive and negative rows, averaged over the batch."""
        items = self.items.index_select(0, torch.cat([positives, negatives]))
        return 0.5 * (self.users.index_select(0, users).pow(2).sum() + items.pow(2).sum()) / len(users)
