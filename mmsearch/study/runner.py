"""Creates, resumes or joins a study and runs its trials, in this process or in several worker processes, until
the trial budget or the timeout is reached."""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import optuna
import torch

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError, StorageError
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry
from mmsearch.search.space import SearchSpace
from mmsearch.search.warm_start import point_params, preset_spec
from mmsearch.train.device import resolve_device

from .artifacts import ModelStore, models_dir
from .budget import counted_trials
from .claim import ClaimLock, claim_lock
from .objective import Objective
from .objectives import DEFAULT_OBJECTIVES, check_measurable, directions, objective_names
from .progress import Progress
from .reaper import fail_dead_trials
from .settings import StudySettings, bind_study, check_objectives, read_settings, record_settings, stored_space
from .storage import journal_path, open_storage, study_dir
from .trial_attrs import IN_SPACE_ATTR, PRESET_ATTR
from .worker import work
from .workers import PrefixedStream, run_processes

PRUNERS = ("none", "median", "hyperband")
SAMPLERS = ("tpe", "random", "bruteforce", "gp")
GP_MULTI_OBJECTIVE = tuple(int(part) for part in optuna.__version__.split(".")[:2]) >= (4, 4)
"""Whether the installed Optuna's GP sampler handles several objectives (added in Optuna 4.4)."""


@dataclass(frozen=True)
class RunOptions:
    """How to run a study.

    Attributes:
        study_name: study to create or resume.
        storage_url: None for the journal file in ``run_dir``; else a journal path or database URL.
        run_dir: base folder for local study files (journal, resolved space, feature cache).
        n_trials: total budget of finished trials in the study, counting those of earlier runs.
        timeout: seconds after which no new trial starts (None: no limit).
        seed: seed of every trial's model and of the sampler.
        pruner: ``none``, ``median`` or ``hyperband`` (on epoch-level validation Recall@20); only ``none`` with
            several objectives, whose trials ``termination.termination_reason`` stops instead.
        sampler: ``tpe`` (multivariate, grouped, constant liar), ``random``, ``bruteforce`` (every combination of a
            discrete space, each once) or ``gp`` (Gaussian process).
        objectives: ``recall``, ``cold_recall`` and/or ``tail_recall``, with or without ``time`` and/or ``memory``
            (``objectives.OBJECTIVES``); fixed when the study is created.
        show_progress: print trial and epoch progress to stderr.
        memory_cap_mb: fail a trial whose memory passes this many MiB (allocator peak on CUDA, RSS growth on CPU).
        keep_models: keep the best-epoch weights of this many best trials under ``<study>/models`` (0: none).
        workers: worker processes that run trials at once (1: trials run in this process).
        devices: device of each worker in turn, e.g. ``("cuda:0", "cuda:1")`` (empty: the ``device`` argument).
    """

    study_name: str
    storage_url: str | None
    run_dir: Path
    n_trials: int
    timeout: float | None = None
    seed: int = 0
    pruner: str = "none"
    sampler: str = "tpe"
    show_progress: bool = True
    memory_cap_mb: float | None = None
    keep_models: int = 0
    workers: int = 1
    devices: tuple[str, ...] = ()
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES


def run_study(
    dataset: Dataset, space: SearchSpace, registry: Registry, device: torch.device, options: RunOptions
) -> optuna.Study:
    """Run (or resume) the study until ``options.n_trials`` trials count; returns it.

    The study records its resolved space, dataset, budget, seed, sampler, pruner and objectives, so that
    ``join_study`` can add workers from other hosts. With ``options.workers`` > 1 the trials run in that many
    processes (see ``join_study``). ``KeyboardInterrupt`` propagates after the running trials are recorded.

    Raises:
        StorageError: the storage cannot be opened (SQLite with several workers), or the study exists with another
            space, dataset or objectives.
        MMSearchError: bad objectives, a pruner or sampler that does not support several objectives, or a worker
            process stopped with an error (it printed its message).
    """
    options = replace(options, objectives=objective_names(options.objectives))
    _check_multi_objective(options)
    check_measurable(options.objectives, dataset)
    space = space.for_dataset(dataset, registry)
    storage = open_storage(options.storage_url, options.run_dir, options.study_name, options.workers)
    if _exists(storage, options.study_name):
        study = optuna.load_study(study_name=options.study_name, storage=storage)
        check_objectives(study, options.objectives)
    else:
        study = optuna.create_study(
            study_name=options.study_name, storage=storage, directions=directions(options.objectives)
        )
    bind_study(study, space, dataset, study_dir(options.run_dir, options.study_name))
    settings = StudySettings(
        options.n_trials,
        options.seed,
        options.sampler,
        options.pruner,
        options.objectives,
        options.memory_cap_mb,
        options.keep_models,
    )
    record_settings(study, settings)
    fail_dead_trials(study)
    lock = study_claim_lock(storage, options)
    with lock:
        _enqueue_baselines(study, space, dataset, registry, options.seed)
    run_trials(study, lock, space, dataset, registry, device, options)
    return study


