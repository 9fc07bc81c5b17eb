import numpy as np
import pandas as pd

from mmsearch.analysis.layout import Block, format_table
from mmsearch.analysis.render import render_markdown, render_text


def test_cells_are_formatted_by_column():
    raw = pd.DataFrame(
        {
            "label": ["a|b", None],
            "trials": [3.0, np.nan],
            "valid_recall@20": [0.123456, 1.0],
            "wilcoxon_holm": [0.000123456, np.nan],
            "effect": [0.0588, -0.1],
            "train_seconds": [1.26, 0.04],
            "peak_memory_mb": [391.7, 12.2],
            "significant": [True, False],
        }
    )
    shown = format_table(raw)
    assert shown.values.tolist() == [
        ["a|b", "3", "0.1235", "0.000123", "+0.0588", "1.26", "392", "yes"],
        ["", "", "1.0000", "", "-0.1000", "0.04", "12", "no"],
    ]


def test_text_and_markdown_layouts():
    blocks = [
        Block("states", "Study", ["line one", "line two"]),
        Block("t", "Table", ["about it"], pd.DataFrame({"label": ["x|y"], "n": ["2"]})),
    ]
    assert render_text(blocks).splitlines() == [
        "Study",
        "=====",
        "line one",
        "line two",
        "",
        "Table",
        "=====",
        "about it",
        "label n",
        "  x|y 2",
    ]
    markdown = render_markdown(blocks, "demo")
    assert markdown.startswith("# mmsearch report: demo\n\n## Study\n\nline one  \nline two  \n")
    assert "| label | n |\n|---|---|\n| x\\|y | 2 |" in markdown
