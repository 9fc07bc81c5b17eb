"""Fixtures shared by the CLI tests."""

import uuid

import optuna
import pytest

from mmsearch.study import open_storage

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgres_study(tmp_path):
    """A fresh study name in the local PostgreSQL ``test`` database; the study is deleted afterwards."""
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    yield name
    storage = open_storage(POSTGRES, tmp_path, name)
    if name in {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}:
        optuna.delete_study(study_name=name, storage=storage)
