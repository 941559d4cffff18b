#!/usr/bin/env bash
# Side-by-side benchmark: our engines (bench/WbcNca.Bench) vs the PyTorch peer (bench/python/nca_peer.py), same threads and
# batch, run interleaved in one session. Prints one table; the full run writes docs/performance.json.
#   bench/run.sh            full run (paper, compact and wide, the default model's preset; several minutes on 2 cores)
#   bench/run.sh --quick    compact preset only, under a minute; last line: train_speedup=X infer_speedup=Y train_peak_gb=Z
# Environment: THREADS (default 2), PYTHON (default /usr/bin/python3, Debian's python3-torch),
# PEER_OMP_WAIT_POLICY (default PASSIVE), PEER_MEMORY_GB (default 16: the peer runs under `ulimit -v` of that size and counts as failed when it needs more),
# PEER_PAPER8=0 skips the peer at paper batch 8 (11.6 GB), PEER_PAPER16=1 also runs it at paper batch 16 (about 23 GB), FULL_BASELINE=1 also runs our torch engine without
# checkpointing at paper batch 16 (11–19 GB).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0; [[ "${1:-}" == "--quick" ]] && quick=1
threads="${THREADS:-2}"; py="${PYTHON:-/usr/bin/python3}"
# libgomp's default (spinning) wait policy makes the peer 3–9× slower on a machine shared with other busy processes;
# PASSIVE is its best setting there (PEER_OMP_WAIT_POLICY=ACTIVE for a machine of its own). Ours (libtorch's OpenMP
# threads around the fused kernels) runs with OMP_WAIT_POLICY (default PASSIVE, as the launcher sets it).
omp_wait="${PEER_OMP_WAIT_POLICY:-PASSIVE}"; export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
tunables="glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736"
dotnet build "$root/bench/WbcNca.Bench/WbcNca.Bench.csproj" -c Release --nologo -v quiet >/dev/null
ours="$root/bench/WbcNca.Bench/bin/Release/net10.0/WbcNca.Bench"
peer="$root/bench/python/nca_peer.py"
out="${OUT:-$(mktemp)}"; : >"$out"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"; started=$SECONDS

# case: label, env (tuned|default), ours-args, peer-args
run_case() {
  local label="$1" env="$2" oargs="$3" pargs="$4" t=""
  [[ "$env" == tuned ]] && t="$tunables"
  echo "  $label …" >&2
  if [[ -n "$pargs" ]]; then
    res="$(ulimit -v $(( ${PEER_MEMORY_GB:-16} * 1024 * 1024 )); OMP_WAIT_POLICY="$omp_wait" GLIBC_TUNABLES="$t" "$py" "$peer" $pargs --threads "$threads")" || res='{"impl": "pytorch", "failed": "out of memory (limit '"${PEER_MEMORY_GB:-16}"' GB)"}'
    echo "$res" | sed "s/^{/{\"case\": \"$label\", \"env\": \"$env\", /" >>"$out"
  fi
  res="$(GLIBC_TUNABLES="$t" "$ours" $oargs --threads "$threads")" || res='{"impl": "wbc-nca", "failed": "error"}'
  echo "$res" | sed "s/^{/{\"case\":\"$label\",\"env\":\"$env\",/" >>"$out"
}

if (( quick )); then
  run_case "train compact b8" tuned "train --preset compact --batch 8 --engine fused --warmup 1 --iters 1" "train --preset compact --batch 8 --warmup 1 --iters 1"
  run_case "infer compact b1" tuned "infer --preset compact --batch 1 --engine fused --iters 15" "infer --preset compact --batch 1 --iters 15"
  run_case "infer compact b16" tuned "infer --preset compact --batch 16 --engine fused --warmup 1 --iters 1" "infer --preset compact --batch 16 --warmup 1 --iters 1"
