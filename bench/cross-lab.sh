#!/usr/bin/env bash
# Cross-lab levers, one at a time, on Acevedo-20 fold 0 (compact preset, the bench/common.sh schedule, seed SEEDS):
# each variant is trained on Acevedo-20 only and evaluated on all of jtsc and bccd (zero-shot: nothing of the target
# lab is used, not even its statistics). Resumable: finished runs and evaluations are skipped, an interrupted
# training continues. VARIANTS picks a subset (names below); results go to runs/cross-lab/VARIANT/.
# Each model is also evaluated with the target set's own colour statistics (--normalization dataset, the paper's
# protocol), a row that uses the target lab's unlabelled images; a model trained with stain anchors also with the target
# lab's anchor colours (--lab-anchors, from `wbc-nca stats` over its unlabelled images), another such row.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
declare -A OPTS=(
  [whole]="--framing whole --colour rgb --color-mix 0"
  [nucleus]="--framing nucleus --colour rgb --color-mix 0"
  [nucleus-anchors]="--framing nucleus --colour anchors --color-mix 0"
  [nucleus-anchors-mix]="--framing nucleus --colour anchors --color-mix 0.3"
  # Three anchors in optical density (background, nucleus, red cells): a cytoplasm keeps its mix of the two dyes
  # relative to this lab's nucleus and red cells.
  [nucleus-stains-mix]="--framing nucleus --colour stains --color-mix 0.3"
  # Another lab's tight crop emulated: half the training images cut to a centred square, the rest background colour
  # (jtsc and bccd deliver tight crops; the locator's frame then leaves flat background around them).
  [nucleus-anchors-mix-tight]="--framing nucleus --colour anchors --color-mix 0.3 --tight-crop 0.5"
  [nucleus-stains-mix-tight]="--framing nucleus --colour stains --color-mix 0.3 --tight-crop 0.5"
  [cell-anchors-mix]="--framing cell --colour anchors --color-mix 0.3"
  [whole-anchors]="--framing whole --colour anchors --color-mix 0"
  [nucleus-anchors-stain]="--framing nucleus --colour anchors --stain-augment"
  [nucleus-mix]="--framing nucleus --colour rgb --color-mix 0.3"
  [whole-mix]="--framing whole --colour rgb --color-mix 0.3"
  # Resolution and capacity at the cost of the compact step (issue: in-domain accuracy): more pixels and fewer steps,
  # or a wider update rule and fewer steps, on the best cross-lab input.
  [nucleus-anchors-mix-s48k16]="--framing nucleus --colour anchors --color-mix 0.3 --image-size 48 --steps 16"
  [nucleus-anchors-mix-k16h128]="--framing nucleus --colour anchors --color-mix 0.3 --steps 16 --hidden 128"
  [nucleus-anchors-mix-s64k8]="--framing nucleus --colour anchors --color-mix 0.3 --image-size 64 --steps 8"
  # More compute: the update rule twice (four times) as wide at all 32 steps.
  [nucleus-anchors-mix-h128]="--framing nucleus --colour anchors --color-mix 0.3 --hidden 128"
  [nucleus-anchors-mix-h256]="--framing nucleus --colour anchors --color-mix 0.3 --hidden 256"
  # Against the long schedule's drift onto colour (bccd's neutrophils called eosinophils): twice the colour mixing.
  [nucleus-anchors-mix0.6-h128]="--framing nucleus --colour anchors --color-mix 0.6 --hidden 128"
  # The wide preset's capacity on the three optical-density anchors (background, nucleus, red cells).
  [nucleus-stains-mix-h128]="--framing nucleus --colour stains --color-mix 0.3 --hidden 128"
  # The compact recipe underfits (training accuracy below validation's after 32 epochs): a faster learning rate.
  [nucleus-anchors-mix-lr2e-3]="--framing nucleus --colour anchors --color-mix 0.3 --lr 2e-3"
  [nucleus-anchors-mix-lr4e-3]="--framing nucleus --colour anchors --color-mix 0.3 --lr 4e-3"
)
ORDER="whole nucleus nucleus-anchors-mix nucleus-anchors nucleus-mix cell-anchors-mix whole-mix whole-anchors nucleus-anchors-stain nucleus-stains-mix
  nucleus-anchors-mix-tight nucleus-stains-mix-tight
  nucleus-anchors-mix-s48k16 nucleus-anchors-mix-k16h128 nucleus-anchors-mix-s64k8 nucleus-anchors-mix-h128 nucleus-anchors-mix-h256 nucleus-anchors-mix0.6-h128 nucleus-stains-mix-h128 nucleus-anchors-mix-lr2e-3 nucleus-anchors-mix-lr4e-3"
FOLD="${FOLD:-0}"
# The short schedule's runs go to runs/cross-lab, the recipe's (SCHEDULE=recipe: the compact preset's full schedule) to
# runs/cross-lab-full, the recipe cut to N epochs (SCHEDULE=recipe EPOCHS=N: the rate still falls to 0.1× over the run)
# to runs/cross-lab-eN. ARCH=resnet18|resnext50 trains that baseline on the variant's input and schedule instead of the
# NCA (the CNN at its own 64×64 input), in ARCH-VARIANT (e.g. runs/cross-lab-full/resnet18-nucleus-anchors-mix).
if [[ "$SCHEDULE" != recipe ]]; then LAB="$RUNS/cross-lab"
elif [[ -n "${EPOCHS:-}" ]]; then LAB="$RUNS/cross-lab-e$EPOCHS"
else LAB="$RUNS/cross-lab-full"; fi
for variant in ${VARIANTS:-$ORDER}; do
  [[ -v OPTS[$variant] ]] || { echo "unknown variant $variant (known: $ORDER)" >&2; exit 2; }
  for seed in $SEEDS; do
    name="$variant"; [[ "${ARCH:-nca}" != nca ]] && name="$ARCH-$variant"
    out="$LAB/$name/fold-$FOLD-seed-$seed"
    mkdir -p "$out"
    # shellcheck disable=SC2086
    train_fold "$out" "$FOLD" "$seed" ${OPTS[$variant]} 2>&1 | tee -a "$out/train.log" | grep -E "^(epoch [0-9]+ train|done|test fold|decoded|cell located)" || true
    [[ -f "$out/test.json" ]] || { echo "$out: training did not finish" >&2; exit 1; }
    # A model trained with stain anchors is also evaluated with the target lab's anchor colours (its typical red-cell
    # colour for images without usable red cells), measured by `wbc-nca stats` over the lab's unlabelled images.
    norms="model dataset"
    [[ $(jq -r '.options.input.color // "rgb"' "$out/config.json") == stains ]] && norms="model dataset lab"
    for set in jtsc bccd; do
      for norm in $norms; do
        json="$out/cross-$set-$norm.json"
        [[ -f "$json" ]] && continue
        nopt=(); [[ "$norm" == dataset ]] && nopt=(--normalization dataset)
        if [[ "$norm" == lab ]]; then
          [[ -f "$out/lab-$set.json" ]] || "${WBC[@]}" stats "$DATA/$set" --model "$out/best.safetensors" --threads "$THREADS" --out "$out/lab-$set.json" > /dev/null 2>> "$out/evaluate.log"
          nopt=(--lab-anchors "$out/lab-$set.json")
        fi
        "${WBC[@]}" evaluate --model "$out/best.safetensors" --dataset folder --data "$DATA/$set" "${nopt[@]}" --threads "$THREADS" \
          --out-json "$json" > /dev/null 2>> "$out/evaluate.log"
      done
    done
  done
done
