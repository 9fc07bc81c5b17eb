"""The dashboard's verdict helpers (``mmsearch.dashboard.ui``) on hand-made ablation variants, without a running app."""

import pandas as pd
import pytest

from mmsearch.analysis import VARIANT_COLUMNS, Catalogue, Source
from mmsearch.dashboard import data, ui, view


@pytest.fixture
def app_modules(monkeypatch, tmp_path):
    """``ui`` and ``view`` of the app, with ``data.variants`` serving the tables of ``STORED``."""
    stored = {}
    monkeypatch.setattr(
        data, "variants", lambda location, name: stored.get(name, pd.DataFrame(columns=VARIANT_COLUMNS))
    )
    return ui, view, stored, Source(None, tmp_path)


def _variants(ablation: str, dataset: str, axis: str, anchors: list[str], effects: dict[str, float]) -> pd.DataFrame:
    rows = [
        {
            "study": ablation,
            "dataset": dataset,
            "trial": len(anchors) * i + j,
            "axis": axis,
            "anchor": anchor,
            "choice": choice,
            "seed": seed,
            "state": "COMPLETE",
            "valid": 0.5 + effect + 0.01 * j + 0.001 * seed,
            "test": 0.4 + effect + 0.01 * j,
            "reused_from": None,
        }
        for i, (choice, effect) in enumerate(effects.items())
        for j, anchor in enumerate(anchors)
        for seed in (0, 1)
    ]
    return pd.DataFrame(rows, columns=list(VARIANT_COLUMNS))


def _trials(studies: dict[str, str]) -> pd.DataFrame:
    """One completed search trial per study (study -> dataset): no axis has two choices, so no observational row."""
    return pd.DataFrame(
        [
            {"study": study, "dataset": dataset, "trial": 0, "state": "COMPLETE", "fusion": "sum", "seed": 0,
             "valid_recall@20": 0.5, "test_recall@20": 0.4, "spec": "{}"}
            for study, dataset in studies.items()
        ]
    )  # fmt: skip


def test_verdicts_pool_studies_of_a_dataset_and_keep_datasets_with_other_choices_apart(app_modules):
    ui, view, stored, source = app_modules
    random = ["random:0", "random:1", "random:2"]
    stored["s1"] = _variants("s1--ablate-fusion", "d1", "fusion", random, {"sum": 0.0, "concat": 0.1})
    stored["s2"] = _variants("s2--ablate-fusion", "d1", "fusion", random, {"sum": 0.0, "concat": 0.1})
    stored["s3"] = _variants("s3--ablate-fusion", "d2", "fusion", ["s3#1", "s3#4", "s3#7"], {"sum": 0.0, "gate": -0.1})
    trials = _trials({"s1": "d1", "s2": "d1", "s3": "d2"})
    shown = view.View(source, Catalogue([], []), trials, trials, {name: "here" for name in stored})

    controlled, choices, observed = ui.verdicts(shown, trials, "fusion")

    # the random anchors of s1 and s2 are different configurations: six units on d1, not three
    assert controlled.set_index("dataset")["anchors"].to_dict() == {"d1": 6, "d2": 3}
    assert controlled.set_index("dataset")[["winner", "runner_up"]].to_dict("index") == {
        "d1": {"winner": "concat", "runner_up": "sum"},
        "d2": {"winner": "sum", "runner_up": "gate"},
    }
    assert set(controlled["state"]) == {"wins"} and observed.empty
    # Holm across the two comparisons shown: each corrected p is at least twice the smaller raw one
    compared = choices[~choices["best"].astype(bool)]
    assert compared["p"].min() == pytest.approx(min(1.0, 2 * compared["p_raw"].min()))


def test_an_axis_only_an_ablation_varied_can_be_picked_and_combination_columns_get_a_slot_hint(app_modules):
    ui, view, stored, source = app_modules
    stored["s1"] = _variants("s1--ablate-train.lr", "d1", "train.lr", ["s1#0", "s1#1", "s1#2"], {"0.01": 0, "0.1": 0})
    trials = _trials({"s1": "d1"})
    shown = view.View(source, Catalogue([], []), trials, trials, {"s1": "here"})
    assert ui.choice_axes(shown, trials) == ["train.lr"]
    controlled, _, _ = ui.verdicts(shown, trials, "train.lr")
    assert list(controlled["axis"]) == ["train.lr"]
    assert ui.ablate_hint("s1", "fusion").startswith("mmsearch ablate --study s1 --axis fusion ")
    assert ui.ablate_hint("s1", "extractors").startswith("mmsearch ablate --study s1 --axis extractor.<modality> ")
    assert ui.ablate_hint("s1", "auxiliaries").startswith("mmsearch ablate --study s1 --axis auxiliary.<name> ")
