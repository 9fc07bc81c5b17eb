"""Datasets: load MMRec, DiffMM and table folders into one validated in-memory ``Dataset``; synthetic data."""

from .dataset import Dataset, Modality
from .inspect import inspect_dataset
from .load import load_dataset
from .synth import synthetic_dataset, synthetic_factors, write_synthetic
from .table import TableOptions

__all__ = [
    "Dataset",
    "Modality",
    "TableOptions",
    "inspect_dataset",
    "load_dataset",
    "synthetic_dataset",
    "synthetic_factors",
    "write_synthetic",
]
