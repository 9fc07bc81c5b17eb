"""``mmsearch presets list``: every registered preset (named model) with its origin and the first sentence of its
description; ``mmsearch presets show NAME``: its whole description and the model it expands to, as YAML."""

from __future__ import annotations

import argparse
import re
import textwrap

import yaml

from mmsearch.errors import PluginError, unknown_name
from mmsearch.registry import Registry
from mmsearch.search.presets import describe_presets

WIDTH = 100
"""Characters of a description's first sentence that ``presets list`` shows, and of each line of ``presets show``."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def register(subparsers: argparse._SubParsersAction) -> None:
    presets = subparsers.add_parser("presets", help="named models that a space can run as baselines")
    commands = presets.add_subparsers(dest="presets_command", required=True)
    commands.add_parser("list", help="every preset with the first sentence of its description").set_defaults(
        func=list_presets
    )
    show = commands.add_parser("show", help="one preset: its description and the model it expands to")
    show.add_argument("name", metavar="NAME", help="preset name, as listed in a space's baselines")
    show.set_defaults(func=show_preset)


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, shortened to ``WIDTH`` characters at a word boundary."""
    sentence = SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    return textwrap.shorten(sentence, WIDTH, placeholder=" ...")


def list_presets(args: argparse.Namespace) -> int:
    """Prints a table; returns 0 even when some presets are broken (they are shown with their error)."""
    infos = describe_presets()
    rows = [("name", "distribution", "version", "description")]
    rows += [
        (i.name, i.distribution, i.version, "BROKEN" if i.preset is None else first_sentence(i.preset.description))
        for i in infos
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip())
    for info in infos:
        if info.error is not None:
            print(f"broken preset '{info.name}': {info.error}")
    return 0


def show_preset(args: argparse.Namespace) -> int:
    """Prints the description (wrapped) and the YAML of ``Preset.to_yaml_dict``; a broken preset is shown with its
    error and, as for ``list``, still returns 0.

    Raises:
        PluginError: no preset has that name (close names are suggested), or a component it names is unknown or
            broken.
    """
    infos = {info.name: info for info in describe_presets()}
    if args.name not in infos:
        raise PluginError(unknown_name("preset", args.name, infos))
    info = infos[args.name]
    print(f"preset '{info.name}' from {info.distribution} {info.version}")
    if info.preset is None:
        print(f"status: BROKEN: {info.error}")
        return 0
    print()
    print(textwrap.fill(info.preset.description, WIDTH))
    print()
    print("model (every parameter; train settings not listed come from the space):")
    print(yaml.safe_dump(info.preset.to_yaml_dict(Registry()), sort_keys=False).rstrip())
    return 0
