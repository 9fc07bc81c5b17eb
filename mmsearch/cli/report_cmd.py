"""``mmsearch report``: what a study found, as text, Markdown or one self-contained HTML file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mmsearch.analysis import FORMATS, Source, build_report, load_study, locate_study, render

from .run_cmd import add_study_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="analysis of a study: trial outcomes, leaderboard, which choices win, importance, significance",
    )
    add_study_arguments(parser, required=True)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), markdown, html or json (typed verdicts; schema in mmsearch.analysis.report_json)",
    )
    parser.add_argument("--output", type=Path, default=None, help="write to this file instead of printing")
    parser.set_defaults(func=report)


def report(args: argparse.Namespace) -> int:
    """Build and print (or write) the report; analyses the study cannot support yet are replaced by a note."""
    ref = locate_study(args.study, Source(args.storage, args.run_dir))
    text = render(build_report(load_study(ref)), args.format)
    if args.output is None:
        print(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
