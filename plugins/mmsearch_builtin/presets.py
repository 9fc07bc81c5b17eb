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

LAYERGCN = Preset(
    name="layergcn",
    description=(
        "LayerGCN (Zhou et al., ICDE 2023), as its released code: 4 layers over the normalised user-item graph, each "
        "layer's output scaled per node by its cosine with the ego embedding, the sum of layers 1..4 (the ego layer "
        "left out), dot product; the user-item graph pruned once per epoch (10% of the edges dropped, epochs "
        "alternating between a degree-sensitive draw and a uniform one, re-normalised; the full graph at "
        "evaluation); BPR + 1e-4 L2 on the batch's layer-0 embeddings; Adam at lr 1e-3. Differs: the released "
        "configuration searches the L2 weight in {1e-2, 1e-3, 1e-4, 1e-5} and the dropout in {0, 0.1, 0.2} per "
        "dataset (the preset is one point: 1e-4, 0.1); BPR and L2 averaged over the batch (the code sums both, the "
        "same objective up to a factor that Adam does not see)."
    ),
    transform=LINEAR,
    encoder=C("layergcn", {"n_layers": 4, "edge_dropout": 0.1, "pruning": "alternate"}),
    timing=C("early"),
    fusion=C("sum"),
    loss=C("bpr"),
    train={"lr": 1e-3, "reg_weight": 1e-4},
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

BM3 = Preset(
    name="bm3",
    description=(
        "BM3 (Zhou et al., WWW 2023), as its released code (MMRec): LightGCN (1 layer, mean of layers 0..1) over the "
        "ID embeddings, items plus their ID embedding once more; scores from the ID stream through the predictor P "
        "(Linear 64 -> 64): (P u) . (P i); per modality the projection Linear(f_m) (the features trained from their "
        "raw values) enters the loss only; negative-free loss: 1 - cos(P u, sg drop(i)) + 1 - cos(P i, sg drop(u)) "
        "+ 2.0 x sum over modalities of [1 - cos(P h_m, sg drop(i)) + 1 - cos(P h_m, sg drop(h_m))], batch means, "
        "dropout 0.3 on the targets, + 0.1 x (||U|| + ||I||) / n_items over the whole user and item matrices; no "
        "other L2; Adam at lr 1e-3. Differs: the released configuration searches the layers in {1, 2}, the dropout "
        "in {0.3, 0.5} and the norm weight in {0.1, 0.01} per dataset (the preset is one point: 1, 0.3, 0.1); "
        "targets are dropped out row by row after gathering the batch (the code drops out the whole matrices, the "
        "same distribution per row); the projections are Xavier-uniform with zero bias (the code: Xavier-normal "
        "weights, PyTorch's default bias)."
    ),
    transform=C("linear", {"tune_features": True}),
    encoder=C("lightgcn", {"n_layers": 1, "item_residual": True}),
    timing=C("early"),
    fusion=C("id_view"),
    loss=C("bootstrap", {"dropout": 0.3, "cl_weight": 2.0, "norm_weight": 0.1}),
    extractor=C("provided", {"standardize": False}),
    train={"lr": 1e-3, "reg_weight": 0.0},
)

FREEDOM = Preset(
    name="freedom",
    description=(
        "FREEDOM (Zhou & Shen, 2023), as its released code: scores from the ID embeddings alone; users and items "
        "propagated by LightGCN (2 layers, mean of layers 0..2) over the user-item graph pruned degree-sensitively "
        "once per epoch (80% of the edges dropped, drawn with probability 1/sqrt(d_u d_i), re-normalised; the full "
        "graph at evaluation), items plus one convolution over the frozen item-item graph: per modality the binary "
        "cosine top-10 graph of the raw features, the item itself included, D^-1/2 G D^-1/2, mixed image 0.1 / "
        "other modality 0.9 (FREEDOM's image/text weights; on image + audio data audio takes text's place); loss "
        "BPR + 1e-3 * sum over modalities of BPR(final user, Linear_m(f_m) of the positive and negative), the "
        "features trained from their raw values; no L2; Adam at lr 1e-3; negatives drawn from the items with a "
        "training interaction (MMRec's sampler). Differs: the released configuration "
        "searches dropout in {0.8, 0.9} and the modality weight in {0, 1e-5, 1e-4, 1e-3} per dataset (the preset "
        "is one point: 0.8, 1e-3); weights are Xavier-initialised (the code keeps PyTorch's default init for the "
        "projections)."
    ),
    transform=C("linear", {"tune_features": True}),
    encoder=C(
        "item_knn",
        {"n_layers": 2, "item_layers": 1, "k": 10, "self_loops": True, "image_weight": 0.1, "edge_dropout": 0.8},
    ),
    timing=C("early"),
    fusion=C("id_view"),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    auxiliaries={"modal_bpr": C("modal_bpr", {"weight": 1e-3})},
    train={"lr": 1e-3, "reg_weight": 0.0, "negative_pool": "trained"},
)

MGCN = Preset(
    name="mgcn",
    description=(
        "MGCN (Yu et al., 2023), as its released code: behaviour stream = LightGCN (2 layers, mean of layers 0..2) "
        "over the full user-item graph; per modality the purified view item_id * sigmoid(W Linear(f_m)) (the "
        "features trained from their raw values) convolved once over that modality's own frozen graph (cosine "
        "top-10 of the raw features, the item itself included, edges weighted by the cosine, D^-1/2 G D^-1/2), "
        "users = R_hat times their items; behaviour-aware fuser (shared attention for the common part, "
        "behaviour-gated specific parts, final = behaviour + side); loss BPR + 0.01 * [InfoNCE(side, behaviour) on "
        "the batch's users + on its positive items] at tau 0.2 + 1e-4 L2 on the batch's final user and item "
        "representations; Adam at lr 1e-3; negatives drawn from the items with a training interaction (MMRec's "
        "sampler). Differs: the released configuration searches the InfoNCE weight in {0.001, 0.01, 0.1} per "
        "dataset (the preset is one point, 0.01); no learning-rate decay (the code: lr * 0.96^(epoch / 50)); "
        "weights are Xavier-initialised (the code keeps PyTorch's default init for its linear layers)."
    ),
    transform=C("purifier", {"tune_features": True}),
    encoder=C("lightgcn", {"n_layers": 2}),
    timing=C("two_stream", {"k": 10, "item_layers": 1, "self_loops": True, "weighted": True}),
    fusion=C("behaviour_aware"),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    auxiliaries={"side_infonce": C("side_infonce", {"weight": 0.01, "temperature": 0.2})},
    train={"lr": 1e-3, "reg_weight": 1e-4, "reg_target": "final", "negative_pool": "trained"},
)

MMGCN = Preset(
    name="mmgcn",
    description=(
        "MMGCN (Wei et al., MM 2019), as its released code (and MMRec's port): per modality its own graph "
        "convolution over the user-item graph with its own user preference, 3 layers, each aggregating the mean "
        "of the neighbours' x W (leaky ReLU) and combining it with leaky_relu(L x) + the node's ID embedding by a "
        "linear layer over their concatenation (leaky ReLU); the layer-0 input is [preference; Linear(f_m)] with "
        "rows scaled to unit length; users and items = the mean over the modalities; BPR; Adam at lr 1e-3; "
        "negatives drawn from the items with a training interaction (MMRec's sampler). As in the released code the "
        "ID embeddings and the user preferences keep their random initial values (the code never registers them as "
        "parameters; the paper trains them), so its L2 term has nothing to act on and the preset has no L2. "
        "Differs: the modal projection is 64 wide (the code: 256 for images, the raw feature width for the other "
        "modalities, so its first layer works at that width); every modality has its own fixed ID table (the "
        "code: one table shared by the modalities); the released configuration searches lr in {1e-4, ..., 1e-2} "
        "and the L2 weight per dataset (the preset is one point: lr 1e-3, MMRec's default)."
    ),
    transform=LINEAR,
    encoder=C("mmgcn", {"n_layers": 3, "combine": "concat", "train_embeddings": False}),
    timing=C("late", {"with_id": False}),
    fusion=C("mean"),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    train={"lr": 1e-3, "reg_weight": 0.0, "negative_pool": "trained"},
)

LGMREC = Preset(
    name="lgmrec",
    description=(
        "LGMRec (Guo et al., AAAI 2024), as its released code (MMRec) with its default (Baby) configuration: the "
        "collaborative embedding by LightGCN (2 layers, mean of layers 0..2) over the ID embeddings; per modality a "
        "modal embedding (items f_m W_m on the frozen raw features, users the mean of their items, 2 propagations "
        "over the normalised user-item graph, the last kept, rows scaled to unit length); local = their sum; per "
        "modality 4 hyperedges with soft memberships (Gumbel softmax at tau 0.2 while training, users' logits "
        "summed over their items, dropout at keep rate 0.5) passing the collaborative item embeddings through one "
        "hypergraph layer; final = local + 0.3 x the unit-length sum of the modalities' global embeddings; loss BPR "
        "+ 1e-4 x InfoNCE between the two modalities' global embeddings (batch users against all users, positive "
        "items against all items, tau 0.2, summed over the batch); Adam at lr 1e-3; negatives drawn from the items "
        "with a training interaction (MMRec's sampler). Differs: the hyperedge logits are computed from the "
        "projected view f_m W_m (the code: from the raw features with a separate projection); the projection has "
        "a bias (starting at 0); evaluation uses the softmax memberships without Gumbel noise (the code draws noise "
        "at evaluation too); the contrast is anchored on the first modality in name order (on image + audio data: "
        "audio; the code anchors on images); the code's 1e-6 penalty on the unsquared norms of the batch's final "
        "embeddings is left out (under 1e-6 of the loss); the released configuration tunes the layer counts, "
        "hyperedges, keep rate and alpha per dataset (the preset is the default point)."
    ),
    transform=LINEAR,
    encoder=C("lightgcn", {"n_layers": 2}),
    timing=C("local_global", {"modal_layers": 2, "n_hyperedges": 4, "hyper_layers": 1, "keep_rate": 0.5, "alpha": 0.3}),
    fusion=C("sum"),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    auxiliaries={"hyper_infonce": C("hyper_infonce", {"weight": 1e-4, "temperature": 0.2})},
    train={"lr": 1e-3, "reg_weight": 0.0, "negative_pool": "trained"},
)

SMORE = Preset(
    name="smore",
    description=(
        "SMORE (Ong & Khong, WSDM 2025), as its released code (MMRec): behaviour stream = LightGCN (3 layers, mean of "
        "layers 0..3) over the full user-item graph; per modality the projection Linear(f_m) (the features trained "
        "from their raw values) denoised by a learned complex filter on its orthonormal FFT over the features, and "
        "a cross-modal view from the filtered product of the modalities' spectra; each of these views gates the "
        "item ID embedding (item_id * sigmoid(W c + b)) and is convolved once over its own frozen item graph (per "
        "modality the cosine top-10 of the raw features, the item itself included, edges weighted by the cosine, "
        "D^-1/2 G D^-1/2; for the cross-modal view the entry-wise maximum of those graphs), users = R_hat times "
        "their items; fuser: each modal view scaled by the softmax over features of a query of the cross-modal "
        "view, every view gated by a sigmoid of the behaviour, final = behaviour + their mean; loss BPR + 0.01 * "
        "[InfoNCE(side, behaviour) on the batch's users + on its positive items] at tau 0.2 + 1e-4 L2 on the "
        "batch's final user and item representations; Adam at lr 1e-3; negatives drawn from the items with a "
        "training interaction (MMRec's sampler). Differs: the released configuration searches the user-item layers "
        "in {3, 4}, each modality's k in {10, 15, 20, 40}, the L2 weight in {1e-5, 1e-4} and the gate dropout in "
        "{0, 0.1} per dataset (the preset is one point: 3, 10 for every modality, 1e-4, 0); no learning-rate decay "
        "(the code: lr * 0.96^(epoch / 50)); weights are Xavier-initialised (the code keeps PyTorch's default init "
        "for its linear layers)."
    ),
    transform=C("linear", {"tune_features": True}),
    encoder=C("lightgcn", {"n_layers": 3}),
    timing=C("spectral", {"k": 10, "item_layers": 1, "self_loops": True, "weighted": True}),
    fusion=C("preference_gated", {"dropout": 0.0}),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    auxiliaries={"side_infonce": C("side_infonce", {"weight": 0.01, "temperature": 0.2})},
    train={"lr": 1e-3, "reg_weight": 1e-4, "reg_target": "final", "negative_pool": "trained"},
)

SAND_PARAMS = {"alpha": 0.012, "beta": 0.006, "align": "solosim", "distance": "club", "temperature": 0.2}
"""SAND's released configuration: SoloSim weight 0.012 at tau 0.2, CLUB distancing weight 0.006."""


def with_sand(base: Preset, name: str, description: str) -> Preset:
    """``base`` with SAND's auxiliary (``SAND_PARAMS``) added on its modal views' halves, everything else kept."""
    auxiliaries = {**base.auxiliaries, "sand": C("sand", SAND_PARAMS)}
    return dataclasses.replace(base, name=name, description=description, auxiliaries=auxiliaries)


SAND = Preset(
    name="sand",
    description=(
        "SAND (arXiv 2406.08270), the paper's own model as its released code builds it (DRAGON without the user-user "
        "graph): no item ID embedding; per modality the view MLP(f_m) (raw features -> 256, leaky ReLU -> 64), whose "
        "first half is the generic and second half the unique part (eq. 15), propagated with its own user preference "
        "embedding by a 2-layer GCN over the user-item graph (rows scaled to unit length first, sum of layers 0..2, "
        "D^-1/2 A D^-1/2); users = [w_um U_m]_m with DRAGON's learned per-user modality weights w_um (starting at 1/M "
        "for M modalities, trained freely), items = [I_m]_m (concatenated over the modalities) + one convolution of "
        "the items over the frozen item-item graph (per modality the binary cosine top-10 graph of the raw features, "
        "the item itself included, D^-1/2 G D^-1/2, mixed image 0.1 / other modality 0.9); loss BPR + 0.012 "
        "SoloSim(generic halves, tau 0.2) + 0.006 sum over modalities of CLUB(generic, unique), CLUB networks trained"
        " 50 Adam steps at lr 1e-4 per batch; no L2; Adam at lr 1e-4; negatives drawn from the items with a training "
        "interaction (MMRec's sampler). Differs from the code: its splitter's affine "
        "d_m -> d_m layer is folded into the MLP's first layer (the same function class), so the halves are those of "
        "the 64-wide view the paper's eq. 15 scores, not of the affine layer's output; the SAND terms act on the "
        "halves themselves (no projection heads; see the sand auxiliary) over the batch's positive items, the CLUB "
        "bounds summed over modalities as eq. 17 (the code: their mean); w_um start at exactly 1/M (the code: the "
        "softmax of small Gaussian draws); BPR with the natural log (the code: log2, i.e. the main loss x "
        "1.44 against alpha and beta); weights are Xavier-initialised."
    ),
    transform=C("mlp", {"hidden": 256, "activation": "leaky_relu", "dropout": 0.0}),
    encoder=C(
        "item_knn",
        {
            "n_layers": 2,
            "item_layers": 1,
            "k": 10,
            "self_loops": True,
            "image_weight": 0.1,
            "graph_on": "output",
            "combine": "sum",
            "normalize_inputs": True,
        },
    ),
    timing=C("late", {"with_id": False, "user_weights": True}),
    fusion=C("concat"),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    auxiliaries={"sand": C("sand", SAND_PARAMS)},
    train={"lr": 1e-4, "reg_weight": 0.0, "negative_pool": "trained"},
)

DRAGON = Preset(
    name="dragon",
    description=(
        "DRAGON (Zhou et al., 2023), as its released code (MMRec): no item ID embedding; per modality the view "
        "MLP(f_m) (raw features -> 256, leaky ReLU -> 64) propagated with its own user preference embedding by a "
        "2-layer GCN over the user-item graph (rows scaled to unit length first, sum of layers 0..2, D^-1/2 A D^-1/2);"
        " users = [w_um U_m]_m with learned per-user modality weights w_um (starting at 1/M, trained freely), plus the"
        " softmax-weighted sum of each user's 40 strongest co-occurring users (the user-user graph); items = [I_m]_m +"
        " one convolution over the frozen item-item graph (per modality the binary cosine top-10 graph of the raw "
        "features, the item itself included, D^-1/2 G D^-1/2, mixed image 0.1 / other modality 0.9); loss BPR + 1e-5 "
        "L2 (half the sum of squares, over the batch) on the batch's user preference embeddings, the code's mean "
        "square at 3.2e-4; Adam at lr 1e-4; negatives drawn from the items with a training interaction (MMRec's "
        "sampler). Differs: the released configuration searches lr and the L2 weight over {1e-1, ..., 1e-5} per "
        "dataset (the preset is one point: lr 1e-4, and L2 1e-5 here, which is the code's weight 3.2e-4, between its "
        "grid's 1e-4 and 1e-3, taken so that the preset is a point of full.yaml's L2 grid); the code also "
        "penalises the modality weights w_um, and pads users with fewer "
        "than 40 co-occurring users by repeating random ones (here they keep the ones they have); w_um start at "
        "exactly 1/M (the code: the softmax of small Gaussian draws); BPR with the natural log (the code: log2); "
        "weights are Xavier-initialised."
    ),
    transform=C("mlp", {"hidden": 256, "activation": "leaky_relu", "dropout": 0.0}),
    encoder=SAND.encoder,
    timing=C("late", {"with_id": False, "user_weights": True, "user_graph_k": 40}),
    fusion=C("concat"),
    loss=C("bpr"),
    extractor=C("provided", {"standardize": False}),
    train={"lr": 1e-4, "reg_weight": 1e-5, "negative_pool": "trained"},
)

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
    "FREEDOM with SAND (arXiv 2406.08270, Table 3): the FREEDOM preset, each modal view Linear_m(f_m) split into a "
    "generic and a unique half, both scored by FREEDOM's modality BPR terms (the only place FREEDOM scores its "
    "modal views); SoloSim between the generic halves, CLUB between each view's halves, at SAND's released "
    "weights (0.012, 0.006; tau 0.2); and every difference of the FREEDOM preset.",
)

SAND_MGCN = with_sand(
    MGCN,
    "sand_mgcn",
    "MGCN with SAND: the MGCN preset, each purified modal view split into a generic and a unique half, both "
    "propagated and fused into the scores; SoloSim between the generic halves, CLUB between each view's halves, "
    "at SAND's released weights (0.012, 0.006; tau 0.2); and every difference of the MGCN preset.",
)
