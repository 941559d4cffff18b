#!/usr/bin/env bash
# Cost of every model in the comparison, each measured in its own process (bench/WbcNca.Bench cost):
# parameters, multiply-accumulates per image (counted from the layers), training throughput and the process's peak
# resident memory after TRAIN_STEPS training steps at batch 16, CPU latency per image at batch 1 and inference throughput
# at batch 16 (median of ITERS runs). Prints a table and writes docs/model-costs.json and docs/model-costs.md, keeping the
# rows of models not measured in this run.
#   bench/model-costs.sh                               all models (the NCA trains and infers on the fused C# engine, as wbc-nca does on the CPU)
#   MODELS="resnet18 aecfe" TRAIN_STEPS=1 ITERS=1 bench/model-costs.sh   a quick check
# Environment: THREADS (default 2), MODELS, TRAIN_STEPS (default 3), ITERS (default 5), OUT_JSON, OUT_MD.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
threads="${THREADS:-2}"
models="${MODELS:-nca-paper nca-compact nca-wide resnext50 resnet18 aecfe}"
train_steps="${TRAIN_STEPS:-3}"; iters="${ITERS:-5}"
out_json="${OUT_JSON:-docs/model-costs.json}"; out_md="${OUT_MD:-docs/model-costs.md}"
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736}"
dotnet build bench/WbcNca.Bench/WbcNca.Bench.csproj -c Release --nologo -v quiet >/dev/null
bench=bench/WbcNca.Bench/bin/Release/net10.0/WbcNca.Bench
lines="$(mktemp)"; trap 'rm -f "$lines"' EXIT
for m in $models; do
  echo "  $m …" >&2
  if ! "$bench" cost --model "$m" --train-steps "$train_steps" --iters "$iters" --warmup 1 --threads "$threads" >>"$lines"; then
    echo "{\"model\": \"$m\", \"failed\": \"error or out of memory\"}" >>"$lines"
  fi
done
# Models not measured here keep their rows from the previous report (each row records its own load average).
previous='{"models": []}'; [[ -f "$out_json" ]] && previous=$(cat "$out_json")
load="$(cut -d' ' -f1-3 /proc/loadavg)"
jq -s --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" --arg load "$load" \
  --argjson train_steps "$train_steps" --argjson iters "$iters" --argjson previous "$previous" --arg order "nca-paper nca-compact nca-wide resnext50 resnet18 aecfe" \
  '(map(. + {load_average_at_end: $load})) as $new | ($new | map(.model)) as $names
   | ($order | split(" ")) as $o
   | {cpu: $cpu, load_average_at_end: $load, train_steps: $train_steps, iters: $iters,
      models: ($new + ($previous.models | map(select(.model as $m | $names | index($m) | not)) | map({load_average_at_end: $previous.load_average_at_end} + .))
               | sort_by(.model as $m | ($o | index($m)) // 99))}' "$lines" > "$out_json"
{
  echo "| model | parameters | MACs per image | MACs / NCA-paper | train images/s (b16) | peak train RSS GB | latency b1 ms | inference images/s (b16) |"
  echo "|---|---|---|---|---|---|---|---|"
  jq -r '(.models | map(select(.model == "nca-paper"))[0].macs_per_image // null) as $nca | .models[] |
    if .failed then "| \(.model) | – | – | – | \(.failed) | – | – | – |" else
    "| \(.model) | \(.parameters) | \(.macs_per_image / 1e6 | round) M | \(if $nca then ((.macs_per_image / $nca * 1000 | round) / 1000 | tostring) else "–" end) | \(.train_images_per_s // null | if . then (. * 10 | round / 10 | tostring) else "–" end) | \(.peak_train_rss_gb // null | if . then (. * 100 | round / 100 | tostring) else "–" end) | \(.latency_b1_ms * 10 | round / 10) | \(.throughput_b16_images_per_s * 10 | round / 10) |" end' "$out_json"
  echo
  echo "CPU: $(jq -r .cpu "$out_json"), $threads threads; load average at the end of each model's run: $(jq -r '[.models[] | "\(.model) \(.load_average_at_end // "–")"] | join("; ")' "$out_json"); $train_steps training steps, median of $iters inference runs."
} | tee "$out_md"
echo "wrote $out_json and $out_md" >&2
