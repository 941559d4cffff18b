#!/usr/bin/env bash
# The lab loop's refusals, measured: how a model's answers to things that are not white cells come out (Acevedo-20's
# platelets, a class the models never learn; synthetic non-cells: blank, noise, red cells only, text, 1×1, 3000×3)
# and how many real white cells are wrongly refused as not a cell (every 10th Acevedo-20 white cell). Writes
# docs/status.json and docs/status.md. MODEL (default: the default model), SAMPLES (default: the model's own averaging,
# 'wbc-nca info': answers with; SAMPLES=1 for one run whatever the model stores). One answer per image
# (--one-cell): an image of several platelets is one image not to be answered.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
MODEL="${MODEL:-models/wbc-nca-acevedo20.safetensors}"
averaging=$("${WBC[@]}" info --model "$MODEL" --json 2> /dev/null | jq -c '.averaging // {samples: 1, views: false}')
run_opts=()
if [[ -n "${SAMPLES:-}" ]]; then run_opts=(--samples "$SAMPLES"); averaging=$(jq -c --argjson n "$SAMPLES" '{samples: $n, views: (.views and $n > 1)}' <<<"$averaging"); fi
SAMPLES=$(jq -r .samples <<<"$averaging")
runs_text=$(jq -r 'if .samples == 1 then "one run" elif .views then "\(.samples) runs, each on another rotation or mirror image" else "\(.samples) runs" end' <<<"$averaging")
work="$RUNS/status"; mkdir -p "$work"
[[ -d "$RUNS/noncells" ]] || bench/WbcNca.Bench/bin/Release/net10.0/WbcNca.Bench noncells --out "$RUNS/noncells" 2>/dev/null \
  || dotnet run --project bench/WbcNca.Bench -c Release -- noncells --out "$RUNS/noncells"
find "$DATA/acevedo20" -name '*.jpg' ! -path '*/platelet/*' | sort | awk 'NR % 10 == 0' > "$work/white-cells.txt"
# The platelets the default model's threshold was not chosen on (bench/default-model.sh uses the other half).
platelet_half measure > "$work/platelets.txt"
declare -A INPUTS=([non_cells]="$RUNS/noncells")
summary="{}"
for what in platelets non_cells white_cells; do
  out="$work/$what.jsonl"
  # REUSE=1: tabulate the answers of the last run again (same MODEL) instead of predicting.
  if [[ -n "${REUSE:-}" && -s "$out" ]]; then :
  elif [[ $what != non_cells ]]; then xargs "${WBC[@]}" predict --json --one-cell --model "$MODEL" "${run_opts[@]}" --threads "$THREADS" < "$work/${what/_/-}.txt" > "$out" 2> /dev/null
  else "${WBC[@]}" predict --json --one-cell --model "$MODEL" "${run_opts[@]}" --threads "$THREADS" "${INPUTS[$what]}" > "$out" 2> /dev/null; fi
  summary=$(jq -s --arg k "$what" --argjson s "$summary" '$s + {($k): {images: length,
    ok: (map(select(.status == "ok")) | length), review: (map(select(.status == "review")) | length),
    not_a_cell: (map(select(.status == "not_a_cell")) | length)}}' "$out")
done
jq --arg model "$MODEL" --argjson averaging "$averaging" '{model: $model, samples: $averaging.samples, views: $averaging.views} + .' <<<"$summary" > docs/status.json
{
  echo "# Answer, review or not a cell: measured"
  echo
  echo "Made by \`bench/status.sh\` (model \`$MODEL\`, $runs_text per image; raw figures: [status.json](status.json))."
  echo "Platelets: the half of Acevedo-20's platelets (even positions, sorted by path) that the default model's threshold was not chosen on."
  echo "*ok*: answered with a class; *review*: sent to a person (calibrated confidence below the model's threshold, runs that disagree, or a feature distance above the model's);"
  echo "*not a cell*: no stained nucleus, or one under 0.7 red-cell diameters. Goals (lab-loop issue): ≥ 95 % of platelets and of"
  echo "the synthetic non-cells not answered with a white-cell class; ≤ 5 % of real white cells refused as not a cell."
  echo
  echo "| images | n | ok % | review % | not a cell % | not answered % |"
  echo "|---|---|---|---|---|---|"
  for what in platelets non_cells white_cells; do
    jq -r --arg k "$what" '.[$k] | "| \($k | gsub("_"; " ")) | \(.images) | \(.ok / .images * 1000 | round / 10) | \(.review / .images * 1000 | round / 10) | \(.not_a_cell / .images * 1000 | round / 10) | \((.review + .not_a_cell) / .images * 1000 | round / 10) |"' docs/status.json
  done
  # The feature-distance threshold trades refused platelets against white cells sent to review: the rule of the
  # model with other thresholds, applied to the same answers (confidence threshold and spread rule as stored).
  if jq -e 'select(.feature_distance != null)' "$work/white_cells.jsonl" > /dev/null 2>&1; then
    echo
    info=$("${WBC[@]}" info --model "$MODEL" --json 2> /dev/null)
    threshold=$(jq -r '.decision.max_feature_distance // 0 | . * 10 | round / 10' <<<"$info")
    chosen=$(jq -r '.decision.feature_distance_chosen_on // "" | if . == "" then "its validation cells, 97 % kept" else . end' <<<"$info")
    echo "The feature-distance threshold (the model's: $threshold, chosen on $chosen) trades refused platelets"
    echo "against white cells sent to review; other thresholds on the same answers (confidence and spread rules as stored):"
    echo
    echo "| threshold | platelets not answered % | white cells not answered % |"
    echo "|---|---|---|"
    for t in 9 8.5 8 7.5 7 6.5 6; do
      row="| $t |"
      for what in platelets white_cells; do
        row+=" $(jq -s --argjson t "$t" 'map(select(.status == "not_a_cell" or .feature_distance > $t or (.status == "review" and (.reason | test("feature distance") | not))) ) | length' "$work/$what.jsonl" | \
          xargs -I{} jq -n --argjson n {} --argjson all "$(jq -s length "$work/$what.jsonl")" '$n / $all * 1000 | round / 10') |"
      done
      echo "$row"
    done
  fi
} > docs/status.md
cat docs/status.md
