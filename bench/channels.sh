#!/usr/bin/env bash
# Result 4 (the paper's Figure 3, our way): accuracy on the held-out fold 0 against the channel count n
# (CHANNELS, default "8 16 32 64 128"), compact preset otherwise, on the whole image as the paper. The cost per image grows with n (n = 128 costs about
# four times the compact model), so the sweep uses a shorter schedule than acevedo20-kfold.sh, the same for every n:
# CHANNEL_EPOCHS (default 2) class-balanced epochs of CHANNEL_EPOCH_SIZE (default 4000) draws. Each budget has its own
# runs (runs/channels/n-N-seed-S for 2 × 4000, n-N-EPOCHSxSIZE-seed-S for any other), so sweeps at several budgets sit
# side by side and bench/make-results.sh draws one curve per budget. Resumable: finished runs are skipped.
#   CHANNEL_EPOCHS=5 CHANNEL_EPOCH_SIZE=8000 bench/channels.sh   # result 2's short schedule for every n (≈ 1 h)
EPOCHS="${CHANNEL_EPOCHS:-2}"
EPOCH_SIZE="${CHANNEL_EPOCH_SIZE:-4000}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for n in ${CHANNELS:-8 16 32 64 128}; do
  for seed in $SEEDS; do
    budget=""; [[ "$EPOCHS" == 2 && "$EPOCH_SIZE" == 4000 ]] || budget="-${EPOCHS}x$EPOCH_SIZE"
    train_fold "$RUNS/channels/n-$n$budget-seed-$seed" 0 "$seed" --channels "$n" "${WHOLE_IMAGE[@]}"
  done
done
