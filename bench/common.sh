# Shared settings of the result scripts. Source it; every value can be overridden from the environment.
# The data lies next to the repository in ../shared/data (never copied into it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${DATA:-../shared/data}"
REFERENCE="${REFERENCE:-../shared/reference/wbc-nca-matek19-maxnca128.pt}"
RUNS="${RUNS:-runs}"                      # git-ignored
THREADS="${THREADS:-2}"
# Schedule. SCHEDULE=short (the default of the result scripts): the documented short CPU schedule of docs/results.md,
# 5 class-balanced epochs of 8000 draws, lr 1e-3, ×0.9999 per batch. SCHEDULE=recipe: the preset's own recipe
# (wbc-nca info --preset P; for compact, 32 epochs over the training part). EPOCHS, EPOCH_SIZE, LR and DECAY override
# either one.
SCHEDULE="${SCHEDULE:-short}"
if [[ "$SCHEDULE" == short ]]; then
  EPOCHS="${EPOCHS:-5}"; EPOCH_SIZE="${EPOCH_SIZE:-8000}"; LR="${LR:-1e-3}"; DECAY="${DECAY:-0.9999}"
elif [[ "$SCHEDULE" != recipe ]]; then
  echo "SCHEDULE must be short or recipe (got $SCHEDULE)" >&2; exit 2
fi
schedule_args=()
[[ -n "${EPOCHS:-}" ]] && schedule_args+=(--epochs "$EPOCHS")
[[ -n "${EPOCH_SIZE:-}" ]] && schedule_args+=(--epoch-size "$EPOCH_SIZE")
[[ -n "${LR:-}" ]] && schedule_args+=(--lr "$LR")
[[ -n "${DECAY:-}" ]] && schedule_args+=(--lr-schedule exp --decay "$DECAY")
# The schedule as one line for reports.
schedule_text() { if [[ ${#schedule_args[@]} -eq 0 ]]; then echo "the ${PRESET:-compact} preset's recipe"; else echo "${schedule_args[*]}"; fi; }
# The input of the paper and of every result made before the compact recipe framed the cell: the whole image, colours
# as decoded, no colour mixing. Scripts whose finished runs used it pass it, so that a resumed or added run matches them.
WHOLE_IMAGE=(--framing whole --colour rgb --color-mix 0)
VALIDATION="${VALIDATION:-0.1}"
FOLDS="${FOLDS:-5}"
SEEDS="${SEEDS:-1}"
WBC=("${WBC_BIN:-$ROOT/wbc-nca}")   # WBC_BIN: another build of the program (e.g. while a run uses the launcher's)
mkdir -p "$RUNS/results"
# platelet_half calibration|measure: Acevedo-20's platelets (a class no model learns), split in two by sorted position:
# odd lines are the examples the default model's feature-distance threshold is chosen on (calibrate --outliers), even
# lines the ones bench/status.sh measures it with, so the measure never sees the images the threshold was chosen on.
platelet_half() {
  local first; [[ "$1" == calibration ]] && first=1 || first=0
  find "$DATA/acevedo20/platelet" -name '*.jpg' | sort | awk -v r="$first" 'NR % 2 == r'
}
# train_fold OUT FOLD SEED [extra train options…]: trains (or resumes, or skips a finished run); ARCH (default nca)
# picks the model family: nca, resnext50, resnet18 or aecfe (same folds, seeds, sampler, augmentation and schedule).
train_fold() {
  local out="$1" fold="$2" seed="$3"; shift 3
  if [[ -f "$out/test.json" ]]; then echo "$out: finished, skipped" >&2; return; fi
  local resume=(); [[ -f "$out/training.ckpt" ]] && resume=(--resume)
  "${WBC[@]}" train --dataset acevedo20 --data "$DATA/acevedo20" --out "$out" --arch "${ARCH:-nca}" --preset "${PRESET:-compact}" \
    "${schedule_args[@]}" --validation-fraction "$VALIDATION" \
    --folds "$FOLDS" --fold "$fold" --seed "$seed" --threads "$THREADS" "${resume[@]}" "$@"
}
# colours_fitted OUT MODEL IMAGES [extra adapt options…]: fits the model's colours to IMAGES without labels (adapt
# --unlabelled, seed 1) into OUT/adapted.safetensors and evaluates IMAGES (a folder per type) with the model as given and
# as fitted into OUT/before.json and OUT/after.json; finished steps are skipped.
colours_fitted() {
  local out="$1" model="$2" images="$3"; shift 3
  mkdir -p "$out"
  [[ -f "$out/adapted.safetensors" ]] || "${WBC[@]}" adapt --model "$model" --unlabelled "$images" --out "$out/adapted.safetensors" --seed 1 \
    --threads "$THREADS" "$@" > "$out/adapt.log" 2>&1
  local which m
  for which in before after; do
    m="$model"; [[ $which == after ]] && m="$out/adapted.safetensors"
    if [[ ! -f "$out/$which.json" ]]; then
      "${WBC[@]}" evaluate --model "$m" --data "$images" --threads "$THREADS" --json > "$out/$which.json.tmp" 2> "$out/evaluate.log"
      mv "$out/$which.json.tmp" "$out/$which.json"
    fi
  done
}
