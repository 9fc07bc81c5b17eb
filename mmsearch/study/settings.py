"""What a study records about its search, so that every worker, on any host, runs the same one.

Study user attributes: ``space`` (the resolved space), ``dataset`` (name, fingerprint and summary), ``budget`` (total
trial budget) and ``search`` (``seed``, ``sampler``, ``pruner``, ``objectives``, ``memory_cap_mb``, ``keep_models``; a
study stored without ``objectives`` optimises ``recall`` alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import optuna
import yaml

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError, StorageError
from mmsearch.registry import Registry
from mmsearch.search.space import SearchSpace, parse_space

from .objectives import DEFAULT_OBJECTIVES
from .stored import check_dataset

SPACE_FILE = "space.yaml"
BUDGET_ATTR = "budget"
SEARCH_ATTR = "search"


@dataclass(frozen=True)
class StudySettings:
    """How a study searches: its total trial budget, the seed of models and sampler, the sampler, the pruner, the
    objectives (names of ``objectives.OBJECTIVES``; fixed when the study is created), the memory cap of a trial in
    MiB (None: none) and how many best trials keep their model weights."""

    budget: int
    seed: int
    sampler: str
    pruner: str
    objectives: tuple[str, ...]
    memory_cap_mb: float | None = None
    keep_models: int = 0


def bind_study(study: optuna.Study, space: SearchSpace, dataset: Dataset, folder: Path) -> None:
    """Record the resolved space and dataset on a new study; on an existing one, refuse a different space or data.

    The resolved space is also written to ``folder/space.yaml``.

    Raises:
        StorageError: the study exists with another resolved space or other data.
    """
    resolved = space.to_yaml_dict()
    stored = study.user_attrs
    if "space" in stored:
        if stored["space"] != resolved:
            differs = sorted(key for key in resolved if stored["space"].get(key) != resolved[key])
            raise StorageError(
                f"study '{study.study_name}' was created with another resolved space (differs in: "
                f"{', '.join(differs)}; a changed space file or changed plugin defaults); resume it with the space "
                "it was created with or choose a new --study name"
            )
        check_dataset(study, dataset)
    else:
        study.set_user_attr("space", resolved)
        identity = {"name": dataset.name, "fingerprint": dataset.fingerprint(), **dataset.summary()}
        study.set_user_attr("dataset", identity)
    _write_space(resolved, folder)


def stored_space(study: optuna.Study, dataset: Dataset, registry: Registry, folder: Path) -> SearchSpace:
    """The study's resolved space, rebuilt from storage (no space file needed) after checking ``dataset``.

    Raises:
        StorageError: the study records no space (not made by ``mmsearch run``), its space no longer validates
            against the installed plugins, or ``dataset`` is not the study's.
    """
    raw = study.user_attrs.get("space")
    if raw is None or "dataset" not in study.user_attrs:
        raise StorageError(f"study '{study.study_name}' records no search space; start it with mmsearch run")
    check_dataset(study, dataset)
    try:
        space = parse_space(raw, registry).for_dataset(dataset, registry)
    except MMSearchError as error:
        raise StorageError(f"study '{study.study_name}': its stored space does not load here: {error}") from error
    _write_space(raw, folder)
    return space


def record_settings(study: optuna.Study, settings: StudySettings) -> None:
    """Store the budget and search settings (a resumed study takes the latest; see ``check_objectives``)."""
    study.set_user_attr(BUDGET_ATTR, settings.budget)
    search = {
        "seed": settings.seed,
        "sampler": settings.sampler,
        "pruner": settings.pruner,
        "objectives": list(settings.objectives),
        "memory_cap_mb": settings.memory_cap_mb,
        "keep_models": settings.keep_models,
    }
    study.set_user_attr(SEARCH_ATTR, search)


def stored_objectives(study: optuna.Study) -> tuple[str, ...]:
    """The objectives the study records (``recall`` alone for a study that records none)."""
    return tuple(study.user_attrs.get(SEARCH_ATTR, {}).get("objectives", DEFAULT_OBJECTIVES))


def check_objectives(study: optuna.Study, objectives: tuple[str, ...]) -> None:
    """Refuse to run an existing study with other objectives than its own.

    Raises:
        StorageError: the objectives differ.
    """
    stored = stored_objectives(study)
    if objectives != stored:
        raise StorageError(
            f"study '{study.study_name}' was created with --objectives {','.join(stored)}, not "
            f"{','.join(objectives)}; resume it with its objectives or choose a new --study name"
        )


def read_settings(study: optuna.Study) -> StudySettings:
    """The stored budget and search settings.

    Raises:
        StorageError: the study records none (not made by ``mmsearch run``).
    """
    attrs = study.user_attrs
    if BUDGET_ATTR not in attrs or SEARCH_ATTR not in attrs:
        raise StorageError(
            f"study '{study.study_name}' records no trial budget; start or resume it once with mmsearch run"
        )
    search = attrs[SEARCH_ATTR]
    return StudySettings(
        attrs[BUDGET_ATTR],
        search["seed"],
        search["sampler"],
        search["pruner"],
        stored_objectives(study),
        search.get("memory_cap_mb"),
        search.get("keep_models", 0),
    )


def _write_space(resolved: dict[str, object], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SPACE_FILE).write_text(yaml.safe_dump(resolved, sort_keys=False))
