import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from mmsearch.analysis import Source

PAGES = {
    "views/overview.py": "Studies",
    "views/choices.py": "Choices that win",
    "views/configurations.py": "Top configurations",
    "views/importance.py": "Parameter importance",
    "views/pareto.py": "Pareto front",
    "views/trial.py": "Trial detail",
    "views/compare.py": "Compare datasets",
    "views/failures.py": "Failures & plugins",
}


@pytest.fixture
def open_page(app_entry, dashboard_runs, monkeypatch) -> Callable[..., AppTest]:
    """``open_page(page, **query)``: the app run once, then switched to ``page`` with the given address parameters."""
    for key, value in Source(None, dashboard_runs).environment().items():
        monkeypatch.setenv(key, value)

    def open_page(page: str, **query: str | list[str]) -> AppTest:
        app = AppTest.from_file(str(app_entry), default_timeout=60)
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
    sentences = [m.value for m in app.markdown if m.value.startswith("- observational, on tiny-")]
    assert [s.split(":")[0] for s in sentences] == ["- observational, on tiny-a", "- observational, on tiny-b"]
    assert all("timing=" in s and "Recall@20" in s for s in sentences)
    assert any("No ablation of timing yet" in info.value for info in app.info)
    assert any(code.value.startswith("mmsearch ablate --study alpha --axis timing") for code in app.code)
    assert app.selectbox(key="axis").value == "timing" and app.query_params["axis"] == "timing"


def test_choices_page_leads_with_the_controlled_verdict_of_an_ablation(open_page):
    app = open_page("views/choices.py", axis="fusion", studies="alpha")
    assert not app.exception
    controlled = [m.value for m in app.markdown if m.value.startswith("- controlled, on tiny-a: fusion=")]
    assert len(controlled) == 1 and "3 anchors x 2 seeds" in controlled[0]
    assert any(state in controlled[0] for state in ("wins", "no detectable difference", "not enough evidence"))
    assert len(app.get("plotly_chart")) >= 1  # the rank distribution
    assert not any("No ablation of fusion yet" in info.value for info in app.info)


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
