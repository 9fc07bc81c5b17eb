"""``mmsearch plugins show``: one plugin's origin, docstring, parameters and default search space."""

import inspect

import pytest
import yaml

from mmsearch.cli.main import main
from mmsearch.registry import Registry


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_prints_origin_docstring_parameters_and_default_space(capsys):
    plugin = Registry().get("encoder", "lightgcn")
    code, out, _ = run(["plugins", "show", "lightgcn"], capsys)
    assert code == 0
    assert out.startswith("encoder 'lightgcn' from mmsearch ") and "\nstatus: ok\n" in out
    assert inspect.cleandoc(plugin.__doc__) in out
    for key, default in plugin.hyperparameters().items():
        assert f"\n  {key}: {type(default).__name__} = {default!r}\n" in out
    for key, param in plugin.search_space().items():
        assert f"\n  {key}: {yaml.safe_dump(param.to_yaml(), default_flow_style=True, sort_keys=False)}" in out


def test_a_name_of_several_kinds_shows_each_and_kind_name_picks_one(third_party, capsys):
    code, out, _ = run(["plugins", "show", "lightgcn"], capsys)
    assert code == 0
    assert "encoder 'lightgcn' from mmsearch " in out
    assert f"loss 'lightgcn' from {third_party} (acme_plugins:NamesakeLoss)" in out
    assert "A loss that shares its name with a built-in encoder." in out and "margin: float = 1.0" in out
    code, out, _ = run(["plugins", "show", "loss:lightgcn"], capsys)
    assert code == 0 and out.startswith("loss 'lightgcn'") and "encoder 'lightgcn'" not in out


def test_a_broken_plugin_is_shown_with_its_error_and_breaks_no_other(third_party, capsys):
    code, out, _ = run(["plugins", "show", "acme_crash"], capsys)
    assert code == 0
    assert out.startswith(f"encoder 'acme_crash' from {third_party} (acme_crashing:Anything)")
    assert "status: BROKEN: encoder 'acme_crash' from acme-plugins 0.3 failed to import: RuntimeError: boom" in out
    code, out, _ = run(["plugins", "show", "mf"], capsys)
    assert code == 0 and "encoder 'mf' from mmsearch" in out and "status: ok" in out
    code, out, _ = run(["plugins", "list"], capsys)
    rows = [line.split() for line in out.splitlines()]
    assert code == 0 and ["encoder", "acme_crash", "acme-plugins", "0.3", "BROKEN"] in rows
    assert ["loss", "lightgcn", "acme-plugins", "0.3", "ok"] in rows


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("lightgnc", "unknown plugin 'lightgnc'; did you mean lightgcn? available: "),
        ("encoder:lightgnc", "unknown encoder 'lightgnc'; did you mean lightgcn? available: dualgnn, item_knn,"),
        ("optimizer:adam", "unknown plugin kind 'optimizer'; kinds: extractor, transform, encoder"),
        ("zzzzzz", "unknown plugin 'zzzzzz'; available: "),
    ],
)
def test_an_unknown_name_is_one_line_with_close_names(name, message, capsys):
    code, out, err = run(["plugins", "show", name], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"mmsearch: error: {message}")