def join_study(dataset: Dataset, registry: Registry, device: torch.device, options: RunOptions) -> optuna.Study:
    """Join a study that ``run_study`` created, from any host, and run its trials until its budget is used.

    No space file is needed: the space is rebuilt from the study. ``dataset`` must be the study's (same
    fingerprint). ``options.n_trials`` can only lower the study's stored budget; pass the study's seed, sampler,
    pruner and objectives (``study_settings``). Several workers share the budget: a trial starts only while counted
    finished trials plus running trials of live workers stay below it, and the trials of a worker that dies are
    failed and retried once. With ``options.workers`` > 1, that many processes run, each on the next device of
    ``options.devices`` (default: ``device``) with an equal share of the CPU threads.

    Raises:
        StorageError: no such study, one that records no space or budget, SQLite, or data or objectives other than
            the study's.
        MMSearchError: a worker process stopped with an error (it printed its message).
    """
    study, space, lock = _join(dataset, registry, options)
    run_trials(study, lock, space, dataset, registry, device, options)
    return study


def run_trials(
    study: optuna.Study,
    lock: ClaimLock,
    space: SearchSpace,
    dataset: Dataset,
    registry: Registry,
    device: torch.device,
    options: RunOptions,
) -> None:
    """Run the trials of a bound study (its space and settings recorded) until its budget is used: in this process,
    or in ``options.workers`` processes that join it (see ``join_study``).

    Raises:
        MMSearchError: a worker process stopped with an error (it printed its message).
    """
    if options.workers > 1:
        _run_workers(study, dataset, registry, device, options)
    else:
        _work(study, lock, space, dataset, registry, device, options, sys.stderr)


def study_settings(storage_url: str | None, run_dir: Path, study_name: str) -> StudySettings:
    """The budget, seed, sampler, pruner and objectives stored by ``run_study`` on an existing study, for a worker
    that joins it.

    Raises:
        StorageError: SQLite (it cannot be shared), no such study, or a study that records no settings.
    """
    study, _ = _open_shared(storage_url, run_dir, study_name)
    return read_settings(study)


def _open_shared(
    storage_url: str | None, run_dir: Path, study_name: str
) -> tuple[optuna.Study, optuna.storages.BaseStorage]:
    """An existing study and its storage, opened for several workers (SQLite is refused; nothing is created)."""
    path = journal_path(storage_url, run_dir, study_name)
    missing = StorageError(f"no study '{study_name}' in {path or 'this storage'}; start it with mmsearch run")
    if path is not None and not path.exists():
        raise missing
    storage = open_storage(storage_url, run_dir, study_name, workers=2)
    if not _exists(storage, study_name):
        raise missing
    return optuna.load_study(study_name=study_name, storage=storage), storage


def _join(dataset: Dataset, registry: Registry, options: RunOptions) -> tuple[optuna.Study, SearchSpace, ClaimLock]:
    """The existing study, its stored space checked against ``dataset``, and its claim lock."""
    study, storage = _open_shared(options.storage_url, options.run_dir, options.study_name)
    check_objectives(study, options.objectives)
    space = stored_space(study, dataset, registry, study_dir(options.run_dir, options.study_name))
    return study, space, study_claim_lock(storage, options)


def study_claim_lock(storage: optuna.storages.BaseStorage, options: RunOptions) -> ClaimLock:
    """The lock under which a worker of the study ``options`` names claims a trial."""
    path = journal_path(options.storage_url, options.run_dir, options.study_name)
    return claim_lock(storage, path, options.study_name)


def _run_workers(
    study: optuna.Study, dataset: Dataset, registry: Registry, device: torch.device, options: RunOptions
) -> None:
    """Run ``options.workers`` processes that join the study, then fail the trials of any that was killed."""
    devices = options.devices or (str(device),)
    verbosity = optuna.logging.get_verbosity()
    jobs = [
        (index, dataset, registry, devices[index % len(devices)], options, verbosity)
        for index in range(options.workers)
    ]
    codes = run_processes(_worker_process, jobs)
    fail_dead_trials(study)
    failed = [str(index) for index, code in enumerate(codes) if code > 0 and code != 130]
    if failed:
        raise MMSearchError(f"worker {', '.join(failed)} stopped with an error (its message is above)")


