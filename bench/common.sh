# Shared settings of the result scripts. Source it; every value can be overridden from the environment.
# The data lies next to the repository in ../shared/data (never copied into it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${DATA:-../shared/data}"
REFERENCE="${REFERENCE:-../shared/reference/wbc-nca-matek19-maxnca128.pt}"
RUNS="${RUNS:-runs}"                      # git-ignored
THREADS="${THREADS:-2}"
# CPU schedule (documented in docs/results.md): class-balanced epochs of EPOCH_SIZE draws.
EPOCHS="${EPOCHS:-5}"
EPOCH_SIZE="${EPOCH_SIZE:-8000}"
LR="${LR:-1e-3}"
VALIDATION="${VALIDATION:-0.1}"
FOLDS="${FOLDS:-5}"
SEEDS="${SEEDS:-1}"
WBC=("$ROOT/wbc-nca")
mkdir -p "$RUNS/results"
# train_fold OUT FOLD SEED [extra train options…]: trains (or resumes, or skips a finished run); ARCH (default nca)
# picks the model family: nca, resnext50, resnet18 or aecfe (same folds, seeds, sampler, augmentation and schedule).
train_fold() {
  local out="$1" fold="$2" seed="$3"; shift 3
  if [[ -f "$out/test.json" ]]; then echo "$out: finished, skipped" >&2; return; fi
  local resume=(); [[ -f "$out/training.ckpt" ]] && resume=(--resume)
  "${WBC[@]}" train --dataset acevedo20 --data "$DATA/acevedo20" --out "$out" --arch "${ARCH:-nca}" --preset "${PRESET:-compact}" \
    --epochs "$EPOCHS" --epoch-size "$EPOCH_SIZE" --lr "$LR" --validation-fraction "$VALIDATION" \
    --folds "$FOLDS" --fold "$fold" --seed "$seed" --threads "$THREADS" "${resume[@]}" "$@"
}
