"""The dashboard under test, for every test that drives it (registered in ``tests/conftest.py``).

Fixtures: ``dashboard_runs``, two small real studies made once per session; ``serve_dashboard``, a server on a free
localhost port; ``browser_page``, a page of Debian's Chromium driven by Playwright. ``visit_every_page`` walks the
navigation in that page, ``settle`` waits for one page to finish.

``alpha`` (dataset ``tiny-a``): trial 0 enqueued with a learning rate far out of the space (its loss diverges: a
failure), ten sampled trials that complete (enough for parameter importance), and one pruned trial told by hand.
``beta`` (dataset ``tiny-b``): three completed trials, so that datasets can be compared, its best one re-trained
under 2 seeds (``mmsearch retrain``). ``alpha--ablate-fusion``:
the ablation of ``fusion`` around alpha's 3 best configurations under 2 seeds.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, run_study
from mmsearch.study.ablation import open_ablation, plan_ablation, run_ablation
from mmsearch.study.retrain import retrain_trial
from mmsearch.study.storage import journal_path, open_storage
from mmsearch.testing import tiny_dataset, tiny_space

SPACE = tiny_space(fusions=("sum", "attentive_sum"), max_epochs=2)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
PAGES = {  # navigation label -> page heading
    "Overview": "Studies",
    "Choices that win": "Choices that win",
    "Top configurations": "Top configurations",
    "Importance": "Parameter importance",
    "Pareto front": "Pareto front",
    "Slices": "Slices",
    "Trial detail": "Trial detail",
    "Compare datasets": "Compare datasets",
    "Failures & plugins": "Failures & plugins",
}
START_SECONDS = 90
"""How long a server may take to answer its health check (a fresh environment compiles Streamlit on first import)."""
STOP_SECONDS = 10
"""How long a stopping server may take before its process group is killed."""


@pytest.fixture(scope="session")
def dashboard_runs(tmp_path_factory) -> Path:
    """The run folder holding ``alpha``, ``beta`` and ``alpha--ablate-fusion``."""
    run_dir = tmp_path_factory.mktemp("dashboard") / "runs"
    alpha = _study(run_dir, "alpha", "tiny-a", seed=0, trials=11, failures=1)
    pruned = alpha.ask()
    pruned.set_user_attr("curve", [{"epoch": 1, "loss": 0.7, "valid_recall@20": 0.1}])
    alpha.tell(pruned, state=TrialState.PRUNED)
    beta = _study(run_dir, "beta", "tiny-b", seed=1, trials=3, failures=0)
    _ablate(run_dir, alpha, "fusion")
    data = dataclasses.replace(tiny_dataset(n_users=40, seed=1), name="tiny-b")
    retrain_trial(beta, beta.best_trial.number, data, Registry(), torch.device("cpu"), run_dir, seeds=2)
    return run_dir


def _study(run_dir: Path, name: str, dataset_name: str, seed: int, trials: int, failures: int) -> optuna.Study:
    registry = Registry()
    study = optuna.create_study(study_name=name, storage=open_storage(None, run_dir, name), direction="maximize")
    for _ in range(failures):
        study.enqueue_trial({"train.lr": 1.0e300})
    dataset = dataclasses.replace(tiny_dataset(n_users=40, seed=seed), name=dataset_name)
    options = RunOptions(study_name=name, storage_url=None, run_dir=run_dir, n_trials=trials, show_progress=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Fixed parameter train.lr")
        run_study(dataset, parse_space(SPACE, registry), registry, torch.device("cpu"), options)
    return study


def _ablate(run_dir: Path, study: optuna.Study, axis: str) -> None:
    """The ablation of ``axis`` around the 3 best configurations of ``study`` under 2 seeds."""
    registry = Registry()
    dataset = dataclasses.replace(tiny_dataset(n_users=40, seed=0), name="tiny-a")
    space = parse_space(study.user_attrs["space"], registry).for_dataset(dataset, registry)
    plan = plan_ablation(study, space, registry, axis, "top:3", 2)
    url = str(journal_path(None, run_dir, study.study_name))
    options = RunOptions(plan.name, url, run_dir, len(plan.variants), show_progress=False)
    ablation, space, _ = open_ablation(study, plan, dataset, registry, options)
    run_ablation(ablation, space, dataset, registry, torch.device("cpu"), options)


@pytest.fixture
def serve_dashboard(tmp_path) -> Iterator[Callable[..., str]]:
    """``serve_dashboard(command, env, cwd=None)``: the URL of a running server, stopped after the test.

    ``command(port)`` is the command line that serves the dashboard on ``127.0.0.1:port`` (a free port is chosen).
    The server runs in its own session and is stopped with SIGINT, as Ctrl-C stops ``mmsearch dashboard``; its
    output goes to ``server-<port>.log`` under the test's folder and is shown when it fails to start.
    """
    servers: list[subprocess.Popen] = []

    def serve(command: Callable[[int], list[str]], env: dict[str, str], cwd: Path | None = None) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log_path = tmp_path / f"server-{port}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command(port), env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        servers.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        while not _healthy(url):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, f"the dashboard did not start within {START_SECONDS} s"
            time.sleep(0.2)
        return url

    yield serve
    for process in servers:
        _stop(process)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C, then the whole process group killed if it is still there after ``STOP_SECONDS``."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; missing, it skips the test, or fails it under ``CI=true``."""
    if CHROMIUM.is_file():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")


@pytest.fixture
def browser_page(chromium):
    """A 1400 x 1000 page of headless Chromium, closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()


def visit_every_page(page, url: str, screenshots: Path) -> None:
    """Open ``url`` filtered to ``tiny-a``, click every page of the navigation, and check each one.

    Each page shows its heading without an exception, the sidebar filter follows from page to page (the app
    rewrites the address as it runs), and a screenshot of each is written to ``screenshots``.
    """
    page.goto(f"{url}/?datasets=tiny-a")
    for label, heading in PAGES.items():
        page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
        settle(page, heading)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {label}"
        page.wait_for_url(re.compile(r"[?&]datasets=tiny-a(&|$)"), timeout=30_000)
        page.screenshot(path=screenshots / f"{label.split()[0].lower()}.png")
    assert len(list(screenshots.glob("*.png"))) == len(PAGES)


def settle(page, heading: str) -> None:
    """Wait until ``heading`` shows and the script run is over (the app's script state, as Streamlit's own browser
    tests read it: the status widget shows only once a run has lasted a while)."""
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=30_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)
