"""The generic table format: an interactions table, an optional item table and an optional image folder.

A folder holds one interactions table (``interactions.csv``, ``interactions.tsv``, ``interactions.parquet``, or
MovieLens' headerless ``u.data``) and optionally an item table (``items.csv``, ``items.tsv``, ``items.parquet``).

Columns are found by name, case-insensitively (``USER_COLUMNS``, ``ITEM_COLUMNS``, ``RATING_COLUMNS``,
``TIME_COLUMNS``). A text file whose first row is all numbers has no header and is read positionally as
``user, item[, rating[, timestamp]]``.

Content modalities, each ``Modality(raw=...)`` with one entry per item (None where missing):

- ``text``: the item table's ``TableOptions.text_columns``, else the first of ``TEXT_COLUMNS`` it has, else ``title``.
  Several columns are joined with newlines; an item whose columns are all empty has no text.
- ``image``: absolute file paths, from the item table's ``TableOptions.image_column`` (paths relative to the folder),
  else from files ``<item id>.jpg|jpeg|png`` in ``TableOptions.image_dir``, else from the first of ``IMAGE_COLUMNS``
  the item table has, else from the first of ``IMAGE_DIRS`` that exists. A path that does not exist counts as missing.

Ids of any type are remapped to 0-based contiguous ints in sorted order of the original ids, which ``Dataset.user_ids``
and ``Dataset.item_ids`` keep. The users and items are those of the kept interactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmsearch.errors import DataError

from .dataset import Dataset, Modality
from .splits import SPLIT_RULES, random_split, split_matrices, time_split
from .validate import check_splits, coverage_problems, reading, shown

INTERACTION_FILES = ("interactions.csv", "interactions.tsv", "interactions.parquet", "u.data")
ITEM_FILES = ("items.csv", "items.tsv", "items.parquet")
USER_COLUMNS = ("user", "user_id", "userid", "uid")
ITEM_COLUMNS = ("item", "item_id", "itemid", "movie_id", "iid")
RATING_COLUMNS = ("rating",)
TIME_COLUMNS = ("timestamp", "time")
POSITIONAL_COLUMNS = ("user", "item", "rating", "timestamp")
TEXT_COLUMNS = ("overview", "description", "plot", "text", "summary")
FALLBACK_TEXT_COLUMN = "title"
IMAGE_COLUMNS = ("image", "image_path", "poster")
IMAGE_DIRS = ("posters", "images")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class TableOptions:
    """How the table format turns rows into a dataset.

    Attributes:
        min_rating: None: every row is an interaction; else only rows with rating >= min_rating are.
        split: ``random`` (per-user seeded 8:1:1) or ``time`` (per-user leave-last-by-time); see ``splits``.
        split_seed: seed of the ``random`` split.
        text_columns: item-table columns (exact names) that make the text; None to detect them.
        image_column: item-table column (exact name) of image paths; None to detect it.
        image_dir: folder (relative to the dataset folder) of ``<item id>.jpg|jpeg|png`` files; None to detect it.
    """

    min_rating: float | None = None
    split: str = "random"
    split_seed: int = 0
    text_columns: tuple[str, ...] | None = None
    image_column: str | None = None
    image_dir: str | None = None

    def __post_init__(self) -> None:
        if self.split not in SPLIT_RULES:
            raise DataError(f"unknown split {self.split!r} (choose from: {', '.join(SPLIT_RULES)})")


def is_table(folder: Path) -> bool:
    """Whether ``folder`` holds an interactions table."""
    return any((folder / name).is_file() for name in INTERACTION_FILES)


def load_table(folder: Path, options: TableOptions | None = None) -> Dataset:
    """Load a table-format dataset folder (see the module docstring for the rules).

    Raises:
        DataError: no or several interactions tables, undetectable or ambiguous columns, missing ids, non-numeric
            ratings or times, options that the files cannot satisfy, an empty split, an unreadable file.
    """
    options = options or TableOptions()
    path = _single_file(folder, INTERACTION_FILES, required=True)
    table = read_table(path)
    columns = table.columns
    user_column = _find_column(path, columns, USER_COLUMNS, "user")
    item_column = _find_column(path, columns, ITEM_COLUMNS, "item")
    rating_column = _find_column(path, columns, RATING_COLUMNS, "rating", required=options.min_rating is not None)
    time_column = _find_column(path, columns, TIME_COLUMNS, "timestamp", required=options.split == "time")
    problems: list[str] = []

    _require_values(path, table, user_column)
    _require_values(path, table, item_column)
    if options.min_rating is not None:
        table = _keep_rated(path, table, (user_column, item_column, rating_column), options.min_rating, problems)
    repeated = table.duplicated([user_column, item_column])
    if repeated.any():
        problems.append(f"{path.name}: {int(repeated.sum())} duplicate (user, item) rows (kept the first)")
        table = table[~repeated.to_numpy()]

    user_ids, users = np.unique(_id_keys(table[user_column]), return_inverse=True)
    item_ids, items = np.unique(_id_keys(table[item_column]), return_inverse=True)
    if options.split == "time":
        labels = time_split(users, _times(path, table, time_column))
    else:
        labels = random_split(users, options.split_seed)
    train, valid, test = split_matrices(users, items, labels, user_ids.size, item_ids.size)
    check_splits((path,) * 3, (train, valid, test))
    problems.extend(coverage_problems(train))

    modalities = _content_modalities(folder, options, item_ids, problems)
    return Dataset(
        name=folder.name,
        n_users=int(user_ids.size),
        n_items=int(item_ids.size),
        train=train,
        valid=valid,
        test=test,
        modalities=modalities,
        problems=tuple(problems),
        user_ids=user_ids,
        item_ids=item_ids,
    )


def read_table(path: Path) -> pd.DataFrame:
    """Read a ``.csv``, ``.tsv``, ``.parquet`` or ``u.data`` (tab-separated) file; see the module docstring.

    Raises:
        DataError: unreadable file, parquet without pyarrow, a headerless file with other than 2-4 columns.
    """
    if path.suffix == ".parquet":
        try:
            with reading(path):
                return pd.read_parquet(path)
        except ImportError as error:
            raise DataError(f"{path}: reading parquet needs pyarrow (install mmsearch[parquet])") from error
    separator = "," if path.suffix == ".csv" else "\t"
    with reading(path):
        first_row = pd.read_csv(path, sep=separator, header=None, nrows=1, dtype=str).iloc[0]
        headerless = pd.to_numeric(first_row, errors="coerce").notna().all()
        if not headerless:
            return pd.read_csv(path, sep=separator)
        if not 2 <= first_row.size <= len(POSITIONAL_COLUMNS):
            raise DataError(
                f"{path}: a headerless file needs 2-4 columns (user, item[, rating[, timestamp]]), "
                f"found {first_row.size}"
            )
        return pd.read_csv(path, sep=separator, header=None, names=list(POSITIONAL_COLUMNS[: first_row.size]))


def _single_file(folder: Path, names: tuple[str, ...], required: bool) -> Path | None:
    """The one file of ``names`` that exists in ``folder`` (None if none and not required)."""
    found = [folder / name for name in names if (folder / name).is_file()]
    if len(found) > 1:
        raise DataError(f"{folder}: several tables found ({', '.join(p.name for p in found)}); keep one")
    if not found and required:
        raise DataError(f"{folder}: no interactions table (expected one of {', '.join(names)})")
    return found[0] if found else None


def _find_column(
    path: Path, columns: pd.Index, aliases: tuple[str, ...], role: str, required: bool = True
) -> str | None:
    """The one column whose lower-cased name is in ``aliases``; None if there is none and it is not required."""
    matches = [column for column in columns if str(column).lower() in aliases]
    if len(matches) > 1:
        raise DataError(f"{path}: several {role} columns ({', '.join(map(str, matches))}); keep one")
    if not matches:
        if required:
            raise DataError(
                f"{path}: no {role} column (expected one of {', '.join(aliases)}; has: {', '.join(map(str, columns))})"
            )
        return None
    return matches[0]


def _require_values(path: Path, table: pd.DataFrame, column: str) -> None:
    """Raise DataError if ``column`` has missing values."""
    missing = table[column].isna().to_numpy()
    if missing.any():
        raise DataError(
            f"{path}: {column} has {int(missing.sum())} missing values (first in data row {missing.argmax() + 1})"
        )


def _keep_rated(
    path: Path, table: pd.DataFrame, columns: tuple[str, str, str], min_rating: float, problems: list[str]
) -> pd.DataFrame:
    """The rows whose rating (``columns``: user, item, rating) is >= ``min_rating``; says in ``problems`` how many."""
    user_column, item_column, rating_column = columns
    kept = _numeric(path, table, rating_column) >= min_rating
    if not kept.any():
        raise DataError(f"{path}: no row has {rating_column} >= {min_rating:g}")
    lost_users = table[user_column].nunique() - table[user_column][kept].nunique()
    lost_items = table[item_column].nunique() - table[item_column][kept].nunique()
    problems.append(
        f"{path.name}: {int(kept.sum())} of {kept.size} rows have {rating_column} >= {min_rating:g} "
        f"(left out: {lost_users} users, {lost_items} items)"
    )
    return table[kept]


def _numeric(path: Path, table: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` as float64; DataError if any value is missing or not a number."""
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(np.isnan(values))
    if bad.size:
        raise DataError(
            f"{path}: {column} has {bad.size} missing or non-numeric values "
            f"(first: {shown(table[column].iloc[bad[0]])})"
        )
    return values