def _worker_process(
    index: int, dataset: Dataset, registry: Registry, device: str, options: RunOptions, verbosity: int
) -> None:
    """Entry of one worker process: join the study with a share of the CPU threads; exit 2 on a user error."""
    optuna.logging.set_verbosity(verbosity)
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // options.workers))
    try:
        study, space, lock = _join(dataset, registry, options)
        stream = PrefixedStream(sys.stderr, f"worker {index}: ")
        _work(study, lock, space, dataset, registry, resolve_device(device), replace(options, workers=1), stream)
    except MMSearchError as error:
        print(f"mmsearch: error: worker {index}: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


def _work(
    study: optuna.Study,
    lock: ClaimLock,
    space: SearchSpace,
    dataset: Dataset,
    registry: Registry,
    device: torch.device,
    options: RunOptions,
    stream: TextIO,
) -> None:
    """Run trials in this process (see ``worker.work``), printing progress to ``stream``."""
    study.pruner = _pruner(options.pruner)
    remaining = max(0, options.n_trials - counted_trials(study))
    progress = Progress(remaining, stream, enabled=options.show_progress)
    cache = FeatureCache(study_dir(options.run_dir, options.study_name) / "features")
    models = ModelStore(models_dir(options.run_dir, options.study_name), options.keep_models)
    objective = Objective(
        space,
        dataset,
        registry,
        device,
        options.seed,
        cache,
        progress,
        options.memory_cap_mb,
        models if options.keep_models > 0 else None,
        options.objectives,
    )

    def sampler(started: int) -> optuna.samplers.BaseSampler:
        return make_sampler(options.sampler, options.seed + started)

    work(study, objective, lock, options.n_trials, options.timeout, sampler)


def _exists(storage: optuna.storages.BaseStorage, name: str) -> bool:
    summaries = optuna.get_all_study_summaries(storage, include_best_trial=False)
    return any(summary.study_name == name for summary in summaries)


def _check_multi_objective(options: RunOptions) -> None:
    """Refuse a pruner or sampler that cannot serve several objectives.

    Raises:
        MMSearchError: ``median`` or ``hyperband`` pruning, or ``gp`` on an Optuna older than 4.4, with several
            objectives.
    """
    if len(options.objectives) == 1:
        return
    if options.pruner != "none":
        raise MMSearchError(
            f"--pruner {options.pruner} cannot prune a study with several objectives (Optuna prunes single-objective "
            "studies only); use --pruner none: mmsearch stops poor multi-objective trials by its own rule"
        )
    if options.sampler == "gp" and not GP_MULTI_OBJECTIVE:
        raise MMSearchError(
            f"--sampler gp needs Optuna 4.4 or newer for several objectives (installed: {optuna.__version__}); "
            "use tpe, random or bruteforce"
        )


def _enqueue_baselines(
    study: optuna.Study, space: SearchSpace, dataset: Dataset, registry: Registry, seed: int
) -> None:
    """Enqueue each baseline preset once per study (a preset already in the study, in any state, is not repeated).

    A preset that is a point of the space is enqueued with its parameters, so that the sampler learns from it.
    """
    present = {trial.user_attrs.get(PRESET_ATTR) for trial in study.get_trials(deepcopy=False)}
    for preset in space.baselines:
        if preset.name in present:
            continue
        params = point_params(space, preset_spec(preset, space, dataset, registry, seed), registry)
        attrs = {PRESET_ATTR: preset.name, IN_SPACE_ATTR: params is not None}
        study.enqueue_trial(params or {}, user_attrs=attrs)


def make_sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    """The named sampler, seeded (each trial's sampler gets the seed shifted by the number of trials started before
    it, so no draw repeats across trials, resumed runs or workers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name == "tpe":
            return optuna.samplers.TPESampler(multivariate=True, group=True, constant_liar=True, seed=seed)
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "bruteforce":
            return optuna.samplers.BruteForceSampler(seed=seed)
        if name == "gp":
            return optuna.samplers.GPSampler(seed=seed)
    raise MMSearchError(f"unknown sampler '{name}'; choose one of {', '.join(SAMPLERS)}")


def _pruner(name: str) -> optuna.pruners.BasePruner:
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=5)
    raise MMSearchError(f"unknown pruner '{name}'; choose one of {', '.join(PRUNERS)}")
