"""Controlled ablations: one axis varied around fixed anchor configurations, under several seeds, everything else
equal.

An ablation of axis ``A`` of study ``S`` is itself a study, ``S--ablate-A``, in ``S``'s storage (its journal, or
its database). It records ``ablation_of`` (``S``) and ``ablation`` (axis, choices, anchors, seeds) and holds one
trial per variant (anchor x choice x seed), each enqueued with its fixed spec (``VARIANT_SPEC_ATTR``) and its place
(``VARIANT_ATTR``). It runs, resumes, fails and retries like any study: workers claim its trials under the same
budget lock, nothing is pruned, and a variant equal to a stored trial of ``S`` or of the ablation (same spec and
seed) is copied from it (``REUSED_ATTR``) instead of trained again. Running the same command again trains only the
variants that are missing (a variant stopped by Ctrl-C is queued again); asking for more anchors or seeds adds them.

Anchors: ``top:K``, the K best completed configurations of ``S`` by validation Recall@20 on which the axis acts;
``random:N``, N draws of ``S``'s space by a random sampler seeded by ``S``'s seed (the same N draws every time, and
``random:M`` with M > N extends them). Seeds: an anchor's own seed, then the next ``seeds - 1`` integers.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import optuna
import torch
from optuna.trial import TrialState

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError
from mmsearch.eval.metrics import PRIMARY_METRIC
from mmsearch.registry import Registry
from mmsearch.search.ablation import AblationAxis, parse_axis
from mmsearch.search.space import InactiveDraw, SearchSpace
from mmsearch.search.spec import TrialSpec

from .leaderboard import config_key
from .retry import RETRY_ATTR
from .runner import RunOptions, run_trials, study_claim_lock
from .settings import SEARCH_ATTR, StudySettings, bind_study, read_settings, record_settings, stored_space
from .storage import open_storage, study_dir
from .trial_attrs import INTERRUPTED, ORIGIN_ATTRS, REUSED_ATTR, VARIANT_ATTR, VARIANT_SPEC_ATTR

ABLATION_OF_ATTR = "ablation_of"
ABLATION_ATTR = "ablation"
ANCHOR_RULE = re.compile(r"^(top|random):([1-9][0-9]*)$")
MAX_DRAWS_PER_ANCHOR = 200


@dataclass(frozen=True)
class Variant:
    """One training of an ablation: the anchor it varies (``<study>#<trial>`` or ``random:<i>``), the choice, the
    seed and the spec that results."""

    anchor: str
    choice: str
    seed: int
    spec: TrialSpec

    def key(self) -> tuple[str, str, int]:
        return self.anchor, self.choice, self.seed


@dataclass(frozen=True)
class AblationPlan:
    """What an ablation trains.

    Attributes:
        parent: the study ablated.
        name: the ablation study's name.
        axis: the varied axis.
        anchors: anchor name -> its spec.
        seeds: seeds per variant.
        variants: anchors x choices x seeds, in that order.
        seconds_per_training: the mean duration of the anchor trials, or for random anchors the median duration of
            the parent's completed trials (None without one), for the time estimate.
        estimate_basis: which of the two ``seconds_per_training`` is, in words.
    """

    parent: str
    name: str
    axis: AblationAxis
    anchors: dict[str, TrialSpec]
    seeds: int
    variants: tuple[Variant, ...]
    seconds_per_training: float | None
    estimate_basis: str


@dataclass(frozen=True)
class AblationProgress:
    """Where an ablation stands before it runs: variants already finished, copied from equal stored trials (this
    time), and left to train."""

    finished: int
    reused: int
    to_train: int


def ablation_name(parent: str, axis: str) -> str:
    """The name of the study that holds the ablation of ``axis`` of study ``parent``."""
    return f"{parent}--ablate-{axis}"


def anchor_name(parent: str, number: int) -> str:
    """The name of the anchor that is trial ``number`` of study ``parent`` (``parent#number``)."""
    return f"{parent}#{number}"


def plan_ablation(
    parent: optuna.Study,
    space: SearchSpace,
    registry: Registry,
    axis_name: str,
    anchors: str,
    seeds: int,
    values: Sequence[str] = (),
) -> AblationPlan:
    """The variants of an ablation of ``axis_name`` around ``anchors`` (``top:K`` or ``random:N``) of ``parent``.

    Args:
        parent: the study (loaded), whose resolved ``space`` (for its dataset) is given.
        space: ``parent``'s space, resolved for the dataset.
        registry: the plugin registry.
        axis_name: see ``mmsearch.search.ablation``.
        anchors: ``top:K`` or ``random:N``.
        seeds: seeds per variant (at least 1).
        values: replaces the compared values of a parameter axis.

    Raises:
        MMSearchError: a malformed ``anchors``, ``seeds`` < 1, or fewer anchors on which the axis acts than asked
            for (the message says how many there are).
        SpaceError: an unknown axis or value.
    """
    match = ANCHOR_RULE.match(anchors)
    if match is None:
        raise MMSearchError(f"--anchors must be top:K or random:N with a positive count, got '{anchors}'")
    if seeds < 1:
        raise MMSearchError(f"--seeds must be at least 1, got {seeds}")
    axis = parse_axis(axis_name, space, tuple(values))
    how, count = match.group(1), int(match.group(2))
    seed = int(parent.user_attrs.get(SEARCH_ATTR, {}).get("seed", 0))
    chosen = _top_anchors(parent, space, axis, count) if how == "top" else _random_anchors(space, axis, count, seed)
    variants = tuple(
        Variant(anchor, choice, spec.seed + offset, axis.variant(spec, choice, space, registry, spec.seed + offset))
        for anchor, spec in chosen.items()
        for choice in axis.choices
        for offset in range(seeds)
    )
    name = ablation_name(parent.study_name, axis_name)
    return AblationPlan(parent.study_name, name, axis, chosen, seeds, variants, *_seconds_per_training(parent, chosen))


def _seconds_per_training(parent: optuna.Study, anchors: dict[str, TrialSpec]) -> tuple[float | None, str]:
    """The mean training time of the anchors where all are timed trials of ``parent`` (every anchor has as many
    variants), else the median over its completed trials (random anchors; None without one), and which it is."""
    durations = {
        anchor_name(parent.study_name, trial.number): trial.duration.total_seconds()
        for trial in parent.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if trial.duration is not None and REUSED_ATTR not in trial.user_attrs
    }
    timed = [durations[name] for name in anchors if name in durations]
    if timed and len(timed) == len(anchors):
        return statistics.fmean(timed), "anchor trials' mean time"
    return (statistics.median(durations.values()) if durations else None), "study's median trial time"


def _top_anchors(parent: optuna.Study, space: SearchSpace, axis: AblationAxis, count: int) -> dict[str, TrialSpec]:
    """The ``count`` best completed configurations of ``parent`` (one trial each) on which ``axis`` acts."""
    completed = [
        trial
        for trial in parent.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if "spec" in trial.user_attrs and PRIMARY_METRIC in trial.user_attrs.get("valid", {})
    ]
    completed.sort(key=lambda trial: (-trial.user_attrs["valid"][PRIMARY_METRIC], trial.number))
    anchors: dict[str, TrialSpec] = {}
    configs: set[str] = set()
    for trial in completed:
        spec = TrialSpec.from_dict(trial.user_attrs["spec"])
        config = config_key(trial.user_attrs["spec"])
        if config in configs or not axis.applies(spec, space):
            continue
        configs.add(config)
        anchors[anchor_name(parent.study_name, trial.number)] = spec
        if len(anchors) == count:
            return anchors
    raise MMSearchError(
        f"study '{parent.study_name}' has {len(anchors)} completed configuration(s) on which '{axis.name}' acts, "
        f"fewer than top:{count}; ask for fewer anchors, use random:{count}, or run more trials"
    )


def _random_anchors(space: SearchSpace, axis: AblationAxis, count: int, seed: int) -> dict[str, TrialSpec]:
    """``count`` random draws of ``space`` on which ``axis`` acts (the same draws for the same ``seed``)."""
    draws = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    anchors: dict[str, TrialSpec] = {}
    for _ in range(MAX_DRAWS_PER_ANCHOR * count):
        trial = draws.ask()
        try:
            spec = space.suggest(trial, seed)
        except InactiveDraw:
            draws.tell(trial, state=TrialState.PRUNED)
            continue
        draws.tell(trial, 0.0)
        if axis.applies(spec, space):
            anchors[f"random:{len(anchors)}"] = spec
            if len(anchors) == count:
                return anchors
    raise MMSearchError(f"no {count} random draws of the space on which '{axis.name}' acts were found")


def open_ablation(
    parent: optuna.Study, plan: AblationPlan, dataset: Dataset, registry: Registry, options: RunOptions
) -> tuple[optuna.Study, SearchSpace, AblationProgress]:
    """Create or load the ablation study in ``parent``'s storage and queue the variants it still lacks.

    ``options`` names the ablation study and the parent's storage. A missing variant equal to a stored trial of the
    parent or of the ablation (same spec, seed included) is copied from it; the others are enqueued. The study's
    budget becomes the number of variants.

    Raises:
        StorageError: the storage cannot be opened, or the data are not the parent's.
    """
    storage = open_storage(options.storage_url, options.run_dir, plan.name, options.workers)
    study = optuna.create_study(study_name=plan.name, storage=storage, direction="maximize", load_if_exists=True)
    space = stored_space(parent, dataset, registry, study_dir(options.run_dir, plan.name))
    bind_study(study, space, dataset, study_dir(options.run_dir, plan.name))
    settings = read_settings(parent)
    record_settings(
        study,
        StudySettings(len(_all_keys(study, plan)), settings.seed, "random", "none", ("recall",), options.memory_cap_mb),
    )
    study.set_user_attr(ABLATION_OF_ATTR, plan.parent)
    study.set_user_attr(
        ABLATION_ATTR,
        {
            "axis": plan.axis.name,
            "choices": list(plan.axis.choices),
            "anchors": sorted(set(study.user_attrs.get(ABLATION_ATTR, {}).get("anchors", [])) | set(plan.anchors)),
            "seeds": max(plan.seeds, study.user_attrs.get(ABLATION_ATTR, {}).get("seeds", 0)),
            "params": "defaults",
        },
    )
    lock = study_claim_lock(storage, options)
    with lock:
        trials = study.get_trials(deepcopy=False)
        present = _present_keys(trials)
        finished = sum(1 for variant in plan.variants if variant.key() in present)
        stored = _stored_by_spec([*parent.get_trials(deepcopy=False), *trials], parent.study_name, plan.name)
        reused = 0
        for variant in plan.variants:
            if variant.key() in present:
                continue
            attrs = {VARIANT_ATTR: _variant_attr(plan, variant), VARIANT_SPEC_ATTR: variant.spec.to_dict()}
            source = stored.get(variant.spec.to_json())
            if source is None:
                study.enqueue_trial({}, user_attrs=attrs)
                continue
            origin, trial = source
            copied = {k: v for k, v in trial.user_attrs.items() if k not in (*ORIGIN_ATTRS, RETRY_ATTR, REUSED_ATTR)}
            study.add_trial(
                optuna.trial.create_trial(
                    state=TrialState.COMPLETE,
                    value=trial.user_attrs["valid"][PRIMARY_METRIC],
                    user_attrs=copied | attrs | {REUSED_ATTR: origin},
                )
            )
            reused += 1
    return study, space, AblationProgress(finished, reused, len(plan.variants) - finished - reused)


def run_ablation(
    study: optuna.Study,
    space: SearchSpace,
    dataset: Dataset,
    registry: Registry,
    device: torch.device,
    options: RunOptions,
) -> None:
    """Train the queued variants of an ablation opened by ``open_ablation`` (several workers: see ``join_study``).

    Raises:
        MMSearchError: a worker process stopped with an error.
    """
    run_trials(study, study_claim_lock(study._storage, options), space, dataset, registry, device, options)


def format_budget(plan: AblationPlan, progress: AblationProgress, workers: int) -> str:
    """One line: anchors x choices x seeds, what is done or reused, what is left and its estimated time."""
    line = (
        f"ablation of '{plan.axis.name}' in study '{plan.parent}' (stored as '{plan.name}'): {len(plan.anchors)} "
        f"anchor(s) x {len(plan.axis.choices)} choices ({', '.join(plan.axis.choices)}) x {plan.seeds} seed(s) = "
        f"{len(plan.variants)} trainings; {progress.finished} finished earlier, {progress.reused} copied from equal "
        f"stored trials, {progress.to_train} to train"
    )
    if progress.to_train == 0:
        return line
    if plan.seconds_per_training is None:
        return line + "; no completed trial of the study to estimate the time from"
    seconds = plan.seconds_per_training * progress.to_train / max(1, min(workers, progress.to_train))
    return (
        f"{line}; about {_duration(seconds)} with {workers} worker(s) ({plan.seconds_per_training:.0f} s per "
        f"training, from the {plan.estimate_basis})"
    )


def ablation_studies(storage: optuna.storages.BaseStorage, parent: str) -> list[str]:
    """Names of the ablation studies of ``parent`` in ``storage``, sorted."""
    summaries = optuna.get_all_study_summaries(storage, include_best_trial=False)
    return sorted(s.study_name for s in summaries if s.user_attrs.get(ABLATION_OF_ATTR) == parent)


def _variant_attr(plan: AblationPlan, variant: Variant) -> dict[str, object]:
    return {"axis": plan.axis.name, "anchor": variant.anchor, "choice": variant.choice, "seed": variant.seed}


def _present_keys(trials: Sequence[optuna.trial.FrozenTrial]) -> set[tuple[str, str, int]]:
    """Variants that have a trial that counts, runs or waits (not one stopped by Ctrl-C, nor a retried failure)."""
    retried = {trial.user_attrs[RETRY_ATTR] for trial in trials if RETRY_ATTR in trial.user_attrs}
    keys = set()
    for trial in trials:
        variant = trial.user_attrs.get(VARIANT_ATTR)
        if variant is None or trial.user_attrs.get("fail_reason") == INTERRUPTED:
            continue
        if trial.state == TrialState.FAIL and trial.number in retried:
            continue
        keys.add((variant["anchor"], variant["choice"], int(variant["seed"])))
    return keys


def _all_keys(study: optuna.Study, plan: AblationPlan) -> set[tuple[str, str, int]]:
    """The variants of this plan and of earlier runs of the ablation (its budget counts them all)."""
    return _present_keys(study.get_trials(deepcopy=False)) | {variant.key() for variant in plan.variants}


def _stored_by_spec(
    trials: Sequence[optuna.trial.FrozenTrial], parent: str, ablation: str
) -> dict[str, tuple[str, optuna.trial.FrozenTrial]]:
    """Completed trials with their metrics and per-user vectors, by the JSON of their spec (seed included)."""
    found: dict[str, tuple[str, optuna.trial.FrozenTrial]] = {}
    for trial in trials:
        attrs = trial.user_attrs
        if trial.state != TrialState.COMPLETE or "spec" not in attrs or "per_user" not in attrs:
            continue
        origin = attrs.get(REUSED_ATTR) or f"{parent if VARIANT_ATTR not in attrs else ablation}#{trial.number}"
        found.setdefault(json.dumps(attrs["spec"], sort_keys=True), (origin, trial))
    return found


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{seconds:.0f} s" if minutes < 1 else f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"
