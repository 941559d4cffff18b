#!/usr/bin/env bash
# The lab loop's refusals, measured: how a model's answers to things that are not white cells come out (Acevedo-20's
# platelets, a class the models never learn; synthetic non-cells: blank, noise, red cells only, text, 1×1, 3000×3)
# and how many real white cells are wrongly refused as not a cell (every 10th Acevedo-20 white cell). Writes
# docs/status.json and docs/status.md. MODEL (default: the default model), SAMPLES (default 1). One answer per image
# (--one-cell): an image of several platelets is one image not to be answered.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
MODEL="${MODEL:-models/wbc-nca-acevedo20.safetensors}"
SAMPLES="${SAMPLES:-1}"
work="$RUNS/status"; mkdir -p "$work"
[[ -d "$RUNS/noncells" ]] || bench/WbcNca.Bench/bin/Release/net10.0/WbcNca.Bench noncells --out "$RUNS/noncells" 2>/dev/null \
  || dotnet run --project bench/WbcNca.Bench -c Release -- noncells --out "$RUNS/noncells"
find "$DATA/acevedo20" -name '*.jpg' ! -path '*/platelet/*' | sort | awk 'NR % 10 == 0' > "$work/white-cells.txt"
declare -A INPUTS=([platelets]="$DATA/acevedo20/platelet" [non_cells]="$RUNS/noncells")
summary="{}"
for what in platelets non_cells white_cells; do
  out="$work/$what.jsonl"
  if [[ $what == white_cells ]]; then xargs "${WBC[@]}" predict --json --one-cell --model "$MODEL" --samples "$SAMPLES" --threads "$THREADS" < "$work/white-cells.txt" > "$out" 2> /dev/null
  else "${WBC[@]}" predict --json --one-cell --model "$MODEL" --samples "$SAMPLES" --threads "$THREADS" "${INPUTS[$what]}" > "$out" 2> /dev/null; fi
  summary=$(jq -s --arg k "$what" --argjson s "$summary" '$s + {($k): {images: length,
    ok: (map(select(.status == "ok")) | length), review: (map(select(.status == "review")) | length),
    not_a_cell: (map(select(.status == "not_a_cell")) | length)}}' "$out")
done
jq --arg model "$MODEL" --argjson samples "$SAMPLES" '{model: $model, samples: $samples} + .' <<<"$summary" > docs/status.json
{
  echo "# Answer, review or not a cell: measured"
  echo
  echo "Made by \`bench/status.sh\` (model \`$MODEL\`, $SAMPLES run(s) per image; raw figures: [status.json](status.json))."
  echo "*ok*: answered with a class; *review*: sent to a person (calibrated confidence below the model's threshold, or runs that disagree);"
  echo "*not a cell*: no stained nucleus, or one under 0.7 red-cell diameters. Goals (lab-loop issue): ≥ 95 % of platelets and of"
  echo "the synthetic non-cells not answered with a white-cell class; ≤ 5 % of real white cells refused as not a cell."
  echo
  echo "| images | n | ok % | review % | not a cell % | not answered % |"
  echo "|---|---|---|---|---|---|"
  for what in platelets non_cells white_cells; do
    jq -r --arg k "$what" '.[$k] | "| \($k | gsub("_"; " ")) | \(.images) | \(.ok / .images * 1000 | round / 10) | \(.review / .images * 1000 | round / 10) | \(.not_a_cell / .images * 1000 | round / 10) | \((.review + .not_a_cell) / .images * 1000 | round / 10) |"' docs/status.json
  done
} > docs/status.md
cat docs/status.md
