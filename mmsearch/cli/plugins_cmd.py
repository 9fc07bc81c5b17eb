"""``mmsearch plugins list``: every registered plugin with its kind, distribution and version; ``mmsearch plugins
show NAME``: one plugin's contract (docstring, constructor parameters, default search space)."""

from __future__ import annotations

import argparse
import inspect

import yaml

from mmsearch.components import Component
from mmsearch.registry import PluginInfo, Registry


def register(subparsers: argparse._SubParsersAction) -> None:
    plugins = subparsers.add_parser("plugins", help="registered plugins")
    commands = plugins.add_subparsers(dest="plugins_command", required=True)
    commands.add_parser("list", help="list plugins and broken ones with their error").set_defaults(func=list_plugins)
    show = commands.add_parser("show", help="one plugin: origin, docstring, parameters, default search space")
    show.add_argument("name", metavar="NAME", help="plugin name, or KIND:NAME where several kinds have one")
    show.set_defaults(func=show_plugin)


def list_plugins(args: argparse.Namespace) -> int:
    """Prints a table; returns 0 even when some plugins are broken (they are shown with their error)."""
    infos = Registry().describe()
    rows = [("kind", "name", "distribution", "version", "status")]
    rows += [(i.kind, i.name, i.distribution, i.version, "ok" if i.error is None else "BROKEN") for i in infos]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    broken = [info for info in infos if info.error is not None]
    for info in broken:
        print(f"broken {info.kind} '{info.name}': {info.error}")
    return 0


def show_plugin(args: argparse.Namespace) -> int:
    """Prints every plugin NAME names (one per kind that registers it); a broken one is shown with its error and,
    as for ``list``, still returns 0.

    Raises:
        PluginError: no plugin has that name (close names are suggested), or an unknown KIND.
    """
    registry = Registry()
    found = registry.find(args.name)
    for index, (kind, name) in enumerate(found):
        if index:
            print()
        info = registry.info(kind, name)
        print(_describe(info, None if info.error else registry.get(kind, name)))
    return 0


def _describe(info: PluginInfo, plugin: type[Component] | None) -> str:
    """The text of one plugin: origin and status, then (when it loads) docstring, parameters and search space."""
    lines = [
        f"{info.kind} '{info.name}' from {info.distribution} {info.version} ({info.target})",
        f"status: {'ok' if info.error is None else 'BROKEN: ' + info.error}",
    ]
    if plugin is None:
        return "\n".join(lines)
    missing = plugin.missing_requirement()
    if missing:
        lines.append(f"cannot run here: {missing}")
    doc = plugin.__dict__.get("__doc__")  # its own, not the base class's contract
    lines += ["", inspect.cleandoc(doc) if doc else "(no docstring)", "", "parameters:"]
    signature = inspect.signature(plugin.__init__).parameters
    lines += [
        f"  {key}{_annotation(signature[key])} = {default!r}" for key, default in plugin.hyperparameters().items()
    ]
    lines += ["  (none)"] if not plugin.hyperparameters() else []
    lines.append("default search space:")
    for key, param in plugin.search_space().items():
        lines.append(f"  {key}: {yaml.safe_dump(param.to_yaml(), default_flow_style=True, sort_keys=False).strip()}")
    lines += ["  (none: every parameter keeps its default unless a space sets it)"] if not plugin.search_space() else []
    return "\n".join(lines)


def _annotation(parameter: inspect.Parameter) -> str:
    """``: int`` for a parameter annotated ``int``; empty without an annotation."""
    annotation = parameter.annotation
    if annotation is inspect.Parameter.empty:
        return ""
    return f": {annotation if isinstance(annotation, str) else getattr(annotation, '__name__', annotation)}"
