"""``mmsearch dashboard``: the Streamlit app over the studies of a storage, read-only, on localhost by default."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from mmsearch.analysis import Source
from mmsearch.errors import MMSearchError

from .arguments import tcp_port

APP_ENTRY = Path(importlib.util.find_spec("mmsearch.dashboard.main").origin)
"""The app's entry script, installed with the package (found without running it)."""

STOP_SECONDS = 10
"""How long a stopping server may take before it is killed."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dashboard", help="interactive dashboard over stored studies (Streamlit)")
    parser.add_argument("--storage", default=None, help="journal file path or postgresql:// URL (default: journals)")
    parser.add_argument("--run-dir", type=Path, default=Path("runs"), help="folder of local study files (runs/)")
    parser.add_argument("--port", type=tcp_port, default=8501, help="port to serve on (default 8501)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.set_defaults(func=dashboard)


def streamlit_command(host: str, port: int, app: Path = APP_ENTRY) -> list[str]:
    """The command line that serves ``app`` on ``host:port`` without opening a browser or sending usage data."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def dashboard_environment(source: Source) -> dict[str, str]:
    """This process's environment plus the variables that tell the app where the studies are (absolute paths)."""
    resolved = Source(source.storage_url, source.run_dir.resolve())
    if source.storage_url is not None and "://" not in source.storage_url:
        resolved = Source(str(Path(source.storage_url).resolve()), resolved.run_dir)
    return {**os.environ, **resolved.environment()}


def dashboard(args: argparse.Namespace) -> int:
    """Serve the app until Ctrl-C (then stop the server and return 0) or until the server exits (its exit code).

    Raises:
        MMSearchError: Streamlit is not installed.
    """
    if importlib.util.find_spec("streamlit") is None:
        raise MMSearchError("the dashboard needs Streamlit and plotly: pip install 'mmsearch[dashboard]'")
    print(f"mmsearch dashboard on http://{args.host}:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    environment = dashboard_environment(Source(args.storage, args.run_dir))
    server = subprocess.Popen(streamlit_command(args.host, args.port), env=environment)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        return 0
