"""Faults inside a study: each failing trial ends FAILED with its reason, and the study completes its budget."""

import sys
import textwrap
from importlib.metadata import EntryPoint

import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmsearch.errors import MemoryCapError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, counted_trials, open_storage, run_study
from mmsearch.testing import tiny_dataset
from mmsearch.train.memory import MemoryCap, PeakMemory

CPU = torch.device("cpu")
MODULE = "faulty_losses"
LOSSES = textwrap.dedent(
    """
    import torch
    from torch import nn
    from torch.nn import functional
    from mmsearch.components import Loss
    from mmsearch.search.params import ChoiceParam


    class _BPR(nn.Module):
        def forward(self, pos, neg):
            return -functional.logsigmoid(pos - neg).mean()


    class _Raising(nn.Module):
        def forward(self, pos, neg):
            raise RuntimeError("boom in a third-party loss")


    class _OutOfMemory(nn.Module):
        def forward(self, pos, neg):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 4.00 GiB")


    class _NaN(_BPR):
        def forward(self, pos, neg):
            return super().forward(pos, neg) * float("nan")


    class _Hungry(_BPR):
        def __init__(self, mb, explode):
            super().__init__()
            self.register_buffer("ballast", torch.ones(mb * 2**18))  # float32: mb MiB, every page touched
            self.explode = explode

        def forward(self, pos, neg):
            if self.explode:
                raise RuntimeError("boom while holding memory")
            return super().forward(pos, neg)


    class RaisingLoss(Loss):
        name = "raising"

        def build(self, ctx):
            return _Raising()


    class OutOfMemoryLoss(Loss):
        name = "oom"

        def build(self, ctx):
            return _OutOfMemory()


    class NaNLoss(Loss):
        name = "nan"

        def build(self, ctx):
            return _NaN()


    class HungryLoss(Loss):
        name = "hungry"

        def __init__(self, *, mb: int = 64, explode: bool = False):
            self.mb, self.explode = mb, explode

        @classmethod
        def search_space(cls):
            return {"explode": ChoiceParam((False, True))}

        def build(self, ctx):
            return _Hungry(self.mb, self.explode)
    """
)


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """The installed plugins plus third-party-like losses: ``raising``, ``oom``, ``nan`` and ``hungry``."""
    (tmp_path / f"{MODULE}.py").write_text(LOSSES)
    monkeypatch.syspath_prepend(str(tmp_path))
    targets = {"raising": "RaisingLoss", "oom": "OutOfMemoryLoss", "nan": "NaNLoss", "hungry": "HungryLoss"}
    yield Registry([EntryPoint(name, f"{MODULE}:{cls}", "mmsearch.losses") for name, cls in targets.items()])
    sys.modules.pop(MODULE, None)


def space(registry, losses):
    raw = {
        "name": "faults",
        "axes": {
            "extractor": {"*": {"off": {}}},
            "transform": {"linear": {}},
            "encoder": {"mf": {}},
            "timing": {"early": {}},
            "fusion": {"sum": {}},
            "loss": losses,
        },
        "train": {"embedding_dim": 8, "lr": 0.01, "max_epochs": 2, "batch_size": 128, "patience": 2},
    }
    return parse_space(raw, registry)


def run(tmp_path, registry, losses, enqueued, n_trials, **changes):
    """Run a study whose first trials take the ``enqueued`` parameters."""
    study = optuna.create_study(study_name="s", storage=open_storage(None, tmp_path, "s"), direction="maximize")
    for params in enqueued:
        study.enqueue_trial(params)
    options = RunOptions("s", None, tmp_path, n_trials, show_progress=False, **changes)
    return run_study(tiny_dataset(), space(registry, losses), registry, CPU, options)


def test_raising_oom_nan_and_memory_hungry_trials_fail_with_their_reason_and_the_budget_is_reached(tmp_path, registry):
    losses = {"bpr": {}, "raising": {}, "oom": {}, "nan": {}, "hungry": {"mb": 256, "explode": False}}
    enqueued = [{"loss": name} for name in ("raising", "oom", "nan", "hungry", "bpr")]
    study = run(tmp_path, registry, losses, enqueued, n_trials=5, memory_cap_mb=128)
    assert counted_trials(study) == 5 and len(study.trials) == 5
    assert [trial.state for trial in study.trials] == [TrialState.FAIL] * 4 + [TrialState.COMPLETE]
    reasons = [trial.user_attrs.get("fail_reason") for trial in study.trials]
    assert reasons[0] == "RuntimeError: boom in a third-party loss"
    assert reasons[1] == "TrialFailure: out of memory on cpu: CUDA out of memory. Tried to allocate 4.00 GiB"
    assert reasons[2] == "TrialFailure: loss became nan at epoch 1, batch 1"
    assert reasons[3].startswith("TrialFailure: memory cap exceeded at epoch 1, batch 1: used ")
    used = float(reasons[3].split("used ")[1].split(" MiB")[0])
    assert used > 128 and "allowed 128 MiB (resident-set growth)" in reasons[3]
    assert reasons[4] is None and study.trials[4].user_attrs["valid"]["recall@20"] >= 0


def test_memory_of_completed_and_failed_trials_is_released(tmp_path, registry):
    ok, failing = {"loss": "hungry", "loss.hungry.explode": False}, {"loss": "hungry", "loss.hungry.explode": True}
    enqueued = [ok, failing, ok, failing, ok]
    study = run(tmp_path, registry, {"hungry": {"mb": 64}}, enqueued, n_trials=5)
    failed = [t for t in study.trials if t.state == TrialState.FAIL]
    assert [t.user_attrs["fail_reason"] for t in failed] == ["RuntimeError: boom while holding memory"] * 2
    peaks = [t.user_attrs["peak_memory_mb"] for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(peaks) == 3
    assert max(peaks[1:]) < peaks[0] + 32  # a trial's 64 MiB left behind would lift every later peak


def test_memory_cap_reports_the_measured_and_allowed_figures():
    with PeakMemory(CPU) as meter:
        cap = MemoryCap(meter, limit_mb=16)
        cap.check("epoch 1, batch 1")
        ballast = torch.ones(32 * 2**18)
        with pytest.raises(MemoryCapError, match=r"at epoch 2, batch 3: used \d+\.\d MiB, allowed 16 MiB"):
            cap.check("epoch 2, batch 3")
        del ballast
