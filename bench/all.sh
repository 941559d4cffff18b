#!/usr/bin/env bash
# Runs every result script in the order the results are needed (each resumes or skips finished work), then
# regenerates docs/results.md. The first steps give the default model and the first in-domain and cross-domain numbers.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
FOLDS_TO_RUN=0 bash bench/acevedo20-kfold.sh
bash bench/default-model.sh
bash bench/make-results.sh
LIMIT_PER_CLASS="${LIMIT_PER_CLASS:-30}" bash bench/reference-acevedo20.sh
bash bench/make-results.sh
VARIANT=stain FOLDS_TO_RUN=0 bash bench/acevedo20-kfold.sh
bash bench/make-results.sh
bash bench/acevedo20-kfold.sh
VARIANT=stain bash bench/acevedo20-kfold.sh
VARIANT=gray bash bench/acevedo20-kfold.sh
bash bench/make-results.sh
bash bench/channels.sh
bash bench/make-results.sh
