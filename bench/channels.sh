#!/usr/bin/env bash
# Result 4 (the paper's Figure 3, our way): accuracy on the held-out fold 0 against the channel count n
# (CHANNELS, default "8 16 32 64 128"), compact preset otherwise, on the whole image as the paper. The cost per image grows with n (n = 128 costs about
# four times the compact model), so the sweep uses a shorter schedule than acevedo20-kfold.sh, the same for every n:
# CHANNEL_EPOCHS (default 2) class-balanced epochs of CHANNEL_EPOCH_SIZE (default 4000) draws.
EPOCHS="${CHANNEL_EPOCHS:-2}"
EPOCH_SIZE="${CHANNEL_EPOCH_SIZE:-4000}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for n in ${CHANNELS:-8 16 32 64 128}; do
  for seed in $SEEDS; do
    train_fold "$RUNS/channels/n-$n-seed-$seed" 0 "$seed" --channels "$n" "${WHOLE_IMAGE[@]}"
  done
done
