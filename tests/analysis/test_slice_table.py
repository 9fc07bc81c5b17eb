"""Overall against slice figures per named model or per choice."""

import math

import pytest

from mmsearch.analysis.slices import slice_names, slice_table


def slice_columns(cold, cold_n, tail, tail_n):
    return {
        "test_users": 10,
        "test_cold_items_recall@20": cold,
        "test_cold_items_users": cold_n,
        "test_cold_items_interactions": cold_n,
        "test_tail_items_recall@20": tail,
        "test_tail_items_users": tail_n,
        "test_tail_items_interactions": tail_n,
    }


def test_slice_table_means_per_group(row, table):
    frame = table(
        row(0, 0.10, preset="lightgcn", **{"test_recall@20": 0.09}, **slice_columns(0.0, 4, 0.02, 7)),
        row(1, 0.12, preset="sand", **{"test_recall@20": 0.11}, **slice_columns(0.3, 4, 0.05, 7)),
        row(2, 0.14, preset="sand", **{"test_recall@20": 0.13}, **slice_columns(0.5, 4, 0.07, 7)),
        row(3, 0.20, preset=None, **{"test_recall@20": 0.15}, **slice_columns(0.9, 4, 0.1, 7)),
        row(4, None, state="FAIL", preset="sand"),
    )
    assert slice_names(frame) == ["cold_items", "tail_items"]
    result = slice_table(frame, "preset").set_index("preset")
    assert list(result.index) == ["lightgcn", "sand"]
    assert result.loc["sand", "trials"] == 2
    assert result.loc["sand", "overall"] == pytest.approx(0.12)
    assert result.loc["sand", "cold_items"] == pytest.approx(0.4)
    assert result.loc["sand", "tail_items"] == pytest.approx(0.06)
    assert result.loc["lightgcn", "cold_items"] == 0.0 and result.loc["lightgcn", "cold_items n"] == 4
    by_encoder = slice_table(frame, "encoder")
    assert by_encoder["trials"].tolist() == [4]


def test_no_slice_figures_give_an_empty_table(row, table):
    assert slice_table(table(row(0, 0.1, preset="sand")), "preset").empty
    empty_slice = table(row(0, 0.1, preset="sand", **{"test_recall@20": 0.1}, **slice_columns(math.nan, 0, 0.1, 3)))
    result = slice_table(empty_slice, "preset")
    assert math.isnan(result["cold_items"].iloc[0]) and result["cold_items n"].iloc[0] == 0
