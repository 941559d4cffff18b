#!/usr/bin/env bash
# The cell locator on real data: how often a cell is found in Acevedo-20 (a seeded sample of SAMPLE images), jtsc and
# bccd, which scale framed it, the measured red-cell diameter, nucleus extent and colours, and the time per image
# (docs/framing.json); and a figure of 8 cells of each set before and after framing (docs/figures/framing.png).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
dotnet build bench/WbcNca.Bench -c Release --nologo -v quiet > /dev/null
bench/WbcNca.Bench/bin/Release/net10.0/WbcNca.Bench framing --data "$DATA" --figure docs/figures/framing.png --json docs/framing.json \
  --sample "${SAMPLE:-1000}" --size "${SIZE:-32}"
