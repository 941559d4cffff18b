#!/usr/bin/env bash
# Adapting to a lab from a few labelled cells (wbc-nca adapt, the classifier head refitted): for each other lab's set,
# K = 5, 10, 20 labelled cells per main type drawn at random (seeds DRAWS, default 1..5; a type with fewer cells gives
# what it has), five-type accuracy on the remaining cells before (zero-shot) and after. MODELS: name=path pairs; a name
# ending in +mix also gives adapt the whole set without its labels (--unlabelled), so that the adapted model's answers
# move to the lab's mix of cell types (transductive: the scored cells are among those unlabelled images); a name with +all
# tunes the cellular automaton's rule too (adapt --tune all), one with +colour the input's colours (adapt --tune colour); one with
# +fit first fits the input's colours to the lab's unlabelled images without their labels (adapt --fit-colours; name it +fit+mix,
# it needs the unlabelled images; +fit-dX fits them with diversity weight X, adapt --colour-diversity X; +fit-blood towards a healthy
# differential, adapt --colour-mix blood, other +fit rows towards an even mix) and also gets the label-free rows: the colours alone fitted on each whole set (adapt without
# --data), the set evaluated before and after. KS: the K values (default 5 10 20); LABEL_FREE_ONLY=1: only the label-free rows;
# NO_LABEL_FREE=1: none (a +fit+mix model whose label-free rows are another name's, e.g. default+fit-blood's).
# The ceiling of adapting the head: every labelled cell of the set, scored by 5-fold cross-validation (adapt --cross-validate 5;
# each fold scored by a head adapted on the other four), for each model not ending in +mix.
# Resumable (finished draws are skipped). Writes docs/results-adapt.json and docs/results-adapt.md, keeping the rows of
# models not run here.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
MODELS="${MODELS:-default=models/wbc-nca-acevedo20.safetensors default+mix=models/wbc-nca-acevedo20.safetensors}"
DRAWS="${DRAWS:-1 2 3 4 5}"
# The colour fit's options a model's name asks for: +fit-dX → --colour-diversity X; +fit-blood → --colour-mix blood (the
# program's default since it was measured), any other +fit → --colour-mix even (what those rows were measured with).
colour_options() {
  [[ "$1" =~ \+fit-d([0-9.]+) ]] && echo "--colour-diversity ${BASH_REMATCH[1]}"
  if [[ "$1" == *+fit-blood* ]]; then echo "--colour-mix blood"; else echo "--colour-mix even"; fi
}
rows="[]"
for pair in $MODELS; do
  name="${pair%%=*}"; model="${pair#*=}"
  [[ -n "${LABEL_FREE_ONLY:-}" ]] && continue
  for set in jtsc bccd; do for k in ${KS:-5 10 20}; do for seed in $DRAWS; do
    out="$RUNS/adapt/$name/$set-k$k-seed$seed"
    mkdir -p "$out"
    mix=(); [[ "$name" == *+mix ]] && mix=(--unlabelled "$DATA/$set")
    [[ "$name" == *+all* ]] && mix+=(--tune all)
    [[ "$name" == *+colour* ]] && mix+=(--tune colour)
    # adapt fits the colours by default when it gets the lab's images; rows without +fit keep the colours as trained.
    if [[ "$name" == *+mix ]]; then if [[ "$name" == *+fit* ]]; then mix+=(--fit-colours true $(colour_options "$name")); else mix+=(--fit-colours false); fi; fi
    [[ -f "$out/report.json" ]] || "${WBC[@]}" adapt --model "$model" --data "$DATA/$set" --out "$out/adapted.safetensors" --per-class "$k" \
      --seed "$seed" --threads "$THREADS" --report "$out/report.json" "${mix[@]}" > "$out/adapt.log" 2>&1
    rows=$(jq --arg m "$name" --arg s "$set" --argjson k "$k" --argjson seed "$seed" --slurpfile r "$out/report.json" \
      '. + [{model: $m, set: $s, k: $k, seed: $seed, fitted: $r[0].fitted_cells, scored: $r[0].scored_cells,
             before: $r[0].before.five_types.accuracy, after: $r[0].after.five_types.accuracy,
             before_balanced: $r[0].before.five_types.balanced_accuracy, after_balanced: $r[0].after.five_types.balanced_accuracy}]' <<<"$rows")
  done; done; done