else
  # The fp32 GEMM of each preset's fc1 shape at batch 16: the peak its step's "of GEMM" column is measured against.
  run_case "gemm paper" tuned "gemm --preset paper --iters 3" "gemm --preset paper --iters 3"
  run_case "gemm compact" tuned "gemm --preset compact --iters 10" "gemm --preset compact --iters 10"
  run_case "gemm wide" tuned "gemm --preset wide --iters 10" "gemm --preset wide --iters 10"
  run_case "infer paper b1" tuned "infer --preset paper --batch 1 --engine fused --iters 2" "infer --preset paper --batch 1 --iters 2"
  run_case "infer paper b16" tuned "infer --preset paper --batch 16 --engine fused --warmup 0 --iters 1" "infer --preset paper --batch 16 --warmup 0 --iters 1"
  run_case "infer compact b1" tuned "infer --preset compact --batch 1 --engine fused --iters 15" "infer --preset compact --batch 1 --iters 15"
  run_case "infer compact b16" tuned "infer --preset compact --batch 16 --engine fused --iters 2" "infer --preset compact --batch 16 --iters 2"
  run_case "train compact b16" tuned "train --preset compact --batch 16 --engine fused --iters 3" "train --preset compact --batch 16 --iters 3"
  run_case "train compact b16" default "train --preset compact --batch 16 --engine fused --iters 3" "train --preset compact --batch 16 --iters 3"
  run_case "infer wide b1" tuned "infer --preset wide --batch 1 --engine fused --iters 10" "infer --preset wide --batch 1 --iters 10"
  run_case "infer wide b16" tuned "infer --preset wide --batch 16 --engine fused --iters 2" "infer --preset wide --batch 16 --iters 2"
  run_case "train wide b16" tuned "train --preset wide --batch 16 --engine fused --iters 3" "train --preset wide --batch 16 --iters 3"
  run_case "train paper b4" tuned "train --preset paper --batch 4 --engine fused --warmup 0 --iters 1" "train --preset paper --batch 4 --warmup 0 --iters 1"
  # Batch 8 is the largest paper batch the peer fits in (11.6 GB; PEER_PAPER8=0 skips it). At batch 16 it keeps all
  # 64 steps of activations (about 23 GB), more than the limit; PEER_PAPER16=1 tries anyway (under PEER_MEMORY_GB).
  run_case "train paper b8" tuned "train --preset paper --batch 8 --engine fused --warmup 0 --iters 1" \
    "$([[ "${PEER_PAPER8:-1}" == 1 ]] && echo "train --preset paper --batch 8 --warmup 0 --iters 1")"
  run_case "train paper b16" tuned "train --preset paper --batch 16 --engine fused --warmup 0 --iters 1" \
    "$([[ "${PEER_PAPER16:-0}" == 1 ]] && echo "train --preset paper --batch 16 --warmup 0 --iters 1")"
  if [[ "${FULL_BASELINE:-0}" == 1 ]]; then
  echo "  train paper b16, our torch engine without checkpointing …" >&2
  GLIBC_TUNABLES="$tunables" "$ours" train --preset paper --batch 16 --engine torch --warmup 0 --iters 1 --threads "$threads" \
    | sed "s/^{/{\"case\":\"train paper b16 (no checkpointing)\",\"env\":\"tuned\",/" >>"$out"
  fi
fi

"$py" - "$out" "$quick" "$root/docs/performance.json" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$((SECONDS - started))" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
quick = sys.argv[2] == "1"
print(f"load average (1/5/15 min) before: {sys.argv[4]}, after: {sys.argv[5]}; cases took {sys.argv[6]} s")
print(f"{'case':38} {'env':8} {'ours img/s':>11} {'PyTorch img/s':>14} {'ratio':>7} {'best':>6} {'ours RSS GB':>12} {'PyTorch RSS GB':>15} {'ours GFLOP/s':>13} {'of GEMM':>8}")
summary = {}
for r in rows:
    if r["impl"] != "wbc-nca": continue
    if "failed" in r: print(f"{r['case']:38} {r['env']:8} failed: {r['failed']}"); continue
    p = next((q for q in rows if q["impl"] == "pytorch" and q["case"] == r["case"] and q["env"] == r["env"] and "failed" not in q), None)
    if r["mode"] == "gemm":
        print(f"{'fp32 GEMM GFLOP/s, ' + r['preset'] + ' fc1 shape':38} {r['env']:8} {r['gflops']:11.1f} {p['gflops']:14.1f} {r['gflops']/p['gflops']:7.2f}")
        summary.setdefault("gemm_gflops", {})[r["preset"]] = max(r["gflops"], p["gflops"]); continue
    ratio = r["images_per_s"] / p["images_per_s"] if p else float("nan")
    peak = summary.get("gemm_gflops", {}).get(r["preset"])
    if "gflops" in r and peak:
        r["fraction_of_gemm_peak"] = r["gflops"] / peak
    pr = f"{p['images_per_s']:14.3f}" if p else f"{'—':>14}"
    prss = f"{p['peak_rss_gb']:15.2f}" if p else f"{'—':>15}"
    label = f"{r['case']} [{r['engine']}]"
    flops = f"{r['gflops']:13.1f}" if "gflops" in r else f"{'':13}"
    frac = f"{r['fraction_of_gemm_peak']:8.0%}" if "fraction_of_gemm_peak" in r else ""
    best = min(p["times"]) / min(r["times"]) if p else float("nan")
    r["ratio"], r["ratio_best_times"] = ratio, best
    print(f"{label:38} {r['env']:8} {r['images_per_s']:11.3f} {pr} {ratio:7.2f} {best:6.2f} {r['peak_rss_gb']:12.2f} {prss} {flops} {frac}")
    if p and r["env"] == "tuned":
        summary.setdefault("train" if r["mode"] == "train" else "infer", []).append((ratio, r["peak_rss_gb"], r["case"]))
if not quick:
    json.dump({"load_before": sys.argv[4], "load_after": sys.argv[5], "seconds": int(sys.argv[6]), "rows": rows}, open(sys.argv[3], "w"), indent=1)
print("(machine peak, fp32 GEMM of each preset's fc1 shape at batch 16: " + ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in summary["gemm_gflops"].items()) + ")" if "gemm_gflops" in summary else "", end="")
print()
tr = min(x[0] for x in summary.get("train", [(float("nan"), 0, "")]))
inf = min(x[0] for x in summary.get("infer", [(float("nan"), 0, "")]))
peak = max(x[1] for x in summary.get("train", [(0, float("nan"), "")]))
print(f"train_speedup={tr:.2f} infer_speedup={inf:.2f} train_peak_gb={peak:.2f}")
PY
