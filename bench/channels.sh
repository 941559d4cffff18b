#!/usr/bin/env bash
# Result 4 (the paper's Figure 3, our way): accuracy on the held-out fold 0 against the channel count n
# (CHANNELS, default "8 16 32 64 128"), compact preset otherwise, same CPU schedule as acevedo20-kfold.sh.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for n in ${CHANNELS:-8 16 32 64 128}; do
  for seed in $SEEDS; do
    train_fold "$RUNS/channels/n-$n-seed-$seed" 0 "$seed" --channels "$n"
  done
done
