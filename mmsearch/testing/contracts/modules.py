"""Contract checks of the kinds that build the model's modules: transform, encoder, timing and fusion."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mmsearch.components import BuildContext, Component, TimingModule, TimingOutput, WeightedFusionModule

from ._context import Devices
from ._errors import expect, stage
from ._partners import ReferenceEncoder, ReferenceFusion
from ._probes import BATCH, Draw, Outcome, Probe, build, check_modules, expect_on, expect_shape, expect_tensor, forward


def check_transform(component_class: type[Component], *, devices: Devices = None) -> None:
    """Transform contract: ``build(ctx, in_dim)`` maps (features [n_items, in_dim], item ID embedding [n_items, d])
    to [n_items, d]; the view depends on the features (they receive a gradient). Checked for each modality width.
    """
    check_modules("transform", component_class, _transform_probes, devices)


def check_encoder(component_class: type[Component], *, devices: Devices = None) -> None:
    """Encoder contract: ``build(ctx, dim)`` maps (users [n_users, dim], items [n_items, dim]) to a pair of the same
    shapes that depends on both inputs. Checked at ``dim = d`` and at ``3 d`` (the width early concat fusion hands on).
    """
    check_modules("encoder", component_class, _encoder_probes, devices)


def check_timing(component_class: type[Component], *, devices: Devices = None) -> None:
    """Timing contract: ``build(ctx, views, encoder, fusion)`` returns a ``TimingModule`` that registers every module
    it builds from the encoder and fusion, maps item views {name: [n_items, d]} to a ``TimingOutput`` with users
    [n_users, D] and items [n_items, D] depending on every view (and, where ``keeps_behaviour``, the encoded ID stream
    [n_users, d], [n_items, d]; where ``gives_hyper_views``, every modal view's hypergraph users and items of the same
    shapes), and whose ``user_ego`` maps LongTensor [B] to [B, *].

    Checked with reference partners (a scaling encoder, a weighted sum or concat fusion, each with a parameter) for
    the views ``id``, image, text and for ``id`` alone.
    """
    check_modules("timing", component_class, _timing_probes, devices)


def check_fusion(component_class: type[Component], *, devices: Devices = None) -> None:
    """Fusion contract: ``build(ctx, n_views, dim)`` maps a list of ``n_views`` tensors [n, dim] to
    [n, out_dim(n_views, dim)] depending on every view (on the first, for a ``first_view_only`` fusion); a
    ``WeightedFusionModule``'s ``view_weights()`` is a detached
    [n_views] of non-negative weights summing to one. Checked for 3 views and for 1 (where parameters may be idle).
    """
    check_modules("fusion", component_class, _fusion_probes, devices)


def _transform_probes(ctx: BuildContext) -> dict[str, Probe]:
    def probe_for(in_dim: int) -> Probe:
        def probe(component: Component, ctx: BuildContext) -> tuple[nn.Module, Outcome]:
            module = build(lambda: component.build(ctx, in_dim), ctx)
            draw = Draw(ctx)
            features, item_ids = draw(ctx.n_items, in_dim), draw(ctx.n_items, ctx.embedding_dim)
            view = forward(module, features, item_ids)
            expect_shape("view", view, (ctx.n_items, ctx.embedding_dim))
            return module, Outcome({"view": view}, inputs={"features": features})

        return probe

    return {f"{m} features [{ctx.n_items}, {dim}]": probe_for(dim) for m, dim in sorted(ctx.modality_dims.items())}


def _encoder_probes(ctx: BuildContext) -> dict[str, Probe]:
    def probe_for(dim: int) -> Probe:
        def probe(component: Component, ctx: BuildContext) -> tuple[nn.Module, Outcome]:
            module = build(lambda: component.build(ctx, dim), ctx)
            draw = Draw(ctx)
            users, items = draw(ctx.n_users, dim), draw(ctx.n_items, dim)
            out_users, out_items = _pair(forward(module, users, items))
            expect_shape("users", out_users, (ctx.n_users, dim))
            expect_shape("items", out_items, (ctx.n_items, dim))
            outcome = Outcome({"users": out_users, "items": out_items}, inputs={"users": users, "items": items})
            return module, outcome

        return probe

    return {f"width {dim}": probe_for(dim) for dim in (ctx.embedding_dim, 3 * ctx.embedding_dim)}


def _timing_probes(ctx: BuildContext) -> dict[str, Probe]:
    modal = ("id", *sorted(ctx.modality_dims))
    cases = {"views " + "+".join(modal) + f", {name} fusion": (modal, name == "concat") for name in ("sum", "concat")}
    cases["view id, sum fusion"] = (("id",), False)

    def probe_for(views: tuple[str, ...], concat: bool) -> Probe:
        def probe(component: Component, ctx: BuildContext) -> tuple[nn.Module, Outcome]:
            partners: list[tuple[ReferenceEncoder, ReferenceFusion]] = []

            def make() -> Any:
                partners.append((ReferenceEncoder(), ReferenceFusion(concat=concat)))
                return component.build(ctx, list(views), *partners[-1])

            module = build(make, ctx, TimingModule)
            built = [*partners[0][0].built, *partners[0][1].built]
            registered = {id(sub) for sub in module.modules()}
            expect(
                all(id(sub) in registered for sub in built),
                "a module built by the encoder or fusion is not a submodule (it would be neither trained nor moved)",
            )
            draw = Draw(ctx)
            item_views = {view: draw(ctx.n_items, ctx.embedding_dim) for view in views}
            output = forward(module, item_views)
            expect(isinstance(output, TimingOutput), f"forward returned {type(output).__name__}, not a TimingOutput")
            users, items = output.users, output.items
            _expect_rows("users", users, ctx.n_users)
            expect_shape("items", items, (ctx.n_items, users.shape[1]))
            if getattr(component, "keeps_behaviour", False):
                expect(output.behaviour is not None, "keeps_behaviour is set but the output carries no behaviour")
                expect_shape("behaviour users", output.behaviour[0], (ctx.n_users, ctx.embedding_dim))
                expect_shape("behaviour items", output.behaviour[1], (ctx.n_items, ctx.embedding_dim))
            if getattr(component, "gives_hyper_views", False):
                modalities = sorted(view for view in views if view != "id")
                expect(
                    sorted(output.hyper_views) == modalities,
                    f"gives_hyper_views is set but the output's hyper_views hold {sorted(output.hyper_views)}, "
                    f"not the modal views {modalities}",
                )
                for modality, (hyper_users, hyper_items) in output.hyper_views.items():
                    expect_shape(f"hyper_views[{modality}] users", hyper_users, (ctx.n_users, ctx.embedding_dim))
                    expect_shape(f"hyper_views[{modality}] items", hyper_items, (ctx.n_items, ctx.embedding_dim))
            batch_users = torch.arange(BATCH, device=ctx.device) % ctx.n_users
            ego = stage("user_ego", lambda: module.user_ego(batch_users))
            got = tuple(ego.shape) if isinstance(ego, torch.Tensor) else type(ego).__name__
            expect(got[:1] == (BATCH,), f"user_ego of {BATCH} users returned {got}, expected [{BATCH}, *]")
            outcome = Outcome({"users": users, "items": items, "user_ego": ego}, inputs=item_views)
            return module, outcome

        return probe

    return {label: probe_for(*case) for label, case in cases.items()}


def _fusion_probes(ctx: BuildContext) -> dict[str, Probe]:
    dim = ctx.embedding_dim

    def probe_for(n_views: int) -> Probe:
        def probe(component: Component, ctx: BuildContext) -> tuple[nn.Module, Outcome]:
            width = stage("out_dim", lambda: component.out_dim(n_views, dim))
            expect(isinstance(width, int) and width > 0, f"out_dim({n_views}, {dim}) = {width!r}, not a positive int")
            module = build(lambda: component.build(ctx, n_views, dim), ctx)
            draw = Draw(ctx)
            views = [draw(ctx.n_items, dim) for _ in range(n_views)]
            fused = forward(module, views)
            expect_shape("fused", fused, (ctx.n_items, width))
            if isinstance(module, WeightedFusionModule):
                _check_view_weights(stage("view_weights", module.view_weights), n_views, ctx.device)
            used = views[:1] if getattr(component, "first_view_only", False) else views
            inputs = {f"view {index}": view for index, view in enumerate(used)}
            return module, Outcome({"fused": fused}, inputs=inputs, trains=n_views > 1)

        return probe

    return {f"{n} view(s) [{ctx.n_items}, {dim}]": probe_for(n) for n in (3, 1)}


def _check_view_weights(weights: Any, n_views: int, device: torch.device) -> None:
    expect_shape("view_weights()", weights, (n_views,))
    expect(not weights.requires_grad, "view_weights() is not detached")
    expect_on("view_weights()", weights, device)
    expect(bool((weights >= 0).all()), f"view_weights() has negative weights {weights.tolist()}")
    expect(abs(float(weights.sum()) - 1.0) < 1e-5, f"view_weights() sums to {float(weights.sum())}, not one")


def _pair(result: Any) -> tuple[torch.Tensor, torch.Tensor]:
    expect(isinstance(result, tuple) and len(result) == 2, f"forward returned {type(result).__name__}, not a pair")
    return result


def _expect_rows(label: str, tensor: Any, rows: int) -> None:
    expect_tensor(label, tensor)
    shape = tuple(tensor.shape)
    expect(len(shape) == 2 and shape[0] == rows, f"{label} has shape {shape}, expected [{rows}, *]")
