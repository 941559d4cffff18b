#!/usr/bin/env bash
# The default model used by `predict` without --model: the best epoch of the fold-0, seed-1 plain Acevedo-20 run
# (made by `wbc-nca train`; acevedo20-kfold.sh trains it), copied to models/wbc-nca-acevedo20.safetensors.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run="$RUNS/acevedo20-compact-plain/fold-0-seed-1"
train_fold "$run" 0 1
cp "$run/best.safetensors" models/wbc-nca-acevedo20.safetensors
"${WBC[@]}" info --model models/wbc-nca-acevedo20.safetensors
