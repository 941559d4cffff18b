#!/usr/bin/env bash
# Which mix the colour fit without labels should spread the answers towards (adapt --colour-mix): even (the five main
# types alike) or blood (a healthy adult's differential: neutrophils 60 %, lymphocytes 30 %, monocytes 6 %, eosinophils
# 3 %, basophils 1 %), and whether blood helps only where the lab's cells are mixed like it. jtsc and bccd are both 59 %
# neutrophils; their balanced parts (at most CAP cells per main type, the first in name order; neutrophils then about a
# quarter) are not. Each model's colours are fitted on each balanced part's images alone (no label) with each mix, and
# every cell of that part scored before and after. The whole sets' rows are bench/adapt.sh's label-free ones (models
# named NAME+fit and NAME+fit-blood there), read from docs/results-adapt.json.
# MODELS: name=path pairs (default: the wide fold-0 default model and the wide models of folds 1–4). Resumable.
# Writes docs/results-colour-mix.json and docs/results-colour-mix.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
W="$RUNS/cross-lab-full/nucleus-anchors-mix-h128"
MODELS="${MODELS:-default=models/wbc-nca-acevedo20.safetensors fold1=$W/fold-1-seed-1/best.safetensors fold2=$W/fold-2-seed-1/best.safetensors fold3=$W/fold-3-seed-1/best.safetensors fold4=$W/fold-4-seed-1/best.safetensors}"
CAP="${CAP:-22}"
MIXES="even blood"
# The balanced parts: links to the first CAP images of each type folder.
for set in jtsc bccd; do
  part="$RUNS/colour-mix/sets/$set-balanced"
  [[ -d "$part" ]] && continue
  mkdir -p "$part.tmp"
  for type in "$DATA/$set"/*/; do
    name="$(basename "$type")"; mkdir -p "$part.tmp/$name"
    find "$type" -maxdepth 1 -type f | sort | head -n "$CAP" | while read -r f; do ln -s "$(realpath "$f")" "$part.tmp/$name/"; done
  done
  mv "$part.tmp" "$part"
done
rows="[]"
for pair in $MODELS; do
  name="${pair%%=*}"; model="${pair#*=}"
  for set in jtsc bccd; do
    part="$RUNS/colour-mix/sets/$set-balanced"
    for mix in $MIXES; do
      out="$RUNS/colour-mix/$name/$set-balanced-$mix"
      colours_fitted "$out" "$model" "$part" --colour-mix "$mix"
      rows=$(jq --arg m "$name" --arg s "$set" --arg x "$mix" --slurpfile b "$out/before.json" --slurpfile a "$out/after.json" \
        '. + [{model: $m, set: $s, mix: $x, cells: $a[0].five_types.n, before: $b[0].five_types.accuracy, after: $a[0].five_types.accuracy,
               before_balanced: $b[0].five_types.balanced_accuracy, after_balanced: $a[0].five_types.balanced_accuracy}]' <<<"$rows")
    done
  done
done
# The whole sets: adapt.sh's label-free rows of NAME+fit (even) and NAME+fit-blood (blood); the default model's even row
# is named default+fit+mix there.
whole=$(jq --arg models "$MODELS" '($models | split(" ") | map(split("=")[0])) as $names
  | [.label_free[] | (.model | capture("^(?<n>[^+]+)\\+fit(?<b>-blood)?") // null) as $c | select($c != null and ($names | index($c.n)))
     | select((.model | test("-d[0-9]")) | not)
     | {model: $c.n, set: .set, mix: (if $c.b then "blood" else "even" end), cells, before, after, before_balanced, after_balanced}]' docs/results-adapt.json)
jq -n --arg models "$MODELS" --argjson cap "$CAP" --argjson balanced "$rows" --argjson whole "$whole" \
  '{models: $models, cap: $cap, balanced: $balanced, whole: $whole}' > docs/results-colour-mix.json.tmp
mv docs/results-colour-mix.json.tmp docs/results-colour-mix.json
ms='(add / length) as $m | (map((. - $m) * (. - $m)) | add / length | sqrt) as $s | "\($m * 1000 | round / 10) ± \($s * 1000 | round / 10)"'
{
  echo "# The mix the colour fit spreads the answers towards"
  echo
  echo "Made by \`bench/colour-mix.sh\` (raw figures: [results-colour-mix.json](results-colour-mix.json)). \`adapt --unlabelled SET\`"
  echo "without \`--data\` fits a gain and an offset per colour channel of the input on a lab's unlabelled images; \`--colour-mix\`"
  echo "says which mix of the five main types the model's mean answer is pulled towards: \`even\` (every type alike, the"
  echo "default until this measurement) or \`blood\` (a healthy adult's differential: neutrophils 60 %, lymphocytes 30 %,"
  echo "monocytes 6 %, eosinophils 3 %, basophils 1 %). The whole sets are 59 % neutrophils; their balanced parts (at most"
  echo "$CAP cells per type, the first in name order) are not. Each row fits on the images it scores, without their labels."
  echo "Five-type accuracy %, mean ± population std over the models \`$MODELS\` (one fit each, seed 1, the models' own"
  echo "averaging)."
  echo
  echo "| cells | set | neutrophils | as given | fitted, even mix | fitted, blood mix | as given, balanced acc. | even, balanced acc. | blood, balanced acc. |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for part in whole balanced; do
    for set in jtsc bccd; do
      src=$([[ $part == whole ]] && echo "$whole" || echo "$rows")
      sel() { jq -c --arg s "$set" --arg x "$1" '[.[] | select(.set == $s and .mix == $x)]' <<<"$src"; }
      even=$(sel even); blood=$(sel blood)
      [[ $(jq length <<<"$even") -gt 0 && $(jq length <<<"$blood") -gt 0 ]] || continue
      n=$(jq '.[0].cells' <<<"$blood")
      neut=$([[ $part == whole ]] && find "$DATA/$set" -ipath '*neutrophil*' -type f | wc -l || find -L "$RUNS/colour-mix/sets/$set-balanced" -ipath '*neutrophil*' -type f | wc -l)
      echo "| $part ($n) | $set | $(( (200 * neut / n + 1) / 2 )) % | $(jq -r "map(.before) | $ms" <<<"$even") | $(jq -r "map(.after) | $ms" <<<"$even") | $(jq -r "map(.after) | $ms" <<<"$blood") | $(jq -r "map(.before_balanced) | $ms" <<<"$even") | $(jq -r "map(.after_balanced) | $ms" <<<"$even") | $(jq -r "map(.after_balanced) | $ms" <<<"$blood") |"
    done
  done
  echo
  echo "Per model (five-type %, as given → even → blood):"
  echo
  echo "| model | jtsc whole | bccd whole | jtsc balanced | bccd balanced |"
  echo "|---|---|---|---|---|"
  for pair in $MODELS; do
    name="${pair%%=*}"
    cell() { jq -r --arg m "$name" --arg s "$2" '[.[] | select(.model == $m and .set == $s)] as $r
      | if ($r | length) < 2 then "–" else "\($r[0].before * 1000 | round / 10) → \($r | map(select(.mix == "even"))[0].after * 1000 | round / 10) → \($r | map(select(.mix == "blood"))[0].after * 1000 | round / 10)" end' <<<"$1"; }
    echo "| $name | $(cell "$whole" jtsc) | $(cell "$whole" bccd) | $(cell "$rows" jtsc) | $(cell "$rows" bccd) |"
  done
} > docs/results-colour-mix.md
cat docs/results-colour-mix.md
