#!/usr/bin/env bash
# Collects the runs of bench/cross-lab.sh (runs/cross-lab/VARIANT/fold-F-seed-S) into docs/results-cross-lab.md and
# docs/results-cross-lab.json: one row per run with its training options, in-domain figures, and on each other lab's set
# the six-way (five main types + other) and five-type scores, per-type recall and the histogram of predicted types, and
# what the row used from the target lab. Rerunnable at any time; only finished runs are listed. Rows of the previous
# docs/results-cross-lab.json whose run folders are not on this machine are kept (a run folder present replaces its row).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out_md=docs/results-cross-lab.md
out_json=docs/results-cross-lab.json
rows="[]"
for run in "$RUNS"/cross-lab/*/fold-*-seed-* "$RUNS"/cross-lab-e*/*/fold-*-seed-* "$RUNS"/cross-lab-full/*/fold-*-seed-*; do
  [[ -f "$run/test.json" ]] || continue
  variant=$(basename "$(dirname "$run")")
  cross="{}"
  for f in "$run"/cross-*.json; do
    [[ -f "$f" ]] || continue
    key=$(basename "$f" .json); key=${key#cross-}
    cross=$(jq --arg k "$key" --slurpfile c "$f" '. + {($k): ($c[0] | {accuracy, balanced_accuracy, normalization,
      five: (.five_types | {accuracy, balanced_accuracy, macro_f1, recall: [.per_class[] | .recall], predicted: [.per_class[] | .predicted]})})}' <<<"$cross")
  done
  rows=$(jq --arg v "$variant" --arg run "$(basename "$run")" --slurpfile t "$run/test.json" --slurpfile c "$run/config.json" --slurpfile m "$run/metrics.json" --argjson x "$cross" \
    '. + [{variant: $v, run: $run, fold: $c[0].options.fold, model: (if ($c[0].arch // "nca") == "nca" then ($c[0].config | "\(.image_size) px, k \(.steps), n \(.channels), h \(.hidden_size)") else "\($c[0].arch), \($c[0].config.image_size // 64) px" end), seed: $c[0].seed, input: ($c[0].options.input // {framing: "whole", color: "rgb"}),
      augmentation: $c[0].options.augmentation, normalization: $c[0].options.normalization,
      epochs: ($m[0] | length), epoch_size: $c[0].options.epoch_size, train_seconds: ($m[0] | map(.seconds) | add),
      test: ($t[0] | {accuracy, balanced_accuracy, macro_f1}), cross: $x}]' <<<"$rows")
done
# One row per variant, run and schedule: rows measured before and not run here are kept as they were.
if [[ -f "$out_json" ]]; then
  rows=$(jq --slurpfile old "$out_json" 'def key: "\(.variant)|\(.run)|\(.epochs)|\(.epoch_size)";
    (map(key)) as $keys | . + ($old[0].runs | map(select(key as $k | $keys | index($k) | not)))' <<<"$rows")
fi
rows=$(jq 'sort_by(.epochs, .variant, .fold)' <<<"$rows")
jq --arg schedule "$(schedule_text)" '{schedule: $schedule, runs: .}' <<<"$rows" > "$out_json"
pct='(. * 1000 | round / 10)'
{
  echo "# Cross-lab results: one lever at a time"
  echo
  echo "Made by \`bench/cross-lab-results.sh\` from the runs of \`bench/cross-lab.sh\` (raw figures: [results-cross-lab.json](results-cross-lab.json))."
  echo "Every model is trained on Acevedo-20 only (compact preset, fold $(jq -r '[.[].fold] | unique | map(tostring) | join(", ")' <<<"$rows"), the seed in its column; schedule per row: epochs × class-balanced draws per epoch, 0 = the training part)"
  echo "and evaluated on all of \`jtsc\` (300 cells) and \`bccd\` (351 cells), whose labels name only the five main types."
  echo "**six-way**: the coarse class of the model's best fine class (five main types or *other*); **five-type**: the best of the fine"
  echo "classes that belong to the five main types (these sets hold no other cell). Recall and predicted counts are per type in the order"
  echo "basophil / eosinophil / lymphocyte / monocyte / neutrophil (jtsc holds 1 / 22 / 53 / 48 / 176 cells, bccd 3 / 88 / 33 / 20 / 207)."
  echo "In-domain: the held-out Acevedo-20 fold. No row uses anything of the target lab unless its \"from the target lab\" column says so."
  echo
  echo "| variant | fold | seed | model | schedule | framing | colour | colour augmentation | in-domain acc. % | bal. % | jtsc six-way % | jtsc five-type % | five-type bal. % | jtsc recall % | jtsc predicted | bccd six-way % | bccd five-type % | five-type bal. % | bccd recall % | bccd predicted | from the target lab |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for norm in model dataset lab; do
    case $norm in model) used="nothing" ;; dataset) used="its unlabelled images (colour statistics)" ;; lab) used="its unlabelled images (anchor colours)" ;; esac
    jq -r --arg norm "$norm" --arg used "$used" ".[] | . as \$r | select(.cross[\"jtsc-\" + \$norm] != null or .cross[\"bccd-\" + \$norm] != null) |
      [\"\(.variant)\" + (if \$norm == \"dataset\" then \" (target statistics)\" elif \$norm == \"lab\" then \" (target anchors)\" else \"\" end), (.fold | tostring), (.seed | tostring), .model, \"\(.epochs) × \(.epoch_size)\",
      (.input.framing + (if .input.framing == \"nucleus\" then \" \(.input.nucleus_factor)\" elif .input.framing == \"cell\" then \" \(.input.red_cells)\" else \"\" end)), .input.color,
      ([ (if .augmentation.color_mix > 0 then \"mix \(.augmentation.color_mix)\" else empty end), (if .augmentation.hue > 0 then \"hue \(.augmentation.hue)\" else empty end),
         (if .augmentation.hed > 0 then \"HED \(.augmentation.hed)\" else empty end), (if .augmentation.brightness > 0 then \"bright. \(.augmentation.brightness)\" else empty end),
         (if (.augmentation.tight_crop // 0) > 0 then \"tight crops \(.augmentation.tight_crop)\" else empty end) ] | if length == 0 then \"–\" else join(\", \") end),
      (.test.accuracy | $pct | tostring), (.test.balanced_accuracy | $pct | tostring),
      ( (\"jtsc-\" + \$norm, \"bccd-\" + \$norm) as \$k | (\$r.cross[\$k] // null) | if . == null then (\"–\", \"–\", \"–\", \"–\", \"–\") else
          ((.accuracy | $pct | tostring), (.five.accuracy | $pct | tostring), (.five.balanced_accuracy | $pct | tostring),
           (.five.recall | map($pct | round | tostring) | join(\" / \")), (.five.predicted | map(tostring) | join(\" / \"))) end ),
      \$used] | \"| \" + join(\" | \") + \" |\"" <<<"$rows"
  done
  echo
  echo "Goal (issue: robust across labs): five-type accuracy ≥ 70 % on jtsc and on bccd with nothing from the target lab, no main type"
  echo "with ≥ 20 cells at recall 0, in-domain accuracy not below the whole-image row."
} > "$out_md"
echo "wrote $out_md and $out_json ($(jq length <<<"$rows") runs)"
