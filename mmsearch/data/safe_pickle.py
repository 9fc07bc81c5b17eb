"""Load pickled scipy sparse matrices without executing arbitrary code.

A pickle names the callables that rebuild it, and plain ``pickle.load`` calls whatever the file names. The
``SparseUnpickler`` resolves only the few numpy and scipy names that a pickled sparse matrix needs, under both their
old module paths (``numpy.core``, ``scipy.sparse.coo``, written by older releases) and today's (``numpy._core``,
``scipy.sparse._coo``), and maps each onto the object the installed numpy/scipy provides. Any other name is refused
before anything is called.
"""

from __future__ import annotations

import codecs
import copyreg
import importlib
import pickle
from pathlib import Path
from types import ModuleType
from typing import IO

import numpy as np
import scipy.sparse as sp

from mmsearch.errors import DataError

from .validate import check_ids, read_error, require_file

_SPARSE_CLASSES: dict[str, type] = {
    "coo_matrix": sp.coo_matrix,
    "csr_matrix": sp.csr_matrix,
    "csc_matrix": sp.csc_matrix,
    "coo_array": sp.coo_array,
    "csr_array": sp.csr_array,
    "csc_array": sp.csc_array,
}

_NUMPY_CORE_NAMES = {
    "multiarray": ("_reconstruct", "scalar"),
    "numeric": ("_frombuffer",),
}


def _numpy_core(module: str) -> ModuleType:
    """``numpy._core.<module>`` (NumPy >= 2), else ``numpy.core.<module>``."""
    try:
        return importlib.import_module(f"numpy._core.{module}")
    except ImportError:
        return importlib.import_module(f"numpy.core.{module}")


def _allowed() -> dict[tuple[str, str], object]:
    """(module, name) as written in a pickle -> the object it stands for with the installed numpy and scipy."""
    allowed: dict[tuple[str, str], object] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        # Protocols 0-2 store bytes through codecs.encode and objects through copyreg._reconstructor.
        ("_codecs", "encode"): codecs.encode,
        ("copyreg", "_reconstructor"): copyreg._reconstructor,
        ("copy_reg", "_reconstructor"): copyreg._reconstructor,
        ("builtins", "object"): object,
        ("__builtin__", "object"): object,
    }
    for module, names in _NUMPY_CORE_NAMES.items():
        current = _numpy_core(module)
        for name in names:
            for package in ("numpy.core", "numpy._core"):
                allowed[(f"{package}.{module}", name)] = getattr(current, name)
    for name, cls in _SPARSE_CLASSES.items():
        fmt = name[:3]
        modules = ["scipy.sparse", f"scipy.sparse.{fmt}", f"scipy.sparse._{fmt}"]
        if name.endswith("_array"):
            modules.append("scipy.sparse._arrays")
        for module in modules:
            allowed[(module, name)] = cls
    return allowed


class SparseUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the names pickled numpy arrays and scipy sparse matrices need.

    Args:
        file: binary file object positioned at the start of the pickle.
        source: the file's path, named in the refusal message.
    """

    _ALLOWED = _allowed()

    def __init__(self, file: IO[bytes], source: Path) -> None:
        super().__init__(file, encoding="latin1")
        self._source = source

    def find_class(self, module: str, name: str) -> object:
        """Return the allowed object for ``module.name``.

        Raises:
            DataError: ``<file>: refuses to unpickle <module>.<name> (...)`` for any other name.
        """
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise DataError(
                f"{self._source}: refuses to unpickle {module}.{name} (only numpy/scipy sparse classes are allowed)"
            ) from None


def load_sparse_matrix(path: Path) -> sp.csr_matrix:
    """Load a pickled scipy sparse matrix (COO, CSR or CSC; old or new module path) as a checked CSR matrix.

    The contents are checked before conversion: a 2-D shape, numeric values, integer indices in range, as many values
    as indices.

    Returns:
        ``scipy.sparse.csr_matrix`` of the stored shape and value dtype. For a COO pickle it keeps every stored entry
        (``nnz`` equals the pickle's), repeated (row, col) entries included: the caller decides how to merge them.

    Raises:
        DataError: missing, truncated or corrupt file, a refused class, an object that is not a sparse matrix, or
            inconsistent contents.
    """
    require_file(path)
    loaded = _unpickle(path)
    if not sp.issparse(loaded) or loaded.format not in ("coo", "csr", "csc"):
        raise DataError(f"{path}: expected a pickled scipy sparse matrix, got {type(loaded).__name__}")
    try:
        shape = tuple(int(size) for size in loaded.shape)
        if len(shape) != 2:
            raise DataError(f"{path}: expected a 2-D sparse matrix, got shape {shape}")
        if loaded.format == "coo":
            return _coo_to_csr(path, loaded, shape)
        loaded.check_format(full_check=True)
        return sp.csr_matrix(loaded)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise DataError(f"{path}: inconsistent sparse matrix ({error})") from error


def _unpickle(path: Path) -> object:
    """Run the ``SparseUnpickler`` over ``path``; any failure becomes a ``DataError`` naming the file."""
    try:
        with path.open("rb") as file:
            return SparseUnpickler(file, path).load()
    except DataError:
        raise
    except Exception as error:  # a corrupt pickle can make any of the rebuild callables raise anything
        raise read_error(path, error) from error


def _coo_to_csr(path: Path, matrix: sp.coo_matrix, shape: tuple[int, int]) -> sp.csr_matrix:
    """Check the coordinates of an unpickled COO matrix (unpickling does not) and build a CSR with every entry."""
    rows = check_ids(path, "row", np.asarray(matrix.row).ravel(), shape[0])
    cols = check_ids(path, "col", np.asarray(matrix.col).ravel(), shape[1])
    data = np.asarray(matrix.data).ravel()
    if not (np.issubdtype(data.dtype, np.number) or data.dtype == np.bool_):
        raise DataError(f"{path}: matrix values must be numeric, got dtype {data.dtype}")
    if not rows.size == cols.size == data.size:
        raise DataError(f"{path}: {rows.size} row indices, {cols.size} column indices and {data.size} values differ")
    order = np.lexsort((cols, rows))
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((data[order], cols[order], indptr), shape=shape)