done
cv="[]"
for pair in $MODELS; do
  name="${pair%%=*}"; model="${pair#*=}"
  [[ "$name" == *+mix || "$name" == *+all* || "$name" == *+colour* || "$name" == *+fit* || -n "${LABEL_FREE_ONLY:-}" ]] && continue   # the ceiling of the head alone
  for set in jtsc bccd; do
    out="$RUNS/adapt/$name/$set-cv5"
    mkdir -p "$out"
    [[ -f "$out/report.json" ]] || "${WBC[@]}" adapt --model "$model" --data "$DATA/$set" --out "$out/adapted.safetensors" --cross-validate 5 --seed 1 \
      --threads "$THREADS" --report "$out/report.json" > "$out/adapt.log" 2>&1
    cv=$(jq --arg m "$name" --arg s "$set" --slurpfile r "$out/report.json" \
      '. + [{model: $m, set: $s, folds: $r[0].folds, cells: $r[0].labelled_cells, before: $r[0].before.five_types.accuracy, after: $r[0].cross_validated.accuracy,
             before_balanced: $r[0].before.five_types.balanced_accuracy, after_balanced: $r[0].cross_validated.balanced_accuracy,
             recall: ($r[0].cross_validated.per_class | map_values(.recall))}]' <<<"$cv")
  done
