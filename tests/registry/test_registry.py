import re
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from mmsearch.components import Encoder
from mmsearch.errors import PluginError
from mmsearch.registry import KINDS, Registry

BUILT_INS = {
    "extractor": {"provided", "tfidf_svd", "minilm", "color_histogram", "efficientnet_lite0"},
    "transform": {"linear", "mlp", "purifier"},
    "encoder": {"mf", "lightgcn", "item_knn", "lattice", "dualgnn"},
    "timing": {"early", "late"},
    "fusion": {"sum", "mean", "concat", "attentive_sum", "attentive_concat"},
    "loss": {"bpr", "hinge", "bce", "mse"},
    "auxiliary": {"infonce", "feature_cl", "edge_dropout_cl", "sand"},
}

PLUGIN_SOURCE = textwrap.dedent(
    """
    from torch import nn
    from mmsearch.components import Encoder, Loss
    from mmsearch.search.params import IntParam

    class GoodEncoder(Encoder):
        name = "good"
        def __init__(self, *, depth: int = 1):
            self.depth = depth
        @classmethod
        def search_space(cls):
            return {"depth": IntParam(1, 3)}
        def build(self, ctx, dim):
            return nn.Identity()

    class WrongName(GoodEncoder):
        name = "something-else"

    class BadSpace(GoodEncoder):
        name = "badspace"
        @classmethod
        def search_space(cls):
            return {"width": IntParam(1, 3)}

    class Abstract(Encoder):
        name = "abstract"

    class NotAnEncoder(Loss):
        name = "loss-in-disguise"
        def build(self, ctx):
            return nn.Identity()
    """
)


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    (tmp_path / "third_party_plugins.py").write_text(PLUGIN_SOURCE)
    (tmp_path / "crashing_plugin.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "third_party_plugins"
    for name in ("third_party_plugins", "crashing_plugin"):
        sys.modules.pop(name, None)


def encoder_point(name, target):
    return EntryPoint(name, target, "mmsearch.encoders")


def test_built_ins_come_through_entry_points():
    registry = Registry()
    for kind, names in BUILT_INS.items():
        assert names <= set(registry.names(kind))
        for name in names:
            plugin = registry.get(kind, name)
            assert issubclass(plugin, KINDS[kind][1]) and plugin.name == name
            assert registry.origin(kind, name).startswith("mmsearch ")


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(
        PluginError, match=r"unknown encoder 'gat'; available: dualgnn, item_knn, lattice, layergcn, lightgcn, mf"
    ):
        Registry().get("encoder", "gat")
    with pytest.raises(PluginError, match="unknown plugin kind 'optimizer'"):
        Registry().names("optimizer")


def test_third_party_plugin_is_discovered_and_validated(plugin_module):
    registry = Registry([encoder_point("good", f"{plugin_module}:GoodEncoder")])
    assert registry.get("encoder", "good").search_space()["depth"].high == 3
    assert "good" in registry.names("encoder")


@pytest.mark.parametrize(
    ("name", "target", "message"),
    [
        ("crash", "crashing_plugin:Anything", "failed to import: RuntimeError: boom at import"),
        ("missing", "third_party_plugins:NoSuchClass", "failed to import: AttributeError"),
        ("good", "third_party_plugins:WrongName", "declares name 'something-else', not 'good'"),
        ("badspace", "third_party_plugins:BadSpace", r"search space keys \['width'\] are not constructor arguments"),
        ("abstract", "third_party_plugins:Abstract", "does not implement build"),
        ("loss-in-disguise", "third_party_plugins:NotAnEncoder", "is not a subclass of mmsearch.components.Encoder"),
    ],
)
def test_broken_plugins_are_reported_by_name_without_crashing_the_rest(plugin_module, name, target, message):
    registry = Registry([encoder_point(name, target)])
    with pytest.raises(PluginError, match=message) as error:
        registry.get("encoder", name)
    assert f"encoder '{name}'" in str(error.value)
    infos = {(info.kind, info.name): info for info in registry.describe()}
    assert re.search(message, infos["encoder", name].error)
    assert infos["encoder", "lightgcn"].error is None
    assert issubclass(registry.get("encoder", "mf"), Encoder)


def test_duplicate_names_are_refused(plugin_module):
    registry = Registry([encoder_point("mf", f"{plugin_module}:GoodEncoder")])
    with pytest.raises(PluginError, match="encoder 'mf' is registered more than once"):
        registry.get("encoder", "mf")
