"""``mmsearch ablate``: a controlled ablation of one axis around anchor configurations of a study."""

from __future__ import annotations

import argparse
import dataclasses
import sys

import optuna

from mmsearch.analysis import Source, load_study, locate_study
from mmsearch.registry import Registry
from mmsearch.study import RunOptions, counted_trials
from mmsearch.study.ablation import ANCHOR_RULE, format_budget, open_ablation, plan_ablation, run_ablation
from mmsearch.study.settings import stored_space
from mmsearch.study.storage import study_dir
from mmsearch.train.device import resolve_device

from .arguments import positive_float, positive_int
from .data_cmd import add_data_arguments, dataset_from_args
from .run_cmd import add_study_arguments, add_worker_arguments, worker_devices


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ablate", help="vary one axis around anchor configurations of a study, under several seeds"
    )
    add_study_arguments(parser, required=True)
    parser.add_argument(
        "--axis",
        required=True,
        help="fusion, timing, encoder, ..., extractor.<modality>, auxiliary.<name> (off/on), "
        "<axis>.<plugin>.<param> or train.<setting>",
    )
    parser.add_argument(
        "--anchors",
        type=anchor_rule,
        default="top:3",
        help="top:K (the K best configurations) or random:N draws (default top:3)",
    )
    parser.add_argument("--seeds", type=positive_int, default=3, help="seeds per variant (default 3)")
    parser.add_argument(
        "--values",
        default=None,
        metavar="V1,V2",
        help="values to compare on a parameter axis (default: from its range)",
    )
    add_data_arguments(parser)
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    add_worker_arguments(parser)
    parser.add_argument(
        "--memory-cap-mb", type=positive_float, default=None, help="fail a variant that uses more MiB (default: no cap)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=run)


def anchor_rule(text: str) -> str:
    """``--anchors``: ``top:K`` or ``random:N`` with a positive count, checked before the study loads."""
    if ANCHOR_RULE.match(text) is None:
        raise argparse.ArgumentTypeError(f"must be top:K or random:N with a positive count, got {text!r}")
    return text


def run(args: argparse.Namespace) -> int:
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # trial progress and failures are reported by mmsearch
    devices = worker_devices(args)
    device = resolve_device(args.device)
    ref = locate_study(args.study, Source(args.storage, args.run_dir))
    parent = load_study(ref)
    registry = Registry()
    dataset = dataset_from_args(args)
    space = stored_space(parent, dataset, registry, study_dir(args.run_dir, args.study))
    values = tuple(v.strip() for v in args.values.split(",") if v.strip()) if args.values else ()
    plan = plan_ablation(parent, space, registry, args.axis, args.anchors, args.seeds, values)
    options = RunOptions(
        study_name=plan.name,
        storage_url=ref.location,
        run_dir=args.run_dir,
        n_trials=len(plan.variants),
        show_progress=not args.quiet,
        memory_cap_mb=args.memory_cap_mb,
        workers=args.workers,
        devices=devices,
    )
    study, space, progress = open_ablation(parent, plan, dataset, registry, options)
    print(format_budget(plan, progress, args.workers), file=sys.stderr)
    options = dataclasses.replace(options, n_trials=study.user_attrs["budget"])
    try:
        run_ablation(study, space, dataset, registry, device, options)
    except KeyboardInterrupt:
        print(f"mmsearch: interrupted; run the same command to resume the ablation '{plan.name}'.", file=sys.stderr)
        return 130
    print(f"ablation '{plan.name}': {counted_trials(study)}/{study.user_attrs['budget']} variants finished")
    storage = f" --storage {args.storage}" if args.storage else ""
    print(f"see the verdict with: mmsearch report --study {args.study}{storage}")
    return 0
