#!/usr/bin/env bash
# Results 2 and 3: the compact preset trained on Acevedo-20, 5-fold (FOLDS_TO_RUN, default all), seeds SEEDS;
# each best model is evaluated on its held-out fold (test.json, written by train) and, at the coarse level, on the
# cross-domain sets jtsc and bccd with the model's normalisation and with per-image normalisation.
# VARIANT=stain trains with colour/stain augmentation and per-image normalisation (the domain-robustness options);
# VARIANT=zoom with scale augmentation (--zoom 3: cells magnified up to 3×, as other labs' crops show them);
# VARIANT=zoomstain with both; VARIANT=gray on grey-level input (luminance, per-image normalisation: no colour cue).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# ARCH=resnext50|resnet18|aecfe trains a baseline on the same folds and seeds instead (runs/acevedo20-ARCH-VARIANT/…);
# aecfe's autoencoder also learns from the unlabelled images of jtsc and bccd, as AE-CFE uses every domain.
VARIANT="${VARIANT:-plain}"
ARCH="${ARCH:-nca}"
# Every variant on the whole image (as the paper and as these results were made; the compact recipe frames the cell).
extra=("${WHOLE_IMAGE[@]}")
case "$VARIANT" in
  plain) ;;
  stain) extra+=(--stain-augment --normalization image) ;;
  zoom) extra+=(--zoom 3) ;;
  zoomstain) extra+=(--zoom 3 --stain-augment --normalization image) ;;
  gray) extra+=(--normalization gray) ;;
  *) echo "unknown VARIANT $VARIANT (plain, stain, zoom, zoomstain, gray)" >&2; exit 2 ;;
esac
[[ "$ARCH" == aecfe ]] && extra+=(--ae-domain "folder:$DATA/jtsc" --ae-domain "folder:$DATA/bccd")
family=$([[ "$ARCH" == nca ]] && echo compact || echo "$ARCH")
for fold in ${FOLDS_TO_RUN:-$(seq 0 $((FOLDS - 1)))}; do
  for seed in $SEEDS; do
    out="$RUNS/acevedo20-$family-$VARIANT/fold-$fold-seed-$seed"
    train_fold "$out" "$fold" "$seed" "${extra[@]}"
    for set in jtsc bccd; do
      for norm in model image; do
        json="$out/cross-$set-$norm.json"
        [[ -f "$json" ]] && continue
        nopt=(); [[ "$norm" == image ]] && nopt=(--normalization image)
        "${WBC[@]}" evaluate --model "$out/best.safetensors" --dataset folder --data "$DATA/$set" "${nopt[@]}" \
          --threads "$THREADS" --out-json "$json" > /dev/null
      done
    done
  done
done
