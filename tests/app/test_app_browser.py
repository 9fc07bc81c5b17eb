"""The dashboard in a real browser: Debian's chromium driven by Playwright against ``streamlit run`` on localhost."""

import argparse
import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from mmsearch.analysis import Source
from mmsearch.cli.dashboard_cmd import dashboard_environment, register, streamlit_command

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
    "Trial detail": "Trial detail",
    "Compare datasets": "Compare datasets",
    "Failures & plugins": "Failures & plugins",
}


@pytest.fixture
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")


@pytest.fixture
def server(dashboard_runs, tmp_path):
    """The dashboard served on a free localhost port as ``mmsearch dashboard`` serves it; stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        streamlit_command("127.0.0.1", port),
        env=dashboard_environment(Source(None, dashboard_runs)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _healthy(url):
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the dashboard did not start within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def test_every_page_in_a_real_browser(server, chromium, tmp_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/?datasets=tiny-a")
            for label, heading in PAGES.items():
                page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
                _settle(page, heading)
                assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {label}"
                # the sidebar filter follows the user from page to page (the app rewrites the address as it runs)
                page.wait_for_url(re.compile(r"[?&]datasets=tiny-a(&|$)"), timeout=30_000)
                page.screenshot(path=tmp_path / f"{label.split()[0].lower()}.png")
            page.goto(f"{server}/choices?axis=fusion")  # a shared address opens the same view
            _settle(page, "Which fusion wins: controlled ablations")
            assert page.locator('[data-testid="stException"]').count() == 0
            page.get_by_text("controlled, on tiny-a: fusion=").wait_for(timeout=30_000)
            page.get_by_role("heading", name="Which fusion wins: observational (from the search's trials)").wait_for()
            page.get_by_text("mmsearch ablate --study beta --axis fusion").wait_for()
        finally:
            browser.close()
    assert len(list(tmp_path.glob("*.png"))) == len(PAGES)


def _settle(page, heading: str) -> None:
    """Wait until ``heading`` shows and the script run is over."""
    page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=30_000)


def test_dashboard_command_binds_localhost_and_passes_the_storage(tmp_path, monkeypatch):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["dashboard", "--storage", "postgresql://u:pw@db/x", "--run-dir", str(tmp_path)])
    assert (args.host, args.port) == ("127.0.0.1", 8501)
    command = streamlit_command(args.host, args.port)
    assert command[1:4] == ["-m", "streamlit", "run"] and Path(command[4]).name == "main.py"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8501"
    monkeypatch.chdir(tmp_path)
    environment = dashboard_environment(Source("studies.log", Path("runs")))
    assert environment["MMSEARCH_STORAGE"] == str(tmp_path / "studies.log")  # absolute: the app runs elsewhere
    assert environment["MMSEARCH_RUN_DIR"] == str(tmp_path / "runs")
    assert (
        Source.from_environment(dashboard_environment(Source(args.storage, args.run_dir))).storage_url == args.storage
    )
