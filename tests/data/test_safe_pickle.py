"""The restricted unpickler: sparse matrices load across scipy versions, anything else is refused unexecuted."""

from __future__ import annotations

import os
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from mmsearch.data.safe_pickle import load_sparse_matrix
from mmsearch.errors import DataError


class _RunsCommand:
    """Unpickling this calls ``os.system(command)``."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (self.command,)


class _CallsNumpyLoad:
    """Unpickling this calls ``numpy.load``: a numpy name, but not one a sparse matrix needs."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return np.load, ("whatever.npy",)


def _write(path: Path, payload: bytes) -> Path:
    path.write_bytes(payload)
    return path


def test_malicious_pickle_is_refused_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = _write(tmp_path / "trnMat.pkl", pickle.dumps(_RunsCommand(f"touch {marker}")))
    with pytest.raises(DataError) as caught:
        load_sparse_matrix(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: refuses to unpickle ")
    assert ".system (only numpy/scipy sparse classes are allowed)" in message
    assert not marker.exists()


def test_unlisted_numpy_name_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.pkl", pickle.dumps(_CallsNumpyLoad()))
    with pytest.raises(DataError, match=r"refuses to unpickle numpy\..*load"):
        load_sparse_matrix(path)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("cls", [sp.coo_matrix, sp.csr_matrix, sp.csc_matrix, sp.coo_array, sp.csr_array, sp.csc_array])
def test_round_trip_of_every_sparse_class_and_protocol(tmp_path: Path, cls: type, protocol: int) -> None:
    dense = np.array([[0, 1, 0, 2], [3, 0, 0, 0], [0, 0, 0, 4]], dtype=np.float32)
    path = _write(tmp_path / "m.pkl", pickle.dumps(cls(dense), protocol=protocol))
    loaded = load_sparse_matrix(path)
    assert isinstance(loaded, sp.csr_matrix)
    assert loaded.shape == (3, 4) and loaded.nnz == 4
    assert np.array_equal(loaded.toarray(), dense)


def _old_scipy_coo_pickle(monkeypatch: pytest.MonkeyPatch, shape: tuple[int, int], rows, cols, data) -> bytes:
    """A pickle laid out as SciPy < 1.8 wrote it: ``scipy.sparse.coo.coo_matrix`` with ``row``/``col`` attributes
    and arrays rebuilt through ``numpy.core.multiarray``."""
    module = types.ModuleType("scipy.sparse.coo")
    old_class = type("coo_matrix", (), {"__module__": "scipy.sparse.coo"})
    module.coo_matrix = old_class
    monkeypatch.setitem(sys.modules, "scipy.sparse.coo", module)
    old = old_class()
    old.__dict__.update(
        _shape=shape,
        maxprint=50,
        row=np.asarray(rows, dtype=np.int32),
        col=np.asarray(cols, dtype=np.int32),
        data=np.asarray(data, dtype=np.float64),
        has_canonical_format=False,
    )
    payload = pickle.dumps(old, protocol=3)
    assert b"scipy.sparse.coo\ncoo_matrix" in payload
    return payload.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def test_old_scipy_coo_layout_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = _old_scipy_coo_pickle(monkeypatch, (3, 5), [2, 0, 1, 2], [4, 1, 0, 4], [1.0, 1.0, 1.0, 1.0])
    monkeypatch.delitem(sys.modules, "scipy.sparse.coo")
    loaded = load_sparse_matrix(_write(tmp_path / "trnMat.pkl", payload))
    assert isinstance(loaded, sp.csr_matrix)
    assert loaded.shape == (3, 5)
    assert loaded.nnz == 4  # every stored entry is kept, the repeated (2, 4) included
    assert loaded.toarray()[2, 4] == 2.0 and loaded.toarray()[0, 1] == 1.0


def test_out_of_range_coordinates_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = _old_scipy_coo_pickle(monkeypatch, (3, 5), [0, 3], [1, 1], [1.0, 1.0])
    with pytest.raises(DataError, match=r"trnMat\.pkl: row has 1 ids out of range \[0, 3\) \(first: 3\)"):
        load_sparse_matrix(_write(tmp_path / "trnMat.pkl", payload))


def test_a_pickled_array_is_not_a_sparse_matrix(tmp_path: Path) -> None:
    path = _write(tmp_path / "valMat.pkl", pickle.dumps(np.eye(3)))
    with pytest.raises(DataError, match=r"valMat\.pkl: expected a pickled scipy sparse matrix, got ndarray"):
        load_sparse_matrix(path)


def test_truncated_pickle(tmp_path: Path) -> None:
    payload = pickle.dumps(sp.coo_matrix(np.eye(4)))
    path = _write(tmp_path / "tstMat.pkl", payload[: len(payload) // 2])
    with pytest.raises(DataError, match=r"tstMat\.pkl: cannot read \("):
        load_sparse_matrix(path)
