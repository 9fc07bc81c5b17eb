"""Contract checks of the kinds that build training objectives: loss and auxiliary."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from mmsearch.components import (
    AuxiliaryModule,
    BuildContext,
    Component,
    RepresentationLoss,
    Representations,
    TrainingBatch,
)

from ._context import Devices
from ._errors import expect
from ._probes import BATCH, Draw, Outcome, Probe, build, check_modules, expect_shape, forward


def check_loss(component_class: type[Component], *, devices: Devices = None) -> None:
    """Loss contract: ``build(ctx)`` maps (pos_scores [B], neg_scores [B]) to a scalar that depends on both and
    falls when positive scores rise and negative scores fall (on random scores); or it is a ``RepresentationLoss``
    mapping (representations, batch) to a scalar that depends on the representations (with the head's ``source``
    and ``head_views`` where ``head`` gives one, which must keep the width).
    """
    check_modules("loss", component_class, _loss_probes, devices)


def check_auxiliary(component_class: type[Component], *, devices: Devices = None) -> None:
    """Auxiliary contract: ``build(ctx, views)`` returns an ``AuxiliaryModule`` mapping (representations, batch) to
    a scalar, with ``last_terms`` a dict of finite floats. The representations carry a behaviour stream (as from a
    timing that keeps one), item views and every modality's hypergraph views (as from a timing that gives them).
    With the views ``id``, image, text the scalar depends on the representations and trains every parameter; with
    ``id`` alone it need only be a finite scalar.
    """
    check_modules("auxiliary", component_class, _auxiliary_probes, devices)


def _loss_probes(ctx: BuildContext) -> dict[str, Probe]:
    def probe(component: Component, ctx: BuildContext) -> tuple[nn.Module, Outcome]:
        module = build(lambda: component.build(ctx), ctx)
        if isinstance(module, RepresentationLoss):
            return _representation_probe(component, module, ctx)
        draw = Draw(ctx)
        pos, neg = draw(2 * BATCH), draw(2 * BATCH)
        value = forward(module, pos, neg)
        expect_shape("loss", value, ())
        if value.requires_grad:
            grad_pos, grad_neg = torch.autograd.grad(value, (pos, neg), retain_graph=True, allow_unused=True)
            if grad_pos is not None and grad_neg is not None:
                expect(
                    float(grad_pos.sum() - grad_neg.sum()) < 0,
                    "the loss rises when positive scores rise and negative scores fall",
                )
        return module, Outcome({"loss": value}, inputs={"pos_scores": pos, "neg_scores": neg})

    return {f"{2 * BATCH} random score pairs": probe}


def _representation_probe(
    component: Component, module: RepresentationLoss, ctx: BuildContext
) -> tuple[nn.Module, Outcome]:
    """A negative-free loss on random representations of the views id, image, text, through its head if any."""
    draw = Draw(ctx)
    dim = ctx.embedding_dim
    leaves = {"users": draw(ctx.n_users, dim), "items": draw(ctx.n_items, dim)}
    views = {"id": draw(ctx.n_items, dim)} | {m: draw(ctx.n_items, dim) for m in sorted(ctx.modality_dims)}
    leaves |= {f"item_views[{view}]": value for view, value in views.items()}
    head = component.head(ctx)
    if head is None:
        representations = Representations(leaves["users"], leaves["items"], views)
    else:
        heads = [forward(head, leaves[side]) for side in ("users", "items")]
        expect_shape("head of the users", heads[0], (ctx.n_users, dim))
        representations = Representations(
            *heads,
            views,
            source=(leaves["users"], leaves["items"]),
            head_views={m: head(views[m]) for m in views if m != "id"},
        )
    value = forward(module, representations, _batch(ctx))
    expect_shape("loss", value, ())
    return module, Outcome({"loss": value}, any_inputs=leaves)


def _auxiliary_probes(ctx: BuildContext) -> dict[str, Probe]:
    def probe_for(views: tuple[str, ...]) -> Probe:
        def probe(component: Component, ctx: BuildContext) -> tuple[nn.Module, Outcome]:
            module = build(lambda: component.build(ctx, list(views)), ctx, AuxiliaryModule)
            draw = Draw(ctx)
            dim = ctx.embedding_dim
            leaves = {"users": draw(ctx.n_users, dim), "items": draw(ctx.n_items, dim)}
            leaves |= {f"item_views[{view}]": draw(ctx.n_items, dim) for view in views}
            leaves |= {"behaviour users": draw(ctx.n_users, dim), "behaviour items": draw(ctx.n_items, dim)}
            modalities = [view for view in views if view != "id"]
            for modality in modalities:
                leaves[f"hyper_views[{modality}] users"] = draw(ctx.n_users, dim)
                leaves[f"hyper_views[{modality}] items"] = draw(ctx.n_items, dim)
            representations = Representations(
                leaves["users"],
                leaves["items"],
                {view: leaves[f"item_views[{view}]"] for view in views},
                (leaves["behaviour users"], leaves["behaviour items"]),
                {m: (leaves[f"hyper_views[{m}] users"], leaves[f"hyper_views[{m}] items"]) for m in modalities},
            )
            value = forward(module, representations, _batch(ctx))
            expect_shape("loss", value, ())
            terms = module.last_terms
            expect(
                isinstance(terms, dict) and all(isinstance(v, float) and np.isfinite(v) for v in terms.values()),
                f"last_terms must map term names to finite floats, got {terms!r}",
            )
            several = len(views) > 1
            return module, Outcome({"loss": value}, any_inputs=leaves if several else {}, trains=several)

        return probe

    full = ("id", *sorted(ctx.modality_dims))
    return {f"views {'+'.join(views)}": probe_for(views) for views in (full, ("id",))}


def _batch(ctx: BuildContext) -> TrainingBatch:
    """Up to ``BATCH`` training pairs with distinct positive items, and seeded uniform negatives."""
    users, items = ctx.train.nonzero()
    _, first = np.unique(items, return_index=True)
    chosen = np.sort(first)[:BATCH]
    negatives = np.random.default_rng(ctx.seed).integers(0, ctx.n_items, len(chosen))
    columns = (users[chosen], items[chosen], negatives)
    return TrainingBatch(*(torch.as_tensor(np.asarray(c, dtype=np.int64), device=ctx.device) for c in columns))
