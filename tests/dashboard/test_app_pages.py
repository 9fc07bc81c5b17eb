import base64
import json
from collections.abc import Callable

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mmsearch.analysis import Source
from mmsearch.analysis.layout import SHOWN_VERDICT_COLUMNS
from mmsearch.cli.dashboard_cmd import APP_ENTRY

PAGES = {
    "views/overview.py": "Studies",
    "views/choices.py": "Choices that win",
    "views/configurations.py": "Top configurations",
    "views/importance.py": "Parameter importance",
    "views/pareto.py": "Pareto front",
    "views/slices.py": "Slices",
    "views/trial.py": "Trial detail",
    "views/compare.py": "Compare datasets",
    "views/failures.py": "Failures & plugins",
}


def _values(data: list | dict) -> np.ndarray:
    """A plotly trace's values, as a list or in plotly's typed-array encoding (``dtype`` and base64 ``bdata``)."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data)


@pytest.fixture
def open_page(dashboard_runs, monkeypatch) -> Callable[..., AppTest]:
    """``open_page(page, **query)``: the app run once, then switched to ``page`` with the given address parameters."""
    for key, value in Source(None, dashboard_runs).environment().items():
        monkeypatch.setenv(key, value)

    def open_page(page: str, **query: str | list[str]) -> AppTest:
        app = AppTest.from_file(str(APP_ENTRY), default_timeout=60)
        app.query_params.update(query)
        app.run()
        app.switch_page(page)
        app.query_params.update(query)
        return app.run()

    return open_page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(open_page, page):
    app = open_page(page)
    assert not app.exception
    assert app.title[0].value == PAGES[page]


def test_overview_lists_both_studies_and_filters_come_from_the_address(open_page):
    app = open_page("views/overview.py", studies="alpha", states="FAIL")
    overview = app.dataframe[0].value
    assert sorted(overview["study"]) == ["alpha", "beta"]
    alpha = overview.set_index("study").loc["alpha"]
    assert (alpha["complete"], alpha["pruned"], alpha["failed"]) == (10, 1, 1)
    assert any(header.value == "Trials (1 of 15 match the filters)" for header in app.subheader)
    assert app.multiselect(key="states").value == ["FAIL"]
    app.multiselect(key="datasets").select("tiny-b").run()
    assert app.query_params["datasets"] == "tiny-b" and app.query_params["studies"] == "alpha"


def test_choices_page_gives_observational_verdicts_and_the_ablation_command(open_page):
    app = open_page("views/choices.py", axis="timing")
    assert not app.exception
    headers = [header.value for header in app.subheader]
    assert headers[:2] == [
        "Which timing wins: controlled ablations",
        "Which timing wins: observational (from the search's trials)",
    ]
    sentences = [m.value for m in app.markdown if m.value.startswith("- observational, on tiny-")]
    assert [s.split(":")[0] for s in sentences] == ["- observational, on tiny-a", "- observational, on tiny-b"]
    assert all("timing=" in s and "Recall@20" in s for s in sentences)
    assert not any(m.value.startswith("- controlled") for m in app.markdown)
    # no ablation of timing: per dataset, a sentence and the command that makes one, not an empty rank plot
    assert [info.value.split(",")[0] for info in app.info] == [
        "No ablation of timing on tiny-a yet",
        "No ablation of timing on tiny-b yet",
    ]
    assert [code.value.split(" --anchors")[0] for code in app.code] == [
        "mmsearch ablate --study alpha --axis timing",
        "mmsearch ablate --study beta --axis timing",
    ]
    assert not any("rank of each" in chart.proto.spec for chart in app.get("plotly_chart"))
    assert app.selectbox(key="axis").value == "timing" and app.query_params["axis"] == "timing"


def test_choices_page_leads_with_the_controlled_verdict_of_an_ablation(open_page):
    app = open_page("views/choices.py", axis="fusion")
    assert not app.exception
    controlled = [m.value for m in app.markdown if m.value.startswith("- controlled, on tiny-a: fusion=")]
    assert len(controlled) == 1 and "3 anchors x 2 seeds" in controlled[0]
    assert any(state in controlled[0] for state in ("wins", "no detectable difference", "not enough evidence"))
    verdicts = app.dataframe[0].value
    assert list(verdicts.columns) == list(SHOWN_VERDICT_COLUMNS)
    assert list(verdicts["dataset"]) == ["tiny-a"] and set(verdicts[["winner", "runner_up"]].iloc[0]) == {
        "sum",
        "attentive_sum",
    }
    choices = app.dataframe[1].value
    assert sorted(choices["choice"]) == ["attentive_sum", "sum"] and set(choices["anchors"]) == {3}
    assert all(sum(int(part.split(":")[1]) for part in ranks.split()) == 3 for ranks in choices["ranks"])
    # Holm over the comparisons shown: here one, so the corrected p is the raw one of the paired test over anchors
    assert choices["p"].notna().sum() == 1
    ranks = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    ranks = [spec for spec in ranks if "tiny-a: rank of each fusion choice" in spec["layout"]["title"]["text"]]
    assert len(ranks) == 1
    assert sum(_values(trace["y"]).sum() for trace in ranks[0]["data"]) == 6  # 2 choices x 3 anchors
    # beta (tiny-b) has no ablation: the command, not an empty plot; the observational view follows, labelled
    assert [info.value.split(",")[0] for info in app.info] == ["No ablation of fusion on tiny-b yet"]
    assert [code.value.split(" --anchors")[0] for code in app.code] == ["mmsearch ablate --study beta --axis fusion"]
    observational = [m.value for m in app.markdown if m.value.startswith("- observational, on tiny-")]
    assert len(observational) == 2
    assert "Which fusion wins: observational (from the search's trials)" in [h.value for h in app.subheader]


def test_compare_page_gives_both_kinds_of_verdict_per_dataset(open_page):
    app = open_page("views/compare.py", axis="fusion")
    assert not app.exception
    lines = [line for m in app.markdown for line in m.value.splitlines() if line.startswith("- ")]
    assert [line.split(":")[0] for line in lines] == [
        "- controlled, on tiny-a",
        "- observational, on tiny-a",
        "- controlled, on tiny-b",
        "- observational, on tiny-b",
    ]
    assert "3 anchors x 2 seeds" in lines[0] and "no ablation verdict on fusion yet" in lines[2]
    assert [table.value["dataset"].tolist() for table in app.dataframe[:2]] == [["tiny-a"], ["tiny-a", "tiny-b"]]


def test_overview_lists_the_ablations_apart_from_the_searches(open_page):
    app = open_page("views/overview.py")
    assert not app.exception
    ablations = app.dataframe[1].value
    assert ablations.to_dict("records") == [
        {
            "study": "alpha--ablate-fusion",
            "ablation_of": "alpha",
            "dataset": "tiny-a",
            "axis": "fusion",
            "anchors": 3,
            "choices": 2,
            "seeds": 2,
            "variants": 12,
            "complete": 12,
            "reused": ablations["reused"].iloc[0],
        }
    ]


def test_configurations_count_the_seeds_of_a_retraining_with_their_interval(open_page):
    app = open_page("views/configurations.py", dataset="tiny-b")
    configs = app.dataframe[0].value
    retrained = configs[configs["runs"] == 2]
    assert len(retrained) == 1 and retrained["seeds"].iloc[0] == "0,1"
    assert retrained["mean_low"].iloc[0] <= retrained["mean"].iloc[0] <= retrained["mean_high"].iloc[0]
    assert (configs["runs"] == 1).sum() == len(configs) - 1
    tests = app.dataframe[1].value
    # the paired tests average the retrained configuration's per-user vectors over both seeds
    assert sorted(tests["runs"]) == sorted(configs["runs"].iloc[1:].tolist())


def test_importance_page_charts_the_study_with_enough_trials(open_page):
    app = open_page("views/importance.py", study="alpha")
    assert not app.info and len(app.get("plotly_chart")) == 1
    assert app.dataframe[0].value["importance"].sum() == pytest.approx(1.0)
    small = open_page("views/importance.py", study="beta")
    assert "needs at least 10 completed trials" in small.info[0].value


def test_trial_page_of_a_failed_trial_shows_its_reason(open_page):
    app = open_page("views/trial.py", study="alpha", trial="0")
    assert not app.exception
    assert app.error and "Failed:" in app.error[0].value


def test_trial_page_compares_learning_curves_of_chosen_trials(open_page):
    app = open_page("views/trial.py", study="alpha", trial="3", **{"with": ["5", "7"]})
    assert not app.exception and app.multiselect(key="with").value == [5, 7]
    curves = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert sorted(trace["name"] for trace in curves["data"]) == ["alpha#3", "alpha#5", "alpha#7"]


def test_slices_page_shows_overall_against_slices_per_choice(open_page):
    app = open_page("views/slices.py", datasets="tiny-a", slices_by="fusion")
    assert not app.exception
    table = app.dataframe[0].value
    assert set(table["fusion"]) == {"sum", "attentive_sum"}
    assert {"overall", "cold_items", "tail_items", "sparse_users", "tail_items n"} <= set(table.columns)
    assert (table["tail_items n"] > 0).all() and table["overall"].between(0, 1).all()
    # the fusion ablation of alpha, measured on the slices
    sentences = [m.value for m in app.markdown if m.value.startswith("- on ")]
    assert any(s.startswith("- on tail_items: controlled, on tiny-a: fusion=") for s in sentences), sentences
    assert "slice" in app.dataframe[1].value.columns
    # no baseline trial in these studies: a sentence, not an empty figure
    app = open_page("views/slices.py", datasets="tiny-a")
    assert not app.exception and len(app.dataframe) == 1 and "slice" in app.dataframe[0].value.columns
    assert any("has both a preset and slice figures" in message.value for message in app.info)
