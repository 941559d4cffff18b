#!/usr/bin/env bash
# Issue "Performance": one full epoch of the paper preset (n = 128, k = 64, batch 16, lr 4e-4) on Acevedo-20,
# fold 0, on this CPU with the default (fused) engine. EPOCH_SIZE=0 draws as many class-balanced images as the
# training part holds, which is the paper's epoch. Writes runs/paper-epoch/ (model, metrics, test report) and
# docs/paper-epoch.json (wall time, images/s, peak RSS, accuracy after one epoch), then prints one table row.
PAPER_EPOCH_SIZE="${EPOCH_SIZE:-0}"   # read before common.sh, which sets the short schedule's 8000
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
OUT="${OUT:-$RUNS/paper-epoch}"
EPOCH_SIZE="$PAPER_EPOCH_SIZE"
ENGINE="${ENGINE:-fused}"
SEED="${SEED:-1}"
rm -rf "$OUT"; mkdir -p "$OUT"
"${WBC[@]}" --version > /dev/null   # build first, so the build is not timed
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$OUT/peak-rss-kb" "${WBC[@]}" train --dataset acevedo20 --data "$DATA/acevedo20" --out "$OUT" \
  --preset paper --engine "$ENGINE" --epochs 1 --epoch-size "$EPOCH_SIZE" --validation-fraction "$VALIDATION" \
  --folds "$FOLDS" --fold 0 --seed "$SEED" --threads "$THREADS"
end=$(date +%s.%N)
python3 - "$OUT" "$start" "$end" "$ENGINE" "$THREADS" <<'PY'
import json, os, platform, sys
out, start, end, engine, threads = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
metrics = json.load(open(os.path.join(out, "metrics.json")))[0]
config = json.load(open(os.path.join(out, "config.json")))
test = json.load(open(os.path.join(out, "test.json")))
peak_kb = int(open(os.path.join(out, "peak-rss-kb")).read().split()[-1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
draws = config["options"]["epoch_size"] or config["train"]
row = {
    "preset": "paper", "engine": engine, "threads": threads, "cpu": cpu, "fold": 0,
    "epoch_draws": draws, "epoch_seconds": round(metrics["seconds"], 1),
    "train_images_per_second": round(draws / metrics["seconds"], 2) if draws else None,
    "wall_seconds_including_evaluation": round(end - start, 1), "peak_rss_gb": round(peak_kb / 1024 / 1024, 2),
    "train_loss": round(metrics["train_loss"], 4), "validation_accuracy": round(metrics["validation_accuracy"], 4),
    "test_accuracy": round(test.get("accuracy", float("nan")), 4),
    "test_balanced_accuracy": round(test.get("balanced_accuracy", float("nan")), 4),
}
json.dump(row, open("docs/paper-epoch.json.tmp", "w"), indent=2); os.replace("docs/paper-epoch.json.tmp", "docs/paper-epoch.json")
print("| draws | epoch s | img/s | wall s (with evaluation) | peak RSS GB | val acc | test acc |")
print("|---|---|---|---|---|---|---|")
print(f"| {draws} | {row['epoch_seconds']} | {row['train_images_per_second']} | {row['wall_seconds_including_evaluation']} | {row['peak_rss_gb']} | {row['validation_accuracy']:.3f} | {row['test_accuracy']:.3f} |")
PY
