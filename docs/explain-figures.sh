#!/usr/bin/env bash
# Reproduces the figures in docs/figures/explain/ and the per-class table in docs/explainability.md.
#
# Usage: docs/explain-figures.sh MODEL [DATA] [PER_CLASS]
#   MODEL      a wbc-nca model file (.safetensors), e.g. models/wbc-nca-acevedo20.safetensors
#   DATA       the Acevedo-20 folder (default: ../shared/data/acevedo20)
#   PER_CLASS  images per class for the "where does it look" table (default: 10; the first ones in name order)
#
# Figures: one per main cell type (the first image of the class folder in name order; for neutrophils the first
# segmented one, SNE_*), plus the evolution of the neutrophil's top channels. PNGs are reduced to 256 colours with
# Debian's python3-pil when it is there, to keep the repository small.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wbc="${WBC_BIN:-$root/wbc-nca}"   # WBC_BIN: another build of the program
model="${1:?usage: docs/explain-figures.sh MODEL [DATA] [PER_CLASS]}"
data="${2:-$root/../shared/data/acevedo20}"
per_class="${3:-10}"
out="$root/docs/figures/explain"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

first() { find "$data/$1" -maxdepth 1 -type f -name "$2" | sort | head -n "${3:-1}"; }

declare -A pick=(
  [basophil]="$(first basophil 'BA_*')"
  [eosinophil]="$(first eosinophil 'EO_*')"
  [lymphocyte]="$(first lymphocyte 'LY_*')"
  [monocyte]="$(first monocyte 'MO_*')"
  [neutrophil]="$(first neutrophil 'SNE_*')"
)
for cls in basophil eosinophil lymphocyte monocyte neutrophil; do
  "$wbc" explain --model "$model" "${pick[$cls]}" --out "$work/$cls" --top 4 --panel-size 96 >/dev/null
  cp "$work/$cls/$(basename "${pick[$cls]%.*}").png" "$out/$cls.png"
  echo "$cls: $(basename "${pick[$cls]}")"
done
"$wbc" explain --model "$model" "${pick[neutrophil]}" --out "$work/evolution" --top 4 --panel-size 80 --evolution-every 8 >/dev/null
cp "$work/evolution/$(basename "${pick[neutrophil]%.*}").png" "$out/neutrophil-evolution.png"

# "Where does it look", per true class, on the first PER_CLASS images of every white cell folder.
list=()
for cls in basophil eosinophil erythroblast ig lymphocyte monocyte neutrophil; do
  while IFS= read -r f; do list+=("$f"); done < <(first "$cls" '*.jpg' "$per_class")
done
"$wbc" explain --model "$model" "${list[@]}" --out "$work/summary" --top 5 --panel-size 64 >/dev/null
python3 - "$work/summary" <<'PY'
import json, os, statistics, sys
folder = sys.argv[1]
rows = {}
for name in sorted(os.listdir(folder)):
    if not name.endswith(".json") or name == "summary.json":
        continue
    d = json.load(open(os.path.join(folder, name)))
    cls = os.path.basename(os.path.dirname(d["source"]))
    rows.setdefault(cls, []).append(d)
print("| class (folder) | images | most frequent prediction | mean focus on cell | median | top maxima in cell | cell area | looks at background |")
print("|---|---|---|---|---|---|---|---|")
for cls, ds in sorted(rows.items()):
    f = [d["focus"]["score"] for d in ds]
    preds = [d["predicted_class"] for d in ds]
    top = max(set(preds), key=preds.count)
    area = [d["focus"]["cell_area_fraction"] for d in ds]
    pooled = [d["focus"]["pooled_inside_share"] for d in ds]
    # As FocusScore.EvidenceOffCell: maxima on the cell carry under half the relevance, and the activation is off it too.
    bg = sum(1 for d in ds if d["focus"]["pooled_inside_share"] < 0.5 and d["focus"]["score"] < 0.5
             and d["focus"]["score"] < d["focus"]["cell_area_fraction"])
    print(f"| {cls} | {len(ds)} | {top} ({preds.count(top)}/{len(ds)}) | {statistics.mean(f):.2f} | {statistics.median(f):.2f} | "
          f"{statistics.mean(pooled):.2f} | {statistics.mean(area):.2f} | {100 * bg / len(ds):.0f}% |")
PY

if /usr/bin/python3 -c "import PIL" 2>/dev/null; then
  /usr/bin/python3 - "$out" <<'PY'
import os, sys
from PIL import Image
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    if name.endswith(".png"):
        path = os.path.join(folder, name)
        Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
PY
fi
du -ch "$out"/*.png | tail -n 1