def _times(path: Path, table: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` as sortable float64: numbers as they are, else parsed date-times (nanoseconds)."""
    if pd.api.types.is_numeric_dtype(table[column]):
        return _numeric(path, table, column)
    parsed = pd.to_datetime(table[column], errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        raise DataError(
            f"{path}: {column} has {bad.size} values that are neither numbers nor dates "
            f"(first: {shown(table[column].iloc[bad[0]])})"
        )
    return parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)


def _id_keys(column: pd.Series) -> np.ndarray:
    """Ids as int64 when every value is an integral number, else as strings."""
    if pd.api.types.is_integer_dtype(column):
        return column.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(column):
        values = column.to_numpy(dtype=np.float64)
        if np.all(values == np.round(values)):
            return values.astype(np.int64)
    return column.astype(str).to_numpy(dtype=str)


def _content_modalities(
    folder: Path, options: TableOptions, item_ids: np.ndarray, problems: list[str]
) -> dict[str, Modality]:
    """The ``text`` and ``image`` modalities found for ``item_ids``; appends what is missing to ``problems``."""
    items_path = _single_file(folder, ITEM_FILES, required=False)
    rows = _item_rows(items_path, item_ids, problems) if items_path is not None else None
    if rows is None and options.text_columns is not None:
        raise DataError(f"{folder}: text columns were given but there is no item table ({', '.join(ITEM_FILES)})")
    if rows is None and options.image_column is not None:
        raise DataError(f"{folder}: an image column was given but there is no item table ({', '.join(ITEM_FILES)})")
    modalities = {}
    if rows is not None:
        text = _text_modality(items_path, rows, options.text_columns, problems)
        if text is not None:
            modalities["text"] = text
    image = _image_modality(folder, items_path, rows, options, item_ids, problems)
    if image is not None:
        modalities["image"] = image
    return modalities


def _item_rows(path: Path, item_ids: np.ndarray, problems: list[str]) -> pd.DataFrame:
    """The item table aligned to ``item_ids``: row i describes item i (all-NaN where the table has no row)."""
    table = read_table(path)
    id_column = _find_column(path, table.columns, ITEM_COLUMNS, "item")
    _require_values(path, table, id_column)
    keys = _id_keys(table[id_column])
    targets = item_ids
    if keys.dtype.kind != targets.dtype.kind:
        keys, targets = keys.astype(str), targets.astype(str)
    table = table.set_axis(pd.Index(keys), axis=0)
    repeated = table.index.duplicated(keep="first")
    if repeated.any():
        problems.append(f"{path.name}: {int(repeated.sum())} duplicate {id_column} rows (kept the first)")
        table = table[~repeated]
    unused = int((~table.index.isin(targets)).sum())
    if unused:
        problems.append(f"{path.name}: {unused} items have no interaction (ignored)")
    absent = int((~pd.Index(targets).isin(table.index)).sum())
    if absent:
        problems.append(f"{path.name}: {absent} of {targets.size} items have no row")
    return table.reindex(targets).reset_index(drop=True)


def _text_modality(
    path: Path, rows: pd.DataFrame, text_columns: tuple[str, ...] | None, problems: list[str]
) -> Modality | None:
    """The ``text`` modality from the chosen or detected columns; None when no text column exists."""
    if text_columns is None:
        lowered = {str(column).lower(): column for column in rows.columns}
        found = next((lowered[name] for name in (*TEXT_COLUMNS, FALLBACK_TEXT_COLUMN) if name in lowered), None)
        if found is None:
            return None
        text_columns = (found,)
    unknown = [column for column in text_columns if column not in rows.columns]
    if unknown:
        raise DataError(f"{path}: no text column {', '.join(unknown)} (has: {', '.join(map(str, rows.columns))})")
    parts = [rows[column].map(_clean_text) for column in text_columns]
    texts = tuple("\n".join(part for part in values if part) or None for values in zip(*parts))
    present = np.array([text is not None for text in texts], dtype=bool)
    missing = int((~present).sum())
    if missing:
        problems.append(f"text: {missing} of {present.size} items have no {' or '.join(text_columns)}")
    return Modality(name="text", raw=texts, present=present)


def _clean_text(value: object) -> str:
    """A table cell as stripped text; empty for missing values."""
    return "" if pd.isna(value) else str(value).strip()


def _image_modality(
    folder: Path,
    items_path: Path | None,
    rows: pd.DataFrame | None,
    options: TableOptions,
    item_ids: np.ndarray,
    problems: list[str],
) -> Modality | None:
    """The ``image`` modality from an image column or an image folder; None when there is neither."""
    column = options.image_column
    if column is None and rows is not None and options.image_dir is None:
        lowered = {str(name).lower(): name for name in rows.columns}
        column = next((lowered[name] for name in IMAGE_COLUMNS if name in lowered), None)
    if column is not None:
        if column not in rows.columns:
            raise DataError(f"{items_path}: no image column {column} (has: {', '.join(map(str, rows.columns))})")
        paths = [folder / text if (text := _clean_text(value)) else None for value in rows[column]]
        noun = str(column)
    else:
        image_dir = _image_dir(folder, options.image_dir)
        if image_dir is None:
            return None
        files = _image_files(image_dir)
        paths = [files.get(str(item_id)) for item_id in item_ids]
        noun = image_dir.name.removesuffix("s")
    raw = tuple(str(path.resolve()) if path is not None and path.is_file() else None for path in paths)
    present = np.array([path is not None for path in raw], dtype=bool)
    missing = int((~present).sum())
    not_found = sum(path is not None for path in paths) - int(present.sum())
    if missing:
        problems.append(f"image: {missing} of {present.size} items have no {noun}")
    if not_found:
        problems.append(f"image: {not_found} {noun} paths do not exist (counted as missing)")
    return Modality(name="image", raw=raw, present=present)


def _image_dir(folder: Path, image_dir: str | None) -> Path | None:
    """The chosen image folder (which must exist), else the first of ``IMAGE_DIRS`` that exists, else None."""
    if image_dir is not None:
        chosen = folder / image_dir
        if not chosen.is_dir():
            raise DataError(f"{chosen}: image folder not found")
        return chosen
    return next((folder / name for name in IMAGE_DIRS if (folder / name).is_dir()), None)


def _image_files(image_dir: Path) -> dict[str, Path]:
    """File stem -> path of the images in ``image_dir``; for one stem, .jpg wins over .jpeg over .png."""
    with reading(image_dir):
        entries = [path for path in image_dir.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES]
    entries.sort(key=lambda path: IMAGE_SUFFIXES.index(path.suffix.lower()), reverse=True)
    return {path.stem: path for path in entries if path.is_file()}