done
# Label-free: the colours alone fitted on the whole set's images (no label), every cell scored before and after.
free="[]"
for pair in $MODELS; do
  name="${pair%%=*}"; model="${pair#*=}"
  # (a +fit row that also tunes with labels starts from the same label-free colours as its plain +fit sibling)
  [[ "$name" == *+fit* && "$name" != *+all* && "$name" != *+colour* && -z "${NO_LABEL_FREE:-}" ]] || continue
  for set in jtsc bccd; do
    out="$RUNS/adapt/$name/$set-label-free"
    colours_fitted "$out" "$model" "$DATA/$set" $(colour_options "$name")
    free=$(jq --arg m "$name" --arg s "$set" --slurpfile b "$out/before.json" --slurpfile a "$out/after.json" \
      'def hist($r): $r.five_types.confusion as $c | [range(0; $c.classes | length) as $j | {key: $c.classes[$j], value: ([$c.matrix[][$j]] | add)}] | from_entries;
       . + [{model: $m, set: $s, cells: $a[0].five_types.n, before: $b[0].five_types.accuracy, after: $a[0].five_types.accuracy,
             before_balanced: $b[0].five_types.balanced_accuracy, after_balanced: $a[0].five_types.balanced_accuracy,
             called_before: hist($b[0]), called_after: hist($a[0])}]' <<<"$free")
  done
done
# Draws of models not run here are kept from the previous report (a draw run here replaces its row).
if [[ -f docs/results-adapt.json ]]; then
  rows=$(jq --slurpfile old docs/results-adapt.json 'def key: "\(.model)|\(.set)|\(.k)|\(.seed)";
    (map(key)) as $keys | . + ($old[0].runs | map(select(key as $k | $keys | index($k) | not)))' <<<"$rows")
  cv=$(jq --slurpfile old docs/results-adapt.json 'def key: "\(.model)|\(.set)";
    (map(key)) as $keys | . + (($old[0].cross_validated // []) | map(select(key as $k | $keys | index($k) | not)))' <<<"$cv")
  free=$(jq --slurpfile old docs/results-adapt.json 'def key: "\(.model)|\(.set)";
    (map(key)) as $keys | . + (($old[0].label_free // []) | map(select(key as $k | $keys | index($k) | not)))' <<<"$free")
  for pair in $(jq -r '.models' docs/results-adapt.json); do
    grep -qw -- "${pair%%=*}=[^ ]*" <<<"$MODELS" || MODELS="$MODELS $pair"
  done
fi
rows=$(jq 'sort_by(.model, .set, .k, .seed)' <<<"$rows")
jq --arg models "$MODELS" --argjson cv "$cv" --argjson free "$free" '{models: $models, runs: ., cross_validated: $cv, label_free: $free}' <<<"$rows" > docs/results-adapt.json
ms='(add / length) as $m | (map((. - $m) * (. - $m)) | add / length | sqrt) as $s | "\($m * 1000 | round / 10) ± \($s * 1000 | round / 10)"'
{
  echo "# Adapting to a lab from a few labelled cells"
  echo
  echo "Made by \`bench/adapt.sh\` (raw figures: [results-adapt.json](results-adapt.json)). \`wbc-nca adapt --per-class K\` refits the"
  echo "classifier head of a model trained on Acevedo-20 on K labelled cells per main type of the target set (each in 8 rotated and"
  echo "mirrored views; the cellular automaton itself unchanged) and scores the remaining cells of that set at the five-type level."
  echo "A model trained with stain anchors (\`--colour stains\`) also takes the lab's typical red-cell colour, measured on the K labelled"
  echo "cells, for the images without usable red cells of their own. Each model answers as it does by default (its stored averaging:"
  echo "\`default\` (the wide preset, shipped now) and \`v2\` (the compact preset, the default model before it, same recipe) the mean of"
  echo "8 rotated and mirrored views, their adapted models the mean of their 8 views; \`default-one-run\` (v2's weights), \`stains\`,"
  echo "\`v1\` and \`nucleus-anchors-mix\`, measured before models stored an averaging: one run, zero-shot and adapted)."
  echo "Rows \`+mix\` also give \`adapt\` all of the set's images without their labels (\`--unlabelled\`): the lab's mix of cell types"
  echo "is estimated from them (EM, Saerens et al. 2002) and the answers moved to it. This uses the target lab's unlabelled images,"
  echo "the scored cells among them (as a lab adapting on its own samples would)."
  echo "Rows with \`+all\` tune the cellular automaton's rule together with the head (\`adapt --tune all\`: continuing from the refitted"
  echo "head, 60 Adam steps on the K cells per type, every weight pulled towards its trained value; the \`v2+all+mix\` rows were measured"
  echo "with the head restarted from the trained one); rows with \`+colour\` tune a gain and an offset per colour channel of the input"
  echo "with the refitted head (\`adapt --tune colour\`: the automaton's rule unchanged, 60 Adam steps, the log gains and offsets pulled"
  echo "towards 0; stored in the adapted model's normalisation statistics)."
  echo "Mean ± population std over $(wc -w <<<"$DRAWS") random draws of the K cells (seeds $DRAWS). Models: \`$MODELS\`."
  echo
  echo "| model | set | K per type | cells fitted | cells scored | zero-shot five-type % | adapted five-type % | zero-shot balanced % | adapted balanced % |"
  echo "|---|---|---|---|---|---|---|---|---|"
  jq -r "group_by([.model, .set, .k])[] | \"| \(.[0].model) | \(.[0].set) | \(.[0].k) | \(.[0].fitted) | \(.[0].scored) | \(map(.before) | $ms) | \(map(.after) | $ms) | \(map(.before_balanced) | $ms) | \(map(.after_balanced) | $ms) |\"" <<<"$rows"
  echo
  echo "## The ceiling of adapting the head"
  echo
  echo "Every labelled cell of the set used, scored by 5-fold cross-validation (\`adapt --cross-validate 5\`: each fold scored by a head"
  echo "adapted on the other four folds' cells, answering as the adapted model does; folds of the project's stratified split, identical images kept together, seed 1). This is"
  echo "how far more corrected cells can take an adapted head while the cellular automaton stays as trained."
  echo
  echo "| model | set | cells | as given five-type % | adapted, cross-validated five-type % | as given balanced % | adapted balanced % | recall per type (adapted) |"
  echo "|---|---|---|---|---|---|---|---|"
  jq -r 'sort_by(.model, .set)[] | "| \(.model) | \(.set) | \(.cells) | \(.before * 1000 | round / 10) | \(.after * 1000 | round / 10) | \(.before_balanced * 1000 | round / 10) | \(.after_balanced * 1000 | round / 10) | \(.recall | to_entries | map("\(.key) \(.value * 100 | round)") | join(", ")) |"' <<<"$cv"
  echo
  echo "## The lab's colours fitted without labels"
  echo
  echo "\`adapt --unlabelled SET\` without \`--data\`: a gain and an offset per colour channel of the normalised input, fitted on all of the"
  echo "set's images without their labels so that the model's answers over the five main types become confident and spread out"
  echo "(information maximisation; automaton and head as trained), then every cell of the set scored. Uses the target lab's unlabelled"
  echo "images (the scored cells among them), no label. Rows with \`+fit\` above start their adaptation from these colours."
  echo "Rows \`+fit\` spread the answers towards an even mix of the five types (\`--colour-mix even\`), rows \`+fit-blood\` towards a"
  echo "healthy adult's differential (\`--colour-mix blood\`, the program's default since; [results-colour-mix.md](results-colour-mix.md)),"
  echo "rows \`+fit-d2\` with the spread term's weight 2 (\`--colour-diversity 2\`)."
  echo
  echo "| model | set | cells | as given five-type % | colours fitted five-type % | as given balanced % | colours fitted balanced % | called (as given) | called (colours fitted) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  jq -r 'sort_by(.model, .set)[] | "| \(.model) | \(.set) | \(.cells) | \(.before * 1000 | round / 10) | \(.after * 1000 | round / 10) | \(.before_balanced * 1000 | round / 10) | \(.after_balanced * 1000 | round / 10) | \(.called_before | to_entries | map("\(.key) \(.value)") | join(", ")) | \(.called_after | to_entries | map("\(.key) \(.value)") | join(", ")) |"' <<<"$free"
  echo
  echo "Goal (lab-loop issue): with 10 corrected cells per main type, five-type accuracy ≥ 90 % on jtsc and on bccd."
} > docs/results-adapt.md
cat docs/results-adapt.md
