#!/usr/bin/env bash
# Cross-lab levers, one at a time, on Acevedo-20 fold 0 (compact preset, the bench/common.sh schedule, seed SEEDS):
# each variant is trained on Acevedo-20 only and evaluated on all of jtsc and bccd (zero-shot: nothing of the target
# lab is used, not even its statistics). Resumable: finished runs and evaluations are skipped, an interrupted
# training continues. VARIANTS picks a subset (names below); results go to runs/cross-lab/VARIANT/.
# Each model is also evaluated with the target set's own colour statistics (--normalization dataset, the paper's
# protocol), a row that uses the target lab's unlabelled images.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
declare -A OPTS=(
  [whole]="--framing whole --colour rgb"
  [nucleus]="--framing nucleus --colour rgb"
  [nucleus-anchors]="--framing nucleus --colour anchors"
  [nucleus-anchors-mix]="--framing nucleus --colour anchors --color-mix 0.3"
  [cell-anchors-mix]="--framing cell --colour anchors --color-mix 0.3"
  [whole-anchors]="--framing whole --colour anchors"
  [nucleus-anchors-stain]="--framing nucleus --colour anchors --stain-augment"
  [nucleus-mix]="--framing nucleus --colour rgb --color-mix 0.3"
  [whole-mix]="--framing whole --colour rgb --color-mix 0.3"
)
ORDER="whole nucleus nucleus-anchors-mix nucleus-anchors nucleus-mix cell-anchors-mix whole-mix whole-anchors nucleus-anchors-stain"
FOLD="${FOLD:-0}"
# The short schedule's runs go to runs/cross-lab, the recipe's (SCHEDULE=recipe: the compact preset's full schedule) to runs/cross-lab-full.
LAB="$RUNS/cross-lab$([[ "$SCHEDULE" == recipe ]] && echo -full || true)"
for variant in ${VARIANTS:-$ORDER}; do
  [[ -v OPTS[$variant] ]] || { echo "unknown variant $variant (known: $ORDER)" >&2; exit 2; }
  for seed in $SEEDS; do
    out="$LAB/$variant/fold-$FOLD-seed-$seed"
    mkdir -p "$out"
    # shellcheck disable=SC2086
    train_fold "$out" "$FOLD" "$seed" ${OPTS[$variant]} 2>&1 | tee -a "$out/train.log" | grep -E "^(epoch [0-9]+ train|done|test fold|decoded|cell located)" || true
    [[ -f "$out/test.json" ]] || { echo "$out: training did not finish" >&2; exit 1; }
    for set in jtsc bccd; do
      for norm in model dataset; do
        json="$out/cross-$set-$norm.json"
        [[ -f "$json" ]] && continue
        nopt=(); [[ "$norm" == dataset ]] && nopt=(--normalization dataset)
        "${WBC[@]}" evaluate --model "$out/best.safetensors" --dataset folder --data "$DATA/$set" "${nopt[@]}" --threads "$THREADS" \
          --out-json "$json" > /dev/null 2>> "$out/evaluate.log"
      done
    done
  done
done
