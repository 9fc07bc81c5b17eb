"""The Optuna objective: suggest a spec, train it, store everything the trial produced."""

from __future__ import annotations

from dataclasses import dataclass

import optuna
import torch
from optuna.trial import TrialState

from mmsearch.data.dataset import Dataset
from mmsearch.errors import TrialFailure
from mmsearch.eval import EvalResult
from mmsearch.eval.metrics import PRIMARY_METRIC
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry
from mmsearch.search.space import InactiveDraw, SearchSpace
from mmsearch.search.spec import TrialSpec
from mmsearch.search.warm_start import preset_spec
from mmsearch.train.trainer import EpochReport

from .artifacts import ModelStore
from .execute import execute_spec
from .objectives import DEFAULT_OBJECTIVES, OBJECTIVE_COLUMNS, OBJECTIVE_SLICES
from .progress import Progress
from .provenance import package_versions, plugin_origins
from .termination import termination_reason
from .trial_attrs import IN_SPACE_ATTR, INTERRUPTED, PRESET_ATTR, VARIANT_ATTR, VARIANT_SPEC_ATTR
from .vectors import encode_array

STORED_PER_USER = ("recall@20", "ndcg@20")


@dataclass
class Objective:
    """Callable objective; returns its one objective (validation Recall@20 by default, overall or on a slice; test
    metrics are stored, never returned), or with several ``objectives`` one value per objective in their order
    (``objectives.OBJECTIVES``). Early stopping picks the best epoch by overall validation Recall@20 in every case.

    User attributes of each trial: ``spec``, ``label``, ``worker``, ``device``, ``seed``, ``versions``, ``plugins``,
    ``curve``; on completion ``valid``, ``test``, ``best_epoch``, ``epochs_run``, ``train_seconds``,
    ``eval_seconds``, ``extract_seconds``, ``peak_memory_mb``, ``per_user``, ``slices`` (``slice_summaries``),
    ``fusion_weights``; on failure ``fail_reason`` (see ``failure_reason``); when pruned ``prune_reason``.

    A single-objective trial reports each validation evaluation of its objective to the study's pruner; a
    multi-objective one (Optuna prunes none) is stopped by ``termination.termination_reason`` against the curves of
    the completed trials. ``memory_cap_mb`` fails a trial that uses more memory (``PeakMemory.used_mb``);
    ``models``, when set, keeps the learned state of the best trials.
    """

    space: SearchSpace
    dataset: Dataset
    registry: Registry
    device: torch.device
    seed: int
    cache: FeatureCache
    progress: Progress
    memory_cap_mb: float | None = None
    models: ModelStore | None = None
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, ...]:
        try:
            spec = self._spec(trial)
        except InactiveDraw as pruned:
            trial.set_user_attr("prune_reason", str(pruned))
            self.progress.trial_finished(trial.number, "pruned", str(pruned))
            raise
        for key, value in {
            "spec": spec.to_dict(),
            "label": self._label(trial, spec),
            "device": str(self.device),
            "seed": spec.seed,
            "versions": package_versions(),
            "plugins": plugin_origins(spec, self.registry, trial.user_attrs.get(PRESET_ATTR)),
        }.items():
            trial.set_user_attr(key, value)
        self.progress.trial_started(trial.number, self._label(trial, spec), spec.train.max_epochs)
        curve: list[dict[str, float]] = []

        def on_evaluation(report: EpochReport) -> None:
            curve.append(report.to_dict())
            self.progress.evaluation(report)
            if len(self.objectives) > 1:
                completed = trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                reason = termination_reason(curve, [other.user_attrs.get("curve", []) for other in completed])
                if reason is not None:
                    raise optuna.TrialPruned(reason)
                return
            trial.report(report.to_dict()[OBJECTIVE_COLUMNS[self.objectives[0]]], report.epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at epoch {report.epoch}")

        try:
            outcome = execute_spec(
                spec,
                self.dataset,
                self.registry,
                self.device,
                self.cache,
                on_evaluation,
                self.memory_cap_mb,
                keep_best_state=self.models is not None,
            )
        except optuna.TrialPruned as pruned:
            trial.set_user_attr("curve", curve)
            trial.set_user_attr("prune_reason", str(pruned))
            self.progress.trial_finished(trial.number, "pruned", f"after {len(curve)} evaluations")
            raise
        except (Exception, KeyboardInterrupt) as error:
            reason = failure_reason(error)
            trial.set_user_attr("curve", curve)
            trial.set_user_attr("fail_reason", reason[:2000])
            self.progress.trial_finished(trial.number, "failed", reason.splitlines()[0][:200] if reason else "")
            raise
        result = outcome.result
        for key, value in {
            "curve": result.curve,
            "valid": result.valid.metrics,
            "test": result.test.metrics,
            "best_epoch": result.best_epoch,
            "epochs_run": result.epochs_run,
            "train_seconds": result.train_seconds,
            "eval_seconds": result.eval_seconds,
            "extract_seconds": outcome.extract_seconds,
            "peak_memory_mb": outcome.peak_memory_mb,
            "per_user": per_user_vectors(result.valid, result.test),
            "slices": slice_summaries(result.valid, result.test),
            "fusion_weights": outcome.fusion_weights,
        }.items():
            trial.set_user_attr(key, value)
        value = result.valid.metrics[PRIMARY_METRIC]
        measures = {
            "recall": value,
            **{name: result.valid.slices[piece].metrics[PRIMARY_METRIC] for name, piece in OBJECTIVE_SLICES.items()},
            "time": result.train_seconds,
            "memory": outcome.peak_memory_mb,
        }
        if self.models is not None and result.best_state is not None:
            self.models.offer(trial.study, trial.number, value, spec, result.best_state)
        self.progress.trial_finished(
            trial.number,
            "complete",
            f"valid {PRIMARY_METRIC} {value:.4f}  test {result.test.metrics[PRIMARY_METRIC]:.4f}  "
            f"best epoch {result.best_epoch}/{result.epochs_run}",
        )
        if len(self.objectives) == 1:
            return measures[self.objectives[0]]
        return tuple(measures[name] for name in self.objectives)

    @staticmethod
    def _label(trial: optuna.Trial, spec: TrialSpec) -> str:
        preset, variant = trial.user_attrs.get(PRESET_ATTR), trial.user_attrs.get(VARIANT_ATTR)
        if variant is not None:
            return (
                f"[{variant['axis']}={variant['choice']} @ {variant['anchor']}, seed {variant['seed']}] {spec.label()}"
            )
        return spec.label() if preset is None else f"[{preset}] {spec.label()}"

    def _spec(self, trial: optuna.Trial) -> TrialSpec:
        """A sampled spec; for a baseline trial the preset's, drawn through the space (recording its parameters) when
        it was enqueued with them (``IN_SPACE_ATTR``); for an ablation variant the spec it was enqueued with."""
        if VARIANT_SPEC_ATTR in trial.user_attrs:
            return TrialSpec.from_dict(trial.user_attrs[VARIANT_SPEC_ATTR])
        name = trial.user_attrs.get(PRESET_ATTR)
        if name is None or trial.user_attrs.get(IN_SPACE_ATTR):
            return self.space.suggest(trial, self.seed)
        preset = {preset.name: preset for preset in self.space.baselines}[name]
        return preset_spec(preset, self.space, self.dataset, self.registry, self.seed)


def failure_reason(error: BaseException) -> str:
    """The stored reason of a failed trial: ``interrupted`` for Ctrl-C; ``TrialFailure: <message>`` for the failures
    of training itself (NaN/inf loss, memory cap, out of memory); ``<type>: <message>`` for any other error.
    """
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED
    kind = TrialFailure.__name__ if isinstance(error, TrialFailure) else type(error).__name__
    return f"{kind}: {error}"


def per_user_vectors(valid: EvalResult, test: EvalResult) -> dict[str, str]:
    """Encoded per-user vectors (user ids and ``STORED_PER_USER`` metrics) of both splits and of their slices, for
    paired tests: keys ``<split>_users``, ``<split>_<metric>``, ``<split>_<slice>_users``, ``<split>_<slice>_<metric>``.
    """
    vectors = {}
    for split, result in (("valid", valid), ("test", test)):
        for prefix, part in ((split, result), *((f"{split}_{name}", piece) for name, piece in result.slices.items())):
            vectors[f"{prefix}_users"] = encode_array(part.users.astype("int32"))
            for metric in STORED_PER_USER:
                vectors[f"{prefix}_{metric}"] = encode_array(part.per_user[metric].astype("float32"))
    return vectors


def slice_summaries(valid: EvalResult, test: EvalResult) -> dict[str, dict[str, dict[str, float]]]:
    """split -> slice name -> ``STORED_PER_USER`` metrics (NaN for an empty slice) with the counts behind them,
    ``users`` and ``interactions``."""
    return {
        split: {
            name: {
                **{metric: piece.metrics[metric] for metric in STORED_PER_USER},
                "users": len(piece.users),
                "interactions": piece.interactions,
            }  # fmt: skip
            for name, piece in result.slices.items()
        }
        for split, result in (("valid", valid), ("test", test))
    }
