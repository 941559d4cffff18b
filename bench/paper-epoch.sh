#!/usr/bin/env bash
# Issue "Performance": one full epoch of the paper preset (n = 128, k = 64, batch 16, lr 4e-4) on Acevedo-20,
# fold 0, on this CPU with the default (fused) engine. EPOCH_SIZE=0 draws as many class-balanced images as the
# training part holds, which is the paper's epoch. Writes runs/paper-epoch/ (model, metrics, test report) and
# docs/paper-epoch.json (wall time, images/s, peak RSS, accuracy after one epoch), then prints one table row.
# SUMMARY_ONLY=1 only rewrites docs/paper-epoch.json and the row from an existing runs/paper-epoch.
PAPER_EPOCH_SIZE="${EPOCH_SIZE:-0}"   # read before common.sh, which sets the short schedule's 8000
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
OUT="${OUT:-$RUNS/paper-epoch}"
EPOCH_SIZE="$PAPER_EPOCH_SIZE"
ENGINE="${ENGINE:-fused}"
SEED="${SEED:-1}"
if [[ "${SUMMARY_ONLY:-0}" != 1 ]]; then
  rm -rf "$OUT"; mkdir -p "$OUT"
  "${WBC[@]}" --version > /dev/null   # build first, so the build is not timed
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$OUT/peak-rss-kb" "${WBC[@]}" train --dataset acevedo20 --data "$DATA/acevedo20" --out "$OUT" \
    --preset paper --engine "$ENGINE" --epochs 1 --epoch-size "$EPOCH_SIZE" --validation-fraction "$VALIDATION" \
    --folds "$FOLDS" --fold 0 --seed "$SEED" --threads "$THREADS"
  end=$(date +%s.%N)
  echo "$start $end" > "$OUT/wall-clock"
fi
python3 - "$OUT" "$ENGINE" "$THREADS" <<'PY'
import json, os, platform, sys
out, engine, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
start, end = map(float, open(os.path.join(out, "wall-clock")).read().split())
metrics = json.load(open(os.path.join(out, "metrics.json")))[0]
config = json.load(open(os.path.join(out, "config.json")))
test = json.load(open(os.path.join(out, "test.json")))
peak_kb = int(open(os.path.join(out, "peak-rss-kb")).read().split()[-1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
draws = config["options"]["epoch_size"] or config["train"]
row = {
    "preset": "paper", "engine": engine, "threads": threads, "cpu": cpu, "fold": 0,
    "epoch_draws": draws, "epoch_seconds": round(metrics["seconds"], 1),
    # validation_seconds is recorded by newer builds; without it only the whole epoch's rate is known
    "validation_seconds": round(metrics["validation_seconds"], 1) if metrics.get("validation_seconds") else None,
    "epoch_images_per_second": round(draws / metrics["seconds"], 2),
    "train_images_per_second": round(draws / (metrics["seconds"] - metrics["validation_seconds"]), 2) if metrics.get("validation_seconds") else None,
    "wall_seconds_including_evaluation": round(end - start, 1), "peak_rss_gb": round(peak_kb / 1024 / 1024, 2),
    "train_loss": round(metrics["train_loss"], 4), "validation_accuracy": round(metrics["validation_accuracy"], 4),
    "test_accuracy": round(test.get("accuracy", float("nan")), 4),
    "test_balanced_accuracy": round(test.get("balanced_accuracy", float("nan")), 4),
}
json.dump(row, open("docs/paper-epoch.json.tmp", "w"), indent=2); os.replace("docs/paper-epoch.json.tmp", "docs/paper-epoch.json")
print("| draws | epoch s (with validation) | validation s | epoch img/s | training img/s | wall s (with test report) | peak RSS GB | val acc | test acc |")
print("|---|---|---|---|---|---|---|---|---|")
print(f"| {draws} | {row['epoch_seconds']} | {row['validation_seconds'] or '–'} | {row['epoch_images_per_second']} | {row['train_images_per_second'] or '–'} | {row['wall_seconds_including_evaluation']} | {row['peak_rss_gb']} | {row['validation_accuracy']:.3f} | {row['test_accuracy']:.3f} |")
PY
