"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

pytest_plugins = ["dashboard_harness"]  # the dashboard's studies, server and browser, for every test that drives it

SHARED_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()

# user, item, x_label: every user has two train items, one valid and one test item; items 0..3.
TOY_ROWS = (
    (0, 0, 0), (0, 1, 0), (0, 2, 1), (0, 3, 2),
    (1, 1, 0), (1, 2, 0), (1, 0, 1), (1, 3, 2),
    (2, 0, 0), (2, 3, 0), (2, 1, 1), (2, 2, 2),
)  # fmt: skip


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets beside the repository (``../shared/data``).

    Skips the test when the folder is missing, except under ``CI=true``, where a missing folder fails it.
    """
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    message = f"real datasets not found at {SHARED_DATA}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def make_mmrec(tmp_path: Path) -> Callable[..., Path]:
    """Factory of MMRec folders: ``make_mmrec(rows=TOY_ROWS, features=None, inter_text=None, name="toy")``.

    ``rows`` are (user, item, x_label) triples; ``inter_text`` replaces the whole ``toy.inter`` file when given;
    ``features`` maps modality name -> array saved as ``<name>_feat.npy``.
    """

    def make(
        rows: tuple[tuple[object, ...], ...] = TOY_ROWS,
        features: dict[str, np.ndarray] | None = None,
        inter_text: str | None = None,
        name: str = "toy",
    ) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if inter_text is None:
            lines = ["userID\titemID\trating\ttimestamp\tx_label"]
            lines += [f"{user}\t{item}\t1\t{index}\t{label}" for index, (user, item, label) in enumerate(rows)]
            inter_text = "\n".join(lines) + "\n"
        (folder / f"{name}.inter").write_text(inter_text)
        for modality, array in (features or {}).items():
            np.save(folder / f"{modality}_feat.npy", array)
        return folder

    return make


@pytest.fixture
def toy_splits() -> tuple[sp.coo_matrix, sp.coo_matrix, sp.coo_matrix]:
    """The ``TOY_ROWS`` interactions as train, valid, test COO matrices of shape [3, 4] (values 1.0)."""
    rows = np.array(TOY_ROWS)
    splits = []
    for label in range(3):
        users, items = rows[rows[:, 2] == label, 0], rows[rows[:, 2] == label, 1]
        splits.append(sp.coo_matrix((np.ones(users.size), (users, items)), shape=(3, 4)))
    return tuple(splits)


@pytest.fixture
def make_diffmm(tmp_path: Path, toy_splits: tuple[sp.coo_matrix, ...]) -> Callable[..., Path]:
    """Factory of DiffMM folders: ``make_diffmm(matrices=toy_splits, features=None, name="toy")``.

    ``matrices`` are train, valid, test objects pickled (plainly, as the format's producers do) into the split files.
    """

    def make(
        matrices: tuple[object, object, object] | None = None,
        features: dict[str, np.ndarray] | None = None,
        name: str = "toy",
    ) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for file_name, matrix in zip(("trnMat.pkl", "valMat.pkl", "tstMat.pkl"), matrices or toy_splits):
            (folder / file_name).write_bytes(pickle.dumps(matrix))
        for modality, array in (features or {}).items():
            np.save(folder / f"{modality}_feat.npy", array)
        return folder

    return make
