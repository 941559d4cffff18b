#!/usr/bin/env bash
# Result 1: the authors' Matek-19 checkpoint on Acevedo-20 (paper, Table 1: 43.9 ± 1.6 % accuracy), 5 mask seeds,
# each set normalised with its own statistics as the reference code does. LIMIT_PER_CLASS=N evaluates a seeded
# stratified subset (0 = all 14,543 usable images; the paper-size model costs seconds per image on a CPU).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
LIMIT_PER_CLASS="${LIMIT_PER_CLASS:-0}"
model="$RUNS/reference/matek19-maxnca128.safetensors"
mkdir -p "$RUNS/reference"
[[ -f "$model" ]] || "${WBC[@]}" import-torch "$REFERENCE" --out "$model" --normalization matek19
"${WBC[@]}" evaluate --model "$model" --dataset acevedo20 --data "$DATA/acevedo20" --normalization acevedo20 \
  --mask-seeds 0..4 --limit-per-class "$LIMIT_PER_CLASS" --threads "$THREADS" \
  --out-json "$RUNS/results/reference-acevedo20.json" --confusion-png "$RUNS/results/reference-acevedo20-confusion.png"
