"""Trains a ``Recommender`` under the fixed protocol: validation-driven early stopping, test at the best epoch."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from mmsearch.components import EpochResampled, TrainingBatch
from mmsearch.data.dataset import Dataset
from mmsearch.errors import NonFiniteLossError
from mmsearch.eval import EarlyStopping, EvalResult, Evaluator, score_by_dot
from mmsearch.eval.metrics import PRIMARY_METRIC
from mmsearch.eval.slices import dataset_slices
from mmsearch.model.objective import TrainingObjective
from mmsearch.model.recommender import Recommender
from mmsearch.search.spec import TrainConfig

from .allocator import keep_freed_memory
from .memory import MemoryCap
from .sampler import NegativeSampler


@dataclass(frozen=True)
class EpochReport:
    """One validation evaluation, as handed to ``on_evaluation`` callbacks and stored in the curve; ``valid`` holds
    the split's metrics and each slice's Recall@20 (``<slice>_recall@20``, NaN for a slice without interactions)."""

    epoch: int
    loss: float
    valid: dict[str, float]
    best_epoch: int
    elapsed: float

    def to_dict(self) -> dict[str, float]:
        return {
            "epoch": self.epoch,
            "loss": self.loss,
            **{f"valid_{name}": value for name, value in self.valid.items()},
            "seconds": self.elapsed,
        }


@dataclass(frozen=True)
class TrainResult:
    """Outcome of one training run.

    Attributes:
        best_epoch: epoch of the best validation Recall@20.
        epochs_run: epochs trained before stopping.
        valid, test: evaluations at the best epoch (test never influenced any decision).
        curve: one ``EpochReport.to_dict()`` per validation evaluation.
        train_seconds, eval_seconds: wall time spent in optimisation steps and in evaluations.
        best_state: ``learned_state`` of the model at the best epoch (CPU tensors), when asked for; else None.
        best_fusion_weights: ``model.fusion_weights()`` at the best epoch (empty without weighted fusions).
    """

    best_epoch: int
    epochs_run: int
    valid: EvalResult
    test: EvalResult
    curve: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    best_state: dict[str, torch.Tensor] | None = None
    best_fusion_weights: dict[str, dict[str, float]] = field(default_factory=dict)


def train_and_evaluate(
    model: Recommender,
    objective: TrainingObjective,
    dataset: Dataset,
    config: TrainConfig,
    device: torch.device,
    seed: int,
    on_evaluation: Callable[[EpochReport], None] | None = None,
    memory_cap: MemoryCap | None = None,
    keep_best_state: bool = False,
) -> TrainResult:
    """Train with Adam on sampled triples; evaluate on validation every ``config.eval_every`` epochs.

    The test split is evaluated only when validation Recall@20 reaches a new best, so the reported test metrics are
    those of the best-validation epoch. ``on_evaluation`` may raise (e.g. ``optuna.TrialPruned``) to stop early.
    ``memory_cap`` is checked after every batch and every evaluation. With ``keep_best_state`` a CPU copy of the
    model's learned state is taken at each new best (memory: one extra copy of the parameters); the learned fusion
    view weights are always taken there. The process's allocator keeps freed memory for reuse from then on
    (``keep_freed_memory``).

    Raises:
        NonFiniteLossError: a batch's loss became NaN or infinite.
        MemoryCapError: the trial used more memory than ``memory_cap`` allows.
    """
    keep_freed_memory()
    torch.manual_seed(seed)
    sampler = NegativeSampler(dataset.train, config.negatives, seed, config.negative_pool)
    slices = dataset_slices(dataset)
    valid_evaluator = Evaluator(dataset.train, dataset.valid, device=device, slices=slices)
    test_evaluator = Evaluator(dataset.train, dataset.test, device=device, slices=slices)
    optimizer = make_optimizer([model, objective], config)
    stopping = EarlyStopping(patience=config.patience, metric=PRIMARY_METRIC)
    curve: list[dict[str, float]] = []
    best_valid = best_test = best_state = None
    best_fusion_weights: dict[str, dict[str, float]] = {}
    train_seconds = eval_seconds = 0.0
    started = time.perf_counter()
    epoch = 0
    for epoch in range(1, config.max_epochs + 1):
        tick = time.perf_counter()
        loss = train_epoch(model, objective, sampler, optimizer, config, device, epoch, memory_cap)
        train_seconds += time.perf_counter() - tick
        if epoch % config.eval_every and epoch != config.max_epochs:
            continue
        tick = time.perf_counter()
        scores = score_all(model)
        valid = valid_evaluator.evaluate(scores)
        if stopping.update(epoch, valid):
            best_valid, best_test = valid, test_evaluator.evaluate(scores)
            best_state = learned_state(model) if keep_best_state else None
            best_fusion_weights = model.fusion_weights()
        eval_seconds += time.perf_counter() - tick
        if memory_cap is not None:
            memory_cap.check(f"epoch {epoch}, evaluation")
        measured = valid.metrics | {
            f"{name}_{PRIMARY_METRIC}": part.metrics[PRIMARY_METRIC] for name, part in valid.slices.items()
        }
        report = EpochReport(epoch, loss, measured, stopping.best_step, time.perf_counter() - started)
        curve.append(report.to_dict())
        if on_evaluation is not None:
            on_evaluation(report)
        if stopping.should_stop:
            break
    assert best_valid is not None and best_test is not None  # the last epoch is always evaluated
    return TrainResult(
        stopping.best_step,
        epoch,
        best_valid,
        best_test,
        curve,
        train_seconds,
        eval_seconds,
        best_state,
        best_fusion_weights,
    )


def make_optimizer(modules: list[nn.Module], config: TrainConfig) -> torch.optim.Optimizer:
    """Adam at ``config.lr`` over the modules' parameters; the fused kernel (same update, fewer memory passes)."""
    parameters = [parameter for module in modules for parameter in module.parameters()]
    return torch.optim.Adam(parameters, lr=config.lr, fused=True)


