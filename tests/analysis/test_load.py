import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState, create_trial

from mmsearch.analysis import curves_frame, fusion_weights_frame, per_user_frame
from mmsearch.study.vectors import encode_array


@pytest.fixture
def study():
    study = optuna.create_study(study_name="mem", direction="maximize")
    curve = [{"epoch": 1, "loss": 0.9, "valid_recall@20": 0.1}, {"epoch": 2, "loss": 0.5, "valid_recall@20": 0.3}]
    vectors = {
        "test_users": encode_array(np.array([4, 7], dtype="int32")),
        "test_recall@20": encode_array(np.array([0.5, 1.0], dtype="float32")),
    }
    study.add_trial(
        create_trial(
            value=0.3,
            params={"timing": "late"},
            distributions={"timing": CategoricalDistribution(["early", "late"])},
            user_attrs={
                "label": "a",
                "curve": curve,
                "per_user": vectors,
                "fusion_weights": {"timing.item_fusion": {"id": 0.25, "image": 0.75}},
            },
        )
    )
    study.add_trial(create_trial(state=TrialState.FAIL, user_attrs={"label": "b", "curve": curve[:1]}))
    return study


def test_curves_of_chosen_trials(study):
    curves = curves_frame(study, [0, 1])
    assert curves[["trial", "epoch", "valid_recall@20"]].values.tolist() == [[0, 1, 0.1], [0, 2, 0.3], [1, 1, 0.1]]
    assert set(curves["study"]) == {"mem"} and curves["label"].tolist() == ["a", "a", "b"]
    assert curves_frame(study, []).empty


def test_per_user_vectors_are_decoded_and_missing_ones_skipped(study):
    per_user = per_user_frame(study, [0, 1], "test", "recall@20")
    assert per_user.values.tolist() == [["mem", 0, 0, 4, 0.5], ["mem", 0, 0, 7, 1.0]]
    assert per_user_frame(study, [0], "valid", "recall@20").empty
    assert per_user_frame(study, [1], "test", "recall@20").columns.tolist() == [
        "study",
        "trial",
        "seed",
        "user",
        "value",
    ]


def test_per_user_vectors_of_a_retraining_join_as_runs_of_their_seeds(study, tmp_path):
    path = tmp_path / "retrain-0.npz"
    seeds = np.array([0, 1, 2])  # the trial's own seed 0 again (the same values), then two new ones
    values = np.array([[0.5, 1.0], [0.25, 0.0], [0.75, 0.5]], dtype="float32")
    np.savez(path, seeds=seeds, test_users=np.array([4, 7], dtype="int32"), **{"test_recall@20": values})
    study.set_user_attr("retrain:0", {"seeds": [0, 1, 2], "vectors": str(path)})
    per_user = per_user_frame(study, [0], "test", "recall@20")
    assert per_user[["seed", "user", "value"]].values.tolist() == [
        [0, 4, 0.5], [0, 7, 1.0], [1, 4, 0.25], [1, 7, 0.0], [2, 4, 0.75], [2, 7, 0.5]
    ]  # fmt: skip
    assert set(per_user["trial"]) == {0}
    # vectors written on another host (not readable here): the trial's own run alone
    path.unlink()
    assert per_user_frame(study, [0], "test", "recall@20")["seed"].tolist() == [0, 0]


def test_fusion_weights_as_a_table(study):
    weights = fusion_weights_frame(study.trials[0])
    assert weights.values.tolist() == [["timing.item_fusion", "id", 0.25], ["timing.item_fusion", "image", 0.75]]
    assert fusion_weights_frame(study.trials[1]).empty
