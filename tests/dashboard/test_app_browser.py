"""The dashboard in a real browser: Debian's chromium driven by Playwright against ``streamlit run`` on localhost."""

import argparse
from pathlib import Path

from dashboard_harness import settle, visit_every_page

import mmsearch.dashboard
from mmsearch.analysis import Source
from mmsearch.cli.dashboard_cmd import dashboard_environment, register, streamlit_command


def test_every_page_in_a_real_browser(dashboard_runs, serve_dashboard, browser_page, tmp_path):
    environment = dashboard_environment(Source(None, dashboard_runs))
    url = serve_dashboard(lambda port: streamlit_command("127.0.0.1", port), environment)
    visit_every_page(browser_page, url, tmp_path)
    browser_page.goto(f"{url}/choices?axis=fusion")  # a shared address opens the same view
    settle(browser_page, "Which fusion wins: controlled ablations")
    assert browser_page.locator('[data-testid="stException"]').count() == 0
    browser_page.get_by_text("controlled, on tiny-a: fusion=").wait_for(timeout=30_000)
    browser_page.get_by_role("heading", name="Which fusion wins: observational (from the search's trials)").wait_for()
    browser_page.get_by_text("mmsearch ablate --study beta --axis fusion").wait_for()


def test_dashboard_command_binds_localhost_and_passes_the_storage(tmp_path, monkeypatch):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["dashboard", "--storage", "postgresql://u:pw@db/x", "--run-dir", str(tmp_path)])
    assert (args.host, args.port) == ("127.0.0.1", 8501)
    command = streamlit_command(args.host, args.port)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert Path(command[4]) == Path(mmsearch.dashboard.__file__).with_name("main.py")  # the installed package's
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8501"
    monkeypatch.chdir(tmp_path)
    environment = dashboard_environment(Source("studies.log", Path("runs")))
    assert environment["MMSEARCH_STORAGE"] == str(tmp_path / "studies.log")  # absolute: the app runs elsewhere
    assert environment["MMSEARCH_RUN_DIR"] == str(tmp_path / "runs")
    assert (
        Source.from_environment(dashboard_environment(Source(args.storage, args.run_dir))).storage_url == args.storage
    )
