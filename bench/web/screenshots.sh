#!/usr/bin/env bash
# Screenshots of the lab page for the README (docs/figures/page/*.png): builds the CLI and bench/WbcNca.Screenshots,
# which starts `wbc-nca serve --db` on loopback with a temporary database and the default model, drops a fixed sample
# of real Acevedo-20 cells and a field made of three of them into Debian's chromium (headless), corrects one cell by
# key and opens an explanation. Needs ../shared/data/acevedo20 and /usr/bin/chromium; skips without them.
# Usage: bench/web/screenshots.sh [OUT_FOLDER]   (default docs/figures/page)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${1:-docs/figures/page}"
data="${DATA:-../shared/data}/acevedo20"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -d "$data" ]]; then echo "screenshots: skipped: $data is absent (the sample is real Acevedo-20 cells)"; exit 0; fi
if [[ ! -x "$chromium" ]]; then echo "screenshots: skipped: $chromium is absent (apt-get install chromium)"; exit 0; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
./wbc-nca --help > /dev/null                       # builds the CLI once, as the server is started through the launcher
if ! log="$(dotnet build bench/WbcNca.Screenshots/WbcNca.Screenshots.csproj -c Release --nologo -v quiet 2>&1)"; then
  echo "$log" >&2; exit 1
fi
dotnet bench/WbcNca.Screenshots/bin/Release/net10.0/WbcNca.Screenshots.dll --out "$out" \
  --model models/wbc-nca-acevedo20.safetensors --data "$data" --wbc-nca ./wbc-nca --chromium "$chromium"
