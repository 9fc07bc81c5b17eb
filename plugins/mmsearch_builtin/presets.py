"""Named models of the literature as points of the design space."""

from __future__ import annotations

import dataclasses

from mmsearch.search.presets import Preset
from mmsearch.search.spec import ComponentSpec as C

PROVIDED = C("provided", {"standardize": True})
LINEAR = C("linear")

BPR_MF = Preset(
    name="bpr_mf",
    description=(
        "BPR-MF (Rendle et al., 2009): user and item ID embeddings, dot product, BPR with L2 on the batch's "
        "embeddings, one uniform negative per positive; lr and L2 weight are the space's fixed train settings, else "
        "1e-3 and 1e-4. Differs: trained with Adam over shuffled epochs (the original: SGD with bootstrap sampling)."
    ),
    transform=LINEAR,
    encoder=C("mf"),
    timing=C("early"),
    fusion=C("sum"),
    loss=C("bpr"),
)

LIGHTGCN = Preset(
    name="lightgcn",
    description=(
        "LightGCN (He et al., 2020): 2 propagation layers over the symmetrically normalised user-item graph, the "
        "mean of the layer outputs 0..2, dot product, BPR with L2 on the layer-0 embeddings of the batch, Adam (as "
        "the original). Differs: the layer count is fixed at 2 (the paper reports 1-4) and the L2 weight comes "
        "from the space (the original's 1e-4)."
    ),
    transform=LINEAR,
    encoder=C("lightgcn", {"n_layers": 2}),
    timing=C("early"),
    fusion=C("sum"),
    loss=C("bpr"),
)

VBPR = Preset(
    name="vbpr",
    description=(
        "VBPR (He & McAuley, 2016): item = [ID embedding ; E f_i], user = [gamma_u ; theta_u], BPR, L2 (weight "
        "1e-2, chosen on TikTok's validation split from 1e-4, 1e-3, 1e-2) on the whole item vector, projected "
        "features included. Differs: the ID and visual parts have equal width, every modality gets its own "
        "projection, no visual bias term beta'."
    ),
    transform=LINEAR,
    encoder=C("mf"),
    timing=C("early"),
    fusion=C("concat"),
    loss=C("bpr"),
    extractor=PROVIDED,
    train={"reg_weight": 1e-2, "reg_modal_views": True},
)

FREEDOM = Preset(
    name="freedom",
    description=(
        "FREEDOM-like (Zhou & Shen, 2023): LightGCN (2 layers) on a degree-sensitively pruned user-item graph (80% of "
        "the edges dropped per training step, drawn with probability 1/sqrt(d_u d_i); the full graph at evaluation) "
        "plus one convolution over a frozen item-item kNN graph (k=10) of the modal features, one term per modality "
        "in the score (late concat = sum of per-view scores, i.e. the modality BPR terms). Matches the paper's "
        "pruning rule and its released configuration (dropout searched in {0.8, 0.9}). Differs: the pruned graph is "
        "redrawn every step, not every epoch; each modality has its own user embedding; the kNN graph is binary "
        "cosine kNN without self-loops; the two modalities weigh 0.5 each (FREEDOM: image 0.1, text 0.9)."
    ),
    transform=LINEAR,
    encoder=C("item_knn", {"n_layers": 2, "item_layers": 1, "k": 10, "modality_balance": 0.5, "edge_dropout": 0.8}),
    timing=C("late"),
    fusion=C("concat"),
    loss=C("bpr"),
    extractor=PROVIDED,
)

MGCN = Preset(
    name="mgcn",
    description=(
        "MGCN-like (Yu et al., 2023): ID-gated purifier of modal features, LightGCN + item-item kNN graphs, "
        "per-entity attentive fusion of the views, InfoNCE between modal and ID views. Differs: the behaviour-aware "
        "fuser is the shared attentive sum; the item graph is combined before convolution."
    ),
    transform=C("purifier"),
    encoder=C("item_knn", {"n_layers": 2, "item_layers": 1, "k": 10, "modality_balance": 0.5}),
    timing=C("late"),
    fusion=C("attentive_sum", {"mode": "per_entity"}),
    loss=C("bpr"),
    extractor=PROVIDED,
    auxiliaries={"infonce": C("infonce", {"weight": 0.01, "temperature": 0.2, "pairs": "modal_id"})},
)

SAND_PARAMS = {"alpha": 0.012, "beta": 0.006, "align": "solosim", "distance": "club", "temperature": 0.2}
"""SAND's released configuration: SoloSim weight 0.012 at tau 0.2, CLUB distancing weight 0.006."""


def with_sand(base: Preset, name: str, description: str) -> Preset:
    """``base`` with SAND's auxiliary (``SAND_PARAMS``) added on its modal views' halves, everything else kept."""
    auxiliaries = {**base.auxiliaries, "sand": C("sand", SAND_PARAMS)}
    return dataclasses.replace(base, name=name, description=description, auxiliaries=auxiliaries)


SAND_VBPR = with_sand(
    VBPR,
    "sand_vbpr",
    "VBPR with SAND (arXiv 2406.08270, Table 3): the VBPR preset, each modal view [E_m f_i] split into a generic "
    "and a unique half, both scored; SoloSim between the generic halves, CLUB between each view's halves, at "
    "SAND's released weights (0.012, 0.006; tau 0.2). Differs from the authors' VBPR+SAND code: there the "
    "unique halves do not enter the score, the distance is negative L2 and the alignment weight 0.1 at tau 0.1; "
    "and every difference of the VBPR preset.",
)

SAND_FREEDOM = with_sand(
    FREEDOM,
    "sand_freedom",
    "FREEDOM-like preset plus SAND on its modal views' halves (SoloSim alignment, CLUB distancing).",
)

SAND_MGCN = with_sand(
    MGCN,
    "sand_mgcn",
    "MGCN-like preset plus SAND on its modal views' halves (SoloSim alignment, CLUB distancing).",
)
