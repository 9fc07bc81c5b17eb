"""A numeric option out of its range is a one-line error with exit status 2, before anything runs."""

import argparse

import pytest

from mmsearch.cli.arguments import MAX_SEED
from mmsearch.cli.main import build_parser, main

COMMANDS = {
    "run": ["run", "--space", "spaces/quick.yaml"],
    "worker": ["worker", "--study", "s"],
    "ablate": ["ablate", "--study", "s", "--axis", "fusion"],
    "trials": ["trials", "--study", "s"],
    "retrain": ["retrain", "0", "--study", "s"],
    "recommend": ["recommend", "--study", "s", "--trial", "0", "--user", "1"],
    "data synth": ["data", "synth", "out"],
    "data inspect": ["data", "inspect", "folder"],
    "dashboard": ["dashboard"],
}
BAD = {
    "run": {
        "--trials": ["0", "-1", "two"],
        "--timeout": ["-1", "nan", "inf"],
        "--seed": ["-1", str(MAX_SEED + 1)],
        "--workers": ["0", "-2"],
        "--memory-cap-mb": ["0", "-5", "nan"],
        "--keep-models": ["-1"],
        "--min-rating": ["nan", "inf"],
        "--split-seed": ["-1"],
    },
    "worker": {"--trials": ["0", "-1"], "--timeout": ["-0.5"], "--workers": ["0"], "--split-seed": ["-3"]},
    "ablate": {
        "--seeds": ["0", "-1"],
        "--anchors": ["top:0", "random:-1", "best:3", "top:"],
        "--workers": ["0"],
        "--memory-cap-mb": ["-1"],
    },
    "trials": {"--top": ["0"]},
    "retrain": {"--seeds": ["0"]},
    "recommend": {"--trial": ["-1"], "-k": ["0", "-3"]},
    "data synth": {"--users": ["0"], "--items": ["-1"], "--seed": ["-1"]},
    "data inspect": {"--min-rating": ["inf"], "--split-seed": ["-1"]},
    "dashboard": {"--port": ["0", "65536", "http"]},
}
GOOD = [
    ["run", "--space", "s.yaml", "--timeout", "0", "--keep-models", "0", "--seed", "0", "--memory-cap-mb", "0.5"],
    ["run", "--space", "s.yaml", "--seed", str(MAX_SEED), "--min-rating", "-1", "--trials", "1"],
    ["ablate", "--study", "s", "--axis", "fusion", "--anchors", "random:12", "--seeds", "1"],
    ["dashboard", "--port", "65535"],
    ["retrain", "0", "--study", "s"],
]


def bad_cases():
    for command, options in BAD.items():
        for option, values in options.items():
            for value in values:
                yield pytest.param(command, option, value, id=f"{command} {option} {value}")
    yield pytest.param("retrain", "TRIAL", "-1", id="retrain TRIAL -1")


@pytest.mark.parametrize(("command", "option", "value"), list(bad_cases()))
def test_an_out_of_range_option_is_one_line_and_exit_2(command, option, value, capsys):
    if option == "TRIAL":
        argv = ["retrain", value, "--study", "s"]
    else:
        argv = [*COMMANDS[command], f"{option}={value}"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"mmsearch: error: argument {option}: "), captured.err
    assert f"(see mmsearch {command} --help)" in captured.err


@pytest.mark.parametrize("argv", GOOD, ids=" ".join)
def test_values_at_the_ends_of_a_range_parse(argv):
    build_parser().parse_args(argv)


def test_every_numeric_option_states_its_range():
    def parsers(parser):
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from parsers(sub)

    plain = [
        f"{parser.prog} {action.dest}"
        for parser in parsers(build_parser())
        for action in parser._actions
        if action.type in (int, float)
    ]
    assert plain == []


def test_other_usage_mistakes_are_one_line_too(capsys):
    for argv in (["run"], ["rnu"], ["run", "--space", "s.yaml", "--colour", "red"], []):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("mmsearch: error: ") and err.count("\n") == 1
