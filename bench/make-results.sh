#!/usr/bin/env bash
# Collects what the result scripts measured (under $RUNS) into docs/results.json and docs/results.md.
# Only finished, measured runs are reported; anything else is listed as not measured yet. Rerunnable at any time.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
out_json=docs/results.json
out_md=docs/results.md
# A fraction as a percentage with one decimal, "–" for none: as a jq function (PCT) and as a filter of one value (pct).
PCT='def pct: if . == null then "–" else (. * 1000 | round / 10 | tostring) end;'
pct() { jq -r "$PCT pct"; }

# Runs: one JSON object per finished run folder (test.json present).
runs_json() {
  local dir="$1"
  local first=1
  echo "["
  for run in "$dir"/*/; do
    run="${run%/}"
    [[ -f "$run/test.json" ]] || continue
    [[ $first == 1 ]] || echo ","
    first=0
    jq -n --arg name "$(basename "$run")" \
      --slurpfile test "$run/test.json" --slurpfile metrics "$run/metrics.json" --slurpfile config "$run/config.json" \
      --argjson cross "$(for f in "$run"/cross-*.json; do [[ -f "$f" ]] && jq -c --arg k "$(basename "$f" .json)" '{($k): {level, n, accuracy, balanced_accuracy, macro_f1, five_types: (.five_types | if . == null then null else {n, accuracy, balanced_accuracy, macro_f1} end)}}' "$f"; done | jq -s 'add // {}')" \
      '{name: $name, seed: $config[0].seed, fold: $config[0].options.fold, channels: $config[0].config.channels,
        epoch_size: $config[0].options.epoch_size,
        epochs: ($metrics[0] | length), train_seconds: ($metrics[0] | map(.seconds) | add),
        best_validation_balanced_accuracy: ($metrics[0] | map(.validation_balanced_accuracy) | max),
        test: ($test[0] | {n, accuracy, balanced_accuracy, macro_f1, coarse: (.coarse | {accuracy, balanced_accuracy, macro_f1}),
                           recall: (.per_class // {} | if type == "object" then with_entries(.value |= (if .support == 0 then null else .recall end)) else {} end)}),
        cross: $cross}'
  done
  echo "]"
}
summary() { # mean ± std over an array of numbers
  jq -r 'if length == 0 then "not measured yet" else
    (add / length) as $m | (map((. - $m) * (. - $m)) | add / length | sqrt) as $s |
    "\($m * 1000 | round / 10) ± \($s * 1000 | round / 10) (n = \(length))" end'
}
summary_or_dash() { # as summary, "–" when no run has the figure (e.g. reports written before it existed)
  local s; s=$(summary); [[ $s == "not measured yet" ]] && echo "–" || echo "$s"
}

# Training variants of bench/acevedo20-kfold.sh (VARIANT=…), in report order, and what each one trains with.
VARIANTS=(plain stain zoom zoomstain gray)
declare -A DESCRIBE=(
  [plain]="rotation + flips, Acevedo-20 statistics"
  [stain]="rotation + flips + colour/stain augmentation, per-image normalisation"
  [zoom]="rotation + flips + scale augmentation (--zoom 3), Acevedo-20 statistics"
  [zoomstain]="rotation + flips + scale augmentation (--zoom 3) + colour/stain augmentation, per-image normalisation"
  [gray]="rotation + flips, grey-level input (luminance, per-image normalisation)"
)
# Runs measured on another machine: a result whose run folders are not under $RUNS here keeps the rows of the previous
# report (docs/results.json), so that regenerating the report never drops what was measured; they are listed below it.
previous="{}"
[[ -f "$out_json" ]] && previous=$(cat "$out_json")
KEPT=()
# keep VAR JQ_PATH RUNS_JSON: sets VAR to the runs here, plus the previous report's rows at JQ_PATH whose run folders are
# not here (noted in KEPT with their names); a run folder here replaces the row of the same name.
keep() {
  local -n into="$1"; local path="$2" runs="$3" old kept
  old=$(jq -c "$path // []" <<<"$previous")
  into=$(jq -c --argjson old "$old" '(map(.name)) as $n | . + ($old | map(select(.name as $x | $n | index($x) | not))) | sort_by(.name)' <<<"$runs")
  kept=$(jq -r --argjson new "$runs" '($new | map(.name)) as $n | map(select(.name as $x | $n | index($x) | not) | .name) | join(", ")' <<<"$old")
  [[ -n "$kept" ]] && KEPT+=("$path ($kept)")
  return 0
}
declare -A RUNSOF
for variant in "${VARIANTS[@]}"; do
  keep rows ".acevedo20_compact_$variant" "$(runs_json "$RUNS/acevedo20-compact-$variant")"
  RUNSOF[$variant]="$rows"
done
# The compact preset's own recipe (full schedule; the default model's): bench/cross-lab.sh SCHEDULE=recipe
# VARIANTS=nucleus-anchors-mix FOLD=N (and bench/default-model.sh for fold 0) train it, one fold at a time.
keep recipe_runs ".acevedo20_compact_recipe" "$(runs_json "$RUNS/cross-lab-full/nucleus-anchors-mix")"
# The wide preset's recipe (the default model's since it replaced compact): VARIANTS=nucleus-anchors-mix-h128.
keep wide_runs ".acevedo20_wide_recipe" "$(runs_json "$RUNS/cross-lab-full/nucleus-anchors-mix-h128")"
keep channels ".channels" "$(runs_json "$RUNS/channels")"
# Baselines (ARCH=… bench/acevedo20-kfold.sh): same folds, seeds, sampler, augmentation and schedule as the NCA rows.
baselines="{}"
for arch in resnext50 resnet18 aecfe; do
  keep rows ".baselines_plain.$arch" "$(runs_json "$RUNS/acevedo20-$arch-plain")"
  baselines=$(jq --arg a "$arch" --argjson r "$rows" '. + {($a): $r}' <<<"$baselines")
done
# Baselines on the compact recipe's input and full schedule (ARCH=… SCHEDULE=recipe VARIANTS=nucleus-anchors-mix
# bench/cross-lab.sh FOLD=N): the fair comparison with result 2's full-schedule NCA.
recipe_baselines="{}"
# nca-h128, nca-h256: the NCA with its update rule twice and four times as wide (VARIANTS=nucleus-anchors-mix-h128, -h256),
# on the same input and schedule.
for arch in resnet18 resnext50 nca-h128 nca-h256; do
  dir="$RUNS/cross-lab-full/$arch-nucleus-anchors-mix"; [[ $arch == nca-h* ]] && dir="$RUNS/cross-lab-full/nucleus-anchors-mix-${arch#nca-}"
  keep rows ".baselines_recipe[\"$arch\"]" "$(runs_json "$dir")"
  recipe_baselines=$(jq --arg a "$arch" --argjson r "$rows" '. + {($a): $r}' <<<"$recipe_baselines")
done
costs=null
[[ -f docs/model-costs.json ]] && costs=$(cat docs/model-costs.json)
reference=null
if [[ -f "$RUNS/results/reference-acevedo20.json" ]]; then
  reference=$(jq '{n, accuracy, accuracy_std, balanced_accuracy, balanced_accuracy_std, macro_f1, macro_f1_std, per_seed, normalization, population}' "$RUNS/results/reference-acevedo20.json")
elif [[ $(jq '.reference_on_acevedo20 != null' <<<"$previous") == true ]]; then
  reference=$(jq '.reference_on_acevedo20' <<<"$previous"); KEPT+=(".reference_on_acevedo20")
fi

variants_json=$(for variant in "${VARIANTS[@]}"; do jq -n --arg k "acevedo20_compact_$variant" --argjson v "${RUNSOF[$variant]}" '{($k): $v}'; done | jq -s add)
jq -n --argjson reference "$reference" --argjson variants "$variants_json" --argjson channels "$channels" \
  --argjson baselines "$baselines" --argjson recipe_baselines "$recipe_baselines" --argjson costs "$costs" \
  --arg schedule "epochs=${EPOCHS:-recipe} epoch_size=${EPOCH_SIZE:-recipe} lr=${LR:-recipe} validation_fraction=$VALIDATION threads=$THREADS" \
  --argjson recipe "$recipe_runs" --argjson wide "$wide_runs" \
  '{schedule: $schedule, reference_on_acevedo20: $reference} + $variants + {acevedo20_wide_recipe: $wide, acevedo20_compact_recipe: $recipe, channels: $channels, baselines_plain: $baselines, baselines_recipe: $recipe_baselines, model_costs: $costs}' > "$out_json.tmp"
mv "$out_json.tmp" "$out_json"

# Accuracy against channels: CSV and PNG when at least one run finished.
if [[ $(jq length <<<"$channels") -gt 0 ]]; then
  # One curve per training budget (bench/channels.sh keeps each budget's runs apart).
  jq -r 'group_by([.epochs, .epoch_size, .channels])[] | [.[0].channels, (map(.test.accuracy) | add / length),
         ((map(.test.accuracy) | add / length) as $m | map((.test.accuracy - $m) * (.test.accuracy - $m)) | add / length | sqrt),
         "\(.[0].epochs) epochs × \(.[0].epoch_size) draws"] | @csv' <<<"$channels" > "$RUNS/results/channels.csv"
  "${WBC[@]}" plot --csv "$RUNS/results/channels.csv" --out docs/results-channels.png --x-label "channels n" --y-label "accuracy (Acevedo-20, fold 0)"
fi

# recipe_table RUNS_JSON: the full-schedule table of one preset's recipe runs (folds, per-fold rows, recall per class).
recipe_table() {
  local runs="$1" classes
  if [[ $(jq length <<<"$runs") -eq 0 ]]; then echo "Not measured yet."; else
    echo "| metric | mean ± std over folds (%) |"
    echo "|---|---|"
    for k in accuracy balanced_accuracy macro_f1; do echo "| $k | $(jq "map(.test.$k)" <<<"$runs" | summary) |"; done
    for set in jtsc bccd; do
      echo "| five-type accuracy on \`$set\` (zero-shot) | $(jq "map(.cross[\"cross-$set-model\"].five_types.accuracy | select(. != null))" <<<"$runs" | summary_or_dash) |"
    done
    echo
    echo "| run | fold | epochs | train s | test accuracy % | balanced % | macro-F1 % | jtsc five-type % | bccd five-type % |"
    echo "|---|---|---|---|---|---|---|---|---|"
    jq -r "$PCT"'.[] | "| \(.name) | \(.fold) | \(.epochs) | \(.train_seconds|round) | \(.test.accuracy | pct) | \(.test.balanced_accuracy | pct) | \(.test.macro_f1 | pct) | \(.cross["cross-jtsc-model"].five_types.accuracy | pct) | \(.cross["cross-bccd-model"].five_types.accuracy | pct) |"' <<<"$runs"
    echo
    echo "Recall per class (%), per fold:"
    echo
    classes=$(jq -r '[.[0].test.recall | keys_unsorted[]] | join(" | ")' <<<"$runs")
    echo "| fold | $classes |"
    echo "|---|$(jq -r '[.[0].test.recall | keys_unsorted[] | "---"] | join("|")' <<<"$runs")|"
    jq -r "$PCT"'.[] | "| \(.fold) | \([.test.recall[] | pct] | join(" | ")) |"' <<<"$runs"
    echo
    echo "(– : no image of that class in Acevedo-20.)"
    echo
    echo "Training curves: \`curves.png\` in each run folder."
  fi
}
{
  echo "# Results"
  echo
  echo "Made by \`bench/make-results.sh\` from the runs of the scripts named below (data in \`../shared/data\`)."
  echo "All numbers are measured; a result that has not finished says so. Raw figures: [results.json](results.json)."
  echo
  echo "Schedules: the first tables of result 2 are the wide and compact presets' full schedule, their own recipe (\`wbc-nca info --preset wide\`:"
  echo "32 epochs over the training part, lr 1e-3 decayed to 0.1× over the run, the cell framed on its nucleus, colours anchored, colour"
  echo "mixing 0.3), the recipe of the default model. Every other training run here: \`$(jq -r .schedule "$out_json")\`"
  echo "(class-balanced epochs, the whole image; the paper trains 32 full epochs — see \"Schedule\" below)."
  if (( ${#KEPT[@]} )); then
    echo
    echo "Kept from the previous report (their run folders were not on the machine that wrote this one): \`${KEPT[*]}\`."
  fi
  echo
  echo "## 1. The authors' Matek-19 checkpoint on Acevedo-20"
  echo "Script: \`bench/reference-acevedo20.sh\` (5 mask seeds, Acevedo-20 normalised with its own statistics). Paper: 43.9 ± 1.6 %."
  echo
  if [[ "$reference" == null ]]; then echo "Not measured yet."; else
    jq -r '"| images evaluated | accuracy % | balanced accuracy % | macro-F1 % |\n|---|---|---|---|\n| \(.n) | \(.accuracy*1000|round/10) ± \(.accuracy_std*1000|round/10) | \(.balanced_accuracy*1000|round/10) ± \(.balanced_accuracy_std*1000|round/10) | \(.macro_f1*1000|round/10) ± \(.macro_f1_std*1000|round/10) |"' <<<"$reference"
    if [[ $(jq '.population != null' <<<"$reference") == true ]]; then
      echo
      jq -r '"The \(.n) images are a seeded subset of at most the same number per class (nearly class-balanced), so their accuracy is close to the balanced accuracy. Weighted to the class mix of all \(.population.images) usable Acevedo-20 images (each class'"'"'s recall × its share), the estimated **accuracy on the whole set is \(.population.estimated_accuracy*1000|round/10) ± \(.population.estimated_accuracy_std*1000|round/10) %** (± over mask seeds), the figure to compare with the paper'"'"'s."' <<<"$reference"
    fi
  fi
  echo
  echo "## 2. Acevedo-20 in-domain, 5-fold (CPU)"
  echo "Best epoch by validation balanced accuracy, evaluated on the held-out fold with one mask draw (\`--samples 1\`). Paper (full-size model): 90.6 ± 0.2 %."
  echo "Full schedule: each preset's own recipe (32 epochs over the training part, lr 1e-3 decayed to 0.1×, the cell framed on its nucleus, colours"
  echo "anchored, colour mixing 0.3)."
  echo
  echo "**The wide preset, the default model's** (the compact model with its update rule twice as wide, h = 128: 23,053 parameters,"
  echo "1.9× the compact model's multiply-accumulates; the same recipe, \`wbc-nca info --preset wide\`; script: \`SCHEDULE=recipe"
  echo "VARIANTS=nucleus-anchors-mix-h128 FOLD=N bench/cross-lab.sh\`, one fold at a time, resumable; fold 0 is the default model's run,"
  echo "\`bench/default-model.sh\`). Mean ± population std over the folds finished:"
  echo
  recipe_table "$wide_runs"
  echo
  echo "**The compact preset** (h = 64, 14,797 parameters; the default model before, kept as \`models/wbc-nca-acevedo20-v2.safetensors\`;"
  echo "script: \`SCHEDULE=recipe VARIANTS=nucleus-anchors-mix FOLD=N bench/cross-lab.sh\`). Mean ± population std over the folds finished:"
  echo
  recipe_table "$recipe_runs"
  echo
  echo "**Short schedule** (script: \`bench/acevedo20-kfold.sh\`: 5 class-balanced epochs of 8,000 draws, the whole image):"
  echo
  for variant in "${VARIANTS[@]}"; do
    v=${RUNSOF[$variant]}
    [[ $variant == plain || $(jq length <<<"$v") -gt 0 ]] || continue
    echo "**$variant** (${DESCRIBE[$variant]}):"
    echo
    echo "| metric | mean ± std over runs (%) |"
    echo "|---|---|"
    for k in accuracy balanced_accuracy macro_f1; do
      echo "| $k | $(jq "map(.test.$k)" <<<"$v" | summary) |"
    done
    echo "| training time per run (s) | $(jq -r 'if length == 0 then "–" else (map(.train_seconds) | add / length | round | tostring) end' <<<"$v") |"
    echo
    if [[ $(jq length <<<"$v") -gt 0 ]]; then
      echo "| run | fold | seed | epochs | train s | test accuracy | balanced | macro-F1 |"
      echo "|---|---|---|---|---|---|---|---|"
      jq -r '.[] | "| \(.name) | \(.fold) | \(.seed) | \(.epochs) | \(.train_seconds|round) | \(.test.accuracy*1000|round/10) | \(.test.balanced_accuracy*1000|round/10) | \(.test.macro_f1*1000|round/10) |"' <<<"$v"
      echo
    fi
  done
  echo "## 3. Cross-domain (coarse level: five main types + other)"
  echo "Script: \`bench/acevedo20-kfold.sh\` (each model on all of \`jtsc\` and \`bccd\`, with the model's normalisation and with per-image normalisation). Paper's cross-domain figures: 13.6–50 %."
  echo "A cell's coarse class is the coarse class of the model's best fine class. These sets hold only the five main types, so the"
  echo "five-type columns score the best of the fine classes that belong to them (no answer *other*); – marks reports written before"
  echo "that score existed, whose coarse figures were made with the earlier rule (the coarse class with the largest summed probability)."
  echo
  echo "The cross-lab levers (framing the cell, colour anchors, colour mixing, lab statistics), one at a time on fold 0 with the"
  echo "five-type score, per-type recall and the predicted-type histogram: [results-cross-lab.md](results-cross-lab.md)"
  echo "(\`bench/cross-lab.sh\`, \`bench/cross-lab-results.sh\`). Answers, reviews and refusals of non-cells: [status.md](status.md)."
  echo "With the target lab's unlabelled images, the input's colours fitted to them without labels (\`adapt --unlabelled\`): table"
  echo "\"The lab's colours fitted without labels\" in [results-adapt.md](results-adapt.md) (\`bench/adapt.sh\`, models named \`+fit\`), and"
  echo "towards a blood smear's mix of types (the default) against an even one, on the whole sets and their balanced parts:"
  if [[ -f docs/results-colour-mix.json ]]; then
    jq -r '[.whole[] | select(.mix == "blood")] as $b | ($b | map(.model) | unique | length) as $n
      | def pct($s; f): ($b | map(select(.set == $s) | f) | add / length * 1000 | round / 10);
      "[results-colour-mix.md](results-colour-mix.md) (`bench/colour-mix.sh`; mean of \($n) models, as given → blood mix: `jtsc` \(pct("jtsc"; .before)) → \(pct("jtsc"; .after)) %, `bccd` \(pct("bccd"; .before)) → \(pct("bccd"; .after)) %)."' docs/results-colour-mix.json
  fi
  echo
  echo "| training | evaluated on | normalisation | accuracy % | balanced accuracy % | macro-F1 % | five-type accuracy % | five-type balanced accuracy % |"
  echo "|---|---|---|---|---|---|---|---|"
  for variant in "${VARIANTS[@]}"; do
    v=${RUNSOF[$variant]}
    [[ $(jq length <<<"$v") -gt 0 ]] || continue
    for set in jtsc bccd; do for norm in model image; do
      key="cross-$set-$norm"
      row=""
      for k in accuracy balanced_accuracy macro_f1; do row+=" $(jq "map(.cross[\"$key\"].$k | select(. != null))" <<<"$v" | summary) |"; done
      for k in accuracy balanced_accuracy; do row+=" $(jq "map(.cross[\"$key\"].five_types.$k | select(. != null))" <<<"$v" | summary_or_dash) |"; done
      echo "| $variant | $set | $norm |$row"
    done; done
  done
  echo
  echo "## 4. Accuracy against channel count (the paper's Figure 3, our way)"
  echo "Script: \`bench/channels.sh\` (compact preset with n changed, on the whole image; fold 0; seed 1; lr 1e-3 ×0.9999 per batch; each budget the"
  echo "same for every n, one curve per budget: \`CHANNEL_EPOCHS=E CHANNEL_EPOCH_SIZE=S bench/channels.sh\`)."
  echo
  if [[ $(jq length <<<"$channels") -eq 0 ]]; then echo "Not measured yet."; else
    echo "![accuracy against channels](results-channels.png)"
    echo
    echo "| n | runs | schedule (epochs × draws) | train s | test accuracy % | balanced % | macro-F1 % |"
    echo "|---|---|---|---|---|---|---|"
    jq -r 'group_by([.epochs, .epoch_size, .channels])[] | "| \(.[0].channels) | \(length) | \(.[0].epochs) × \(.[0].epoch_size) | \(map(.train_seconds) | add / length | round) | \(map(.test.accuracy) | add / length * 1000 | round / 10) | \(map(.test.balanced_accuracy) | add / length * 1000 | round / 10) | \(map(.test.macro_f1) | add / length * 1000 | round / 10) |"' <<<"$channels"
  fi
  echo
  echo "## 5. Baselines in the same harness"
  echo "Script: \`ARCH=resnext50 bench/acevedo20-kfold.sh\` (and \`ARCH=resnet18\`, \`ARCH=aecfe\`): the same folds, seeds, class-balanced"
  echo "sampler, augmentation (rotation + flips), schedule, model selection and metrics as the NCA rows above (plain variant), 64×64"
  echo "input. The CNNs are trained from scratch (no pretrained weights are available here), with torchvision's layers and"
  echo "initialisation (7×7 stride-2 stem and max-pool, so a 64×64 cell reaches the last stage at 2×2). AE-CFE-style: a convolutional"
  echo "autoencoder trained without labels on the training part plus all of \`jtsc\` and \`bccd\`, its 256-dimensional bottleneck"
  echo "classified by a 100-tree random forest (our seeded C# implementation). Cross-domain columns: accuracy at the coarse level."
  echo
  echo "| model | runs | accuracy % | balanced accuracy % | macro-F1 % | training s per run | jtsc (model norm.) | bccd (model norm.) | jtsc (per image) | bccd (per image) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for arch in nca-compact resnext50 resnet18 aecfe; do
    v=$([[ $arch == nca-compact ]] && echo "${RUNSOF[plain]}" || jq ".[\"$arch\"]" <<<"$baselines")
    row="| $arch | $(jq length <<<"$v") |"
    for k in accuracy balanced_accuracy macro_f1; do row+=" $(jq "map(.test.$k)" <<<"$v" | summary | sed 's/ (n = [0-9]*)//') |"; done
    row+=" $(jq -r 'if length == 0 then "–" else (map(.train_seconds) | add / length | round | tostring) end' <<<"$v") |"
    for key in cross-jtsc-model cross-bccd-model cross-jtsc-image cross-bccd-image; do
      row+=" $(jq "map(.cross[\"$key\"].accuracy | select(. != null))" <<<"$v" | summary | sed 's/ (n = [0-9]*)//') |"
    done
    echo "$row"
  done
  echo
  echo "**On the full schedule** (the compact recipe's input and schedule: the cell framed on its nucleus, colours anchored, colour"
  echo "mixing, 32 epochs over the training part, lr 1e-3 falling to 0.1×; script: \`ARCH=resnet18 SCHEDULE=recipe VARIANTS=nucleus-anchors-mix"
  echo "FOLD=N bench/cross-lab.sh\`), beside result 2's compact NCA on the same folds and the wide preset, the default model's (\`nca-h128\`:"
  echo "h = 128 instead of 64, 23,053 parameters, 1.9× the compact model's multiply-accumulates; \`SCHEDULE=recipe VARIANTS=nucleus-anchors-mix-h128"
  echo "FOLD=N bench/cross-lab.sh\`; \`nca-h256\`: four times as wide, 39,565 parameters, 1.09 G multiply-accumulates per image, \`…-h256\`);"
  echo "cross-domain columns: five-type accuracy, zero-shot. One run each (one answer per cell, no averaging)."
  echo
  echo "| model | folds | accuracy % | balanced accuracy % | macro-F1 % | training s per run | jtsc five-type % | bccd five-type % |"
  echo "|---|---|---|---|---|---|---|---|"
  for arch in nca-compact nca-h128 nca-h256 resnet18 resnext50; do
    if [[ $arch == nca-compact ]]; then
      folds=$(jq -r --argjson b "$recipe_baselines" '[$b[] | .[] | .fold] | unique' <<<"{}")
      v=$(jq --argjson f "$folds" 'map(select(.fold as $x | $f | index($x)))' <<<"$recipe_runs")
    else v=$(jq ".[\"$arch\"]" <<<"$recipe_baselines"); fi
    [[ $(jq length <<<"$v") -gt 0 ]] || continue
    row="| $arch | $(jq -r 'map(.fold | tostring) | join(", ")' <<<"$v") |"
    for k in accuracy balanced_accuracy macro_f1; do row+=" $(jq "map(.test.$k)" <<<"$v" | summary | sed 's/ (n = [0-9]*)//') |"; done
    row+=" $(jq -r 'map(.train_seconds) | add / length | round | tostring' <<<"$v") |"
    for key in cross-jtsc-model cross-bccd-model; do
      row+=" $(jq "map(.cross[\"$key\"].five_types.accuracy | select(. != null))" <<<"$v" | summary_or_dash | sed 's/ (n = [0-9]*)//') |"
    done
    echo "$row"
  done
  echo
  echo "### What each model costs"
  echo "Script: \`bench/model-costs.sh\` ([model-costs.json](model-costs.json)). MACs are counted from the layers (convolutions and linear"
  echo "layers; batch norm, activations, pooling and additions are not counted). The NCA's compute is k steps over every cell, masked"
  echo "cells included (the update is computed everywhere and masked afterwards): its parameter count is tiny, its compute per image is not."
  echo
  if [[ "$costs" == null ]]; then echo "Not measured yet."; else cat docs/model-costs.md; fi
  echo
  cat docs/results-notes.md
} > "$out_md"
echo "wrote $out_md and $out_json" >&2
