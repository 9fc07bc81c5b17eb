#!/usr/bin/env bash
# Controlled verdicts on TikTok: a full.yaml search, then ablations of timing and fusion around its 3 best trials
# under 3 seeds, then the report as JSON (verdicts with effect, interval, state and evidence counts).
#
#   bash bench/tiktok_verdicts.sh [STORAGE_URL] [RUN_DIR]
#
# Every step resumes when run again (a stopped run trains only what is missing). Default storage: a journal in
# RUN_DIR (runs/). On two CPU cores the search of 16 trials takes about 30 min, the timing ablation (15 trainings)
# about 45 min and the fusion ablation (42 trainings) about 2.5 h; MMSEARCH_WORKERS sets the workers (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/tiktok
run_dir=${2:-runs}
storage=(--run-dir "$run_dir")
if [ -n "${1:-}" ]; then storage+=(--storage "$1"); fi
workers=${MMSEARCH_WORKERS:-2}
study=tiktok-full
.venv/bin/mmsearch run --space spaces/full.yaml --data "$data" --study "$study" --trials 16 --workers "$workers" \
    --seed 0 "${storage[@]}"
for axis in timing fusion; do
    .venv/bin/mmsearch ablate --study "$study" --axis "$axis" --anchors top:3 --seeds 3 --workers "$workers" \
        --data "$data" "${storage[@]}"
done
.venv/bin/mmsearch report --study "$study" --format json --output "$run_dir/$study-report.json" "${storage[@]}"
.venv/bin/mmsearch report --study "$study" "${storage[@]}" | sed -n '/^Choices that win/,/^Counts by state/p'
