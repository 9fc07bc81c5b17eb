"""``mmsearch presets list`` and ``mmsearch presets show``: the named models and what each expands to."""

import pytest
import yaml

from mmsearch.cli.main import main
from mmsearch.cli.presets_cmd import first_sentence
from mmsearch.search.presets import load_presets

MODEL_HEADING = "come from the space):\n"


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_first_sentence_keeps_abbreviations_and_fits_a_row():
    assert first_sentence("Acme MF. A second sentence.") == "Acme MF."
    assert first_sentence("BPR-MF (Rendle et al., 2009): ID embeddings. More.") == (
        "BPR-MF (Rendle et al., 2009): ID embeddings."
    )
    long = first_sentence("word " * 60)
    assert len(long) <= 100 and long.endswith(" ...")


def test_list_shows_every_preset_with_its_first_sentence(capsys):
    code, out, _ = run(["presets", "list"], capsys)
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    for name, preset in load_presets().items():
        assert rows[name].split()[1] == "mmsearch" and rows[name].endswith(first_sentence(preset.description))


def test_a_broken_preset_is_listed_with_its_error_beside_the_others(third_party, capsys):
    code, out, _ = run(["presets", "list"], capsys)
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["acme_mf"] == ["acme_mf", "acme-plugins", "0.3", "Acme", "MF."]
    assert rows["acme_broken"][1:] == ["acme-plugins", "0.3", "BROKEN"]
    assert "broken preset 'acme_broken': preset 'acme_broken' from acme-plugins 0.3 failed to import" in out
    assert "lightgcn" in rows and "sand" in rows
    code, out, _ = run(["presets", "show", "acme_broken"], capsys)
    assert code == 0 and "status: BROKEN: preset 'acme_broken'" in out


def test_show_prints_the_description_and_the_model_with_every_parameter(capsys):
    preset = load_presets()["lightgcn"]
    code, out, _ = run(["presets", "show", "lightgcn"], capsys)
    assert code == 0 and out.startswith("preset 'lightgcn' from mmsearch ")
    assert " ".join(preset.description.split()) in " ".join(out.split())
    model = yaml.safe_load(out.split(MODEL_HEADING, 1)[1])
    assert model["extractor"] is None and model["auxiliaries"] == [] and model["train"] == {}
    assert model["encoder"] == {
        "name": "lightgcn",
        "params": {"n_layers": 2, "combine": "mean", "normalize_inputs": False, "item_residual": False},
    }
    code, out, _ = run(["presets", "show", "sand_vbpr"], capsys)
    model = yaml.safe_load(out.split(MODEL_HEADING, 1)[1])
    assert model["extractor"]["name"] == "provided" and [a["name"] for a in model["auxiliaries"]] == ["sand"]
    assert model["train"] == {"reg_weight": 0.01, "reg_modal_views": True}


def test_show_resolves_a_third_party_preset_against_third_party_plugins(third_party, capsys):
    code, out, _ = run(["presets", "show", "acme_mf"], capsys)
    assert code == 0 and out.startswith(f"preset 'acme_mf' from {third_party}")
    assert yaml.safe_load(out.split(MODEL_HEADING, 1)[1])["loss"] == {"name": "lightgcn", "params": {"margin": 2.0}}


@pytest.mark.parametrize(
    ("name", "message"),
    [("sandd", "unknown preset 'sandd'; did you mean sand? available: bm3, bpr_mf,"), ("ncf", "unknown preset 'ncf';")],
)
def test_an_unknown_preset_is_one_line_with_close_names(name, message, capsys):
    code, out, err = run(["presets", "show", name], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith(f"mmsearch: error: {message}")
