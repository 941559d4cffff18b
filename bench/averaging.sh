#!/usr/bin/env bash
# Test-time averaging across folds: each full-schedule fold model of a preset's recipe (PRESETS, default "wide compact":
# bench/cross-lab.sh SCHEDULE=recipe VARIANTS=nucleus-anchors-mix-h128 (wide) or nucleus-anchors-mix (compact) FOLD=N;
# PRESETS=h256: the wide model with hidden 256, VARIANTS=nucleus-anchors-mix-h256;
# fold 0 of wide is the default model, of compact the one shipped before it) evaluated on its held-out Acevedo-20 fold
# and, zero-shot, on all of jtsc and bccd, three ways: one run (--samples 1, every other table), 8 mask draws
# (--samples 8), 8 mask draws each on another rotation or mirror image (--samples 8 --views). Resumable (finished
# evaluations are skipped). Writes docs/results-averaging.json and docs/results-averaging.md, keeping the rows of folds
# whose models are not here.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
declare -A SETTING=([single]="--samples 1" [draws]="--samples 8" [views]="--samples 8 --views")
declare -A VARIANT=([wide]=nucleus-anchors-mix-h128 [compact]=nucleus-anchors-mix [h256]=nucleus-anchors-mix-h256)
declare -A SHIPPED=([wide]=models/wbc-nca-acevedo20.safetensors [compact]=models/wbc-nca-acevedo20-v2.safetensors)
SETTINGS="single draws views"
PRESETS="${PRESETS:-wide compact}"
model_of() { # PRESET FOLD: the fold's model, the run's best epoch (fold 0: the shipped model, the same weights, calibrated)
  local run="$RUNS/cross-lab-full/${VARIANT[$1]}/fold-$2-seed-1/best.safetensors"
  if [[ -f "$run" ]]; then echo "$run"; elif [[ "$2" == 0 && -f "${SHIPPED[$1]:-}" ]]; then echo "${SHIPPED[$1]}"; fi
}
rows="[]"
for preset in $PRESETS; do
[[ -v VARIANT[$preset] ]] || { echo "PRESETS: unknown preset $preset (known: ${!VARIANT[*]})" >&2; exit 2; }
for fold in ${FOLDS_TO_RUN:-0 1 2 3 4}; do
  model=$(model_of "$preset" "$fold"); [[ -n "$model" ]] || continue
  out="$RUNS/averaging/$preset/fold-$fold"; mkdir -p "$out"
  for setting in $SETTINGS; do
    for set in acevedo20 jtsc bccd; do
      json="$out/$setting-$set.json"
      if [[ ! -f "$json" ]]; then
        if [[ "$set" == acevedo20 ]]; then data=(--dataset acevedo20 --data "$DATA/acevedo20" --held-out); else data=(--dataset folder --data "$DATA/$set"); fi
        # shellcheck disable=SC2086
        "${WBC[@]}" evaluate --model "$model" "${data[@]}" ${SETTING[$setting]} --threads "$THREADS" --out-json "$json.tmp" > /dev/null 2>> "$out/evaluate.log" \
          && mv "$json.tmp" "$json"
      fi
      rows=$(jq --arg p "$preset" --argjson f "$fold" --arg s "$setting" --arg set "$set" --slurpfile r "$json" \
        '. + [{preset: $p, fold: $f, setting: $s, set: $set, n: $r[0].n, accuracy: $r[0].accuracy, balanced_accuracy: $r[0].balanced_accuracy, macro_f1: $r[0].macro_f1,
               five: ($r[0].five_types | if . == null then null else {accuracy, balanced_accuracy} end),
               at_80: ($r[0].confidence.accuracy_at_80 // null)}]' <<<"$rows")
    done
  done
done
done
if [[ -f docs/results-averaging.json ]]; then
  # Rows written before the report had presets are the compact recipe's.
  rows=$(jq --slurpfile old docs/results-averaging.json 'def key: "\(.preset)|\(.fold)|\(.setting)|\(.set)";
    (map(key)) as $keys | . + ($old[0].runs | map({preset: "compact"} + .) | map(select(key as $k | $keys | index($k) | not)))' <<<"$rows")
fi
# The order of the presets in the report: the default model's first.
rank='def rank: if . == "wide" then 0 elif . == "h256" then 1 else 2 end;'
rows=$(jq "$rank"' sort_by((.preset | rank), .fold, .setting, .set)' <<<"$rows")
jq '{runs: .}' <<<"$rows" > docs/results-averaging.json
ms='if length == 0 then "–" else (add / length) as $m | (map((. - $m) * (. - $m)) | add / length | sqrt) as $s | "\($m * 1000 | round / 10) ± \($s * 1000 | round / 10)" end'
{
  echo "# Test-time averaging across folds"
  echo
  echo "Made by \`bench/averaging.sh\` (raw figures: [results-averaging.json](results-averaging.json)). The full-schedule models of the"
  echo "wide preset (the default model's: hidden 128) and of the compact preset (hidden 64, the model shipped before), both on the"
  echo "same recipe (32 epochs, seed 1; \`h256\`: the wide model with hidden 256, fold 0), each on its own held-out Acevedo-20 fold and, zero-shot, on all of \`jtsc\` and \`bccd\`"
  echo "(nothing of those labs used). Mean ± population std over the folds in the \"folds\" column (fold models not on the machine"
  echo "that made this report keep their earlier rows). **one run**: \`--samples 1\`; **8 draws**: \`--samples 8\` (8 update masks);"
  echo "**8 views**: \`--samples 8 --views\` (8 update masks, each on another of the cell's 4 rotations × 2 mirror images)."
  echo
  echo "| preset | averaging | folds | in-domain acc. % | balanced % | macro-F1 % | accuracy of the 80 % most confident % | jtsc five-type % | bccd five-type % |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for preset in $(jq -r "$rank"' map(.preset) | unique | sort_by(rank) | .[]' <<<"$rows"); do
  for setting in $SETTINGS; do
    case $setting in single) label="one run" ;; draws) label="8 draws" ;; views) label="8 views" ;; esac
    jq -r --arg p "$preset" --arg s "$setting" --arg name "$label" "map(select(.preset == \$p and .setting == \$s)) as \$r |
      (\$r | map(select(.set == \"acevedo20\"))) as \$a |
      [\$p, \$name, (\$a | map(.fold | tostring) | join(\", \")),
       (\$a | map(.accuracy) | $ms), (\$a | map(.balanced_accuracy) | $ms), (\$a | map(.macro_f1) | $ms),
       (\$a | map(.at_80 | select(. != null)) | $ms),
       (\$r | map(select(.set == \"jtsc\") | .five.accuracy) | $ms), (\$r | map(select(.set == \"bccd\") | .five.accuracy) | $ms)]
      | \"| \" + join(\" | \") + \" |\"" <<<"$rows"
  done
  done
  echo
  echo "Per fold (in-domain accuracy / jtsc five-type / bccd five-type, %):"
  echo
  echo "| preset | fold | one run | 8 draws | 8 views |"
  echo "|---|---|---|---|---|"
  jq -r "$rank"' group_by([(.preset | rank), .fold])[] | . as $f | [.[0].preset, (.[0].fold | tostring)] + ([ "single", "draws", "views" ] | map(. as $s |
      [($f[] | select(.setting == $s and .set == "acevedo20") | .accuracy), ($f[] | select(.setting == $s and .set == "jtsc") | .five.accuracy),
       ($f[] | select(.setting == $s and .set == "bccd") | .five.accuracy)] | map(. * 1000 | round / 10 | tostring) | join(" / ")))
      | "| " + join(" | ") + " |"' <<<"$rows"
} > docs/results-averaging.md
cat docs/results-averaging.md
