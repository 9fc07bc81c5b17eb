import json

import optuna
import pandas as pd
from optuna.distributions import FloatDistribution, json_to_distribution
from optuna.trial import TrialState, create_trial

from mmsearch.study import trials_frame
from mmsearch.study.leaderboard import config_key


def spec(seed, extractors, auxiliaries=None):
    component = {"name": "x", "params": {}}
    return {
        "extractors": extractors,
        "transform": component,
        "encoder": {"name": "mf", "params": {}},
        "timing": component,
        "fusion": component,
        "loss": {"name": "bpr", "params": {}},
        "train": {"lr": 0.01},
        "seed": seed,
        **({"auxiliaries": auxiliaries} if auxiliaries is not None else {}),
    }


def test_seed_free_config_key_and_derived_columns():
    study = optuna.create_study(study_name="cols", direction="maximize")
    image = {"image": {"name": "provided", "params": {}}}
    lr = FloatDistribution(0.001, 0.1, log=True)
    for seed, extractors, auxiliaries in [
        (0, image, None),
        (1, image, None),
        (0, {}, {"sand": {"name": "sand", "params": {}}}),
    ]:
        study.add_trial(
            create_trial(
                value=0.5,
                params={"train.lr": 0.01},
                distributions={"train.lr": lr},
                user_attrs={"spec": spec(seed, extractors, auxiliaries), "seed": seed},
            )
        )
    study.add_trial(create_trial(state=TrialState.FAIL))
    frame = trials_frame(study)
    assert frame["config"][0] == frame["config"][1] != frame["config"][2]
    assert frame["config"][0] == config_key(spec(7, image))
    assert frame["seed"][:3].tolist() == [0, 1, 0]
    assert frame["extractors"][:3].tolist() == ["image:provided", "image:provided", "id-only"]
    assert frame["auxiliaries"][:3].tolist() == ["none", "none", "sand"]
    assert frame["fusion"][:2].tolist() == ["x", "x"] and frame["encoder"][2] == "mf"
    assert frame[["transform", "timing", "fusion"]].iloc[2].isna().all()  # inactive in the ID-only trial
    assert json.loads(frame["spec"][1])["seed"] == 1
    assert json_to_distribution(json.loads(frame["distributions"][0])["train.lr"]) == lr
    failed = frame.iloc[3]
    assert pd.isna(failed["config"]) and pd.isna(failed["extractors"]) and failed["distributions"] == "{}"