def train_epoch(
    model: Recommender,
    objective: TrainingObjective,
    sampler: NegativeSampler,
    optimizer: torch.optim.Optimizer,
    config: TrainConfig,
    device: torch.device,
    epoch: int = 1,
    memory_cap: MemoryCap | None = None,
) -> float:
    """One pass over all training positives (epoch number ``epoch``, for messages); returns the mean batch loss.

    Every ``EpochResampled`` submodule of the model and the objective draws its epoch structure first.

    Raises:
        NonFiniteLossError: a batch's loss is NaN or infinite (found before its update is applied).
        MemoryCapError: ``memory_cap`` was passed (checked after every batch).
    """
    model.train()
    objective.train()
    for module in [*model.modules(), *objective.modules()]:
        if isinstance(module, EpochResampled):
            module.new_epoch()
    total, batches = 0.0, 0
    for batches, (users, positives, negatives) in enumerate(sampler.epoch(config.batch_size, device), start=1):
        representations = model()
        loss = objective(representations, TrainingBatch(users, positives, negatives))
        if config.reg_weight and config.reg_target == "final":
            loss = loss + config.reg_weight * representations.l2_penalty(users, positives, negatives)
        elif config.reg_weight:
            views = representations if config.reg_modal_views else None
            loss = loss + config.reg_weight * model.l2_penalty(users, positives, negatives, views)
        value = loss.item()
        if not math.isfinite(value):
            raise NonFiniteLossError(f"loss became {value} at epoch {epoch}, batch {batches}")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += value
        if memory_cap is not None:
            memory_cap.check(f"epoch {epoch}, batch {batches}")
    return total / max(batches, 1)


def learned_state(model: Recommender) -> dict[str, torch.Tensor]:
    """CPU copy of ``model.state_dict()`` without the model's own buffers (its input features, rebuilt from data)."""
    inputs = {name for name, _ in model.named_buffers(recurse=False)}
    return {
        name: tensor.detach().to("cpu", copy=True) for name, tensor in model.state_dict().items() if name not in inputs
    }


def score_all(model: Recommender) -> Callable[[torch.Tensor], torch.Tensor]:
    """Scores of all items for a batch of users, from one no-grad forward pass."""
    model.eval()
    with torch.no_grad():
        representations = model()
    return score_by_dot(representations.users, representations.items)
