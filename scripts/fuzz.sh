#!/usr/bin/env bash
# Coverage-guided fuzzing of evmech's input formats with cargo fuzz (libFuzzer), on the stable
# toolchain. Usage: scripts/fuzz.sh [FORMAT|all] [RUNS]   (default: all formats, 1,000,000 runs
# each). FORMAT is one of evmech_cli::InputFormat's names: two-stage, copositive, sessions-csv,
# sessions-acn-json, building-csv, meter-csv, site-json, tariff-json, live-state-json.
#
# cargo fuzz builds with sanitizer-coverage flags that rustc gates behind nightly;
# RUSTC_BOOTSTRAP=1 lets the machine's stable compiler accept them (no other toolchain can be
# installed here). No address sanitizer (`-s none`): evmech forbids unsafe code, and the C
# libraries behind it are not on these paths. Debug assertions and overflow checks are on (`-a`).
# A crash is saved under target/fuzz-artifacts/<format>/; copy it to
# crates/cli/tests/fuzz_regressions/<format>/ so that every test run replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
format="${1:-all}"
runs="${2:-1000000}"
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked
fuzz_target="$HOME/.cache/evmech/fuzz-target"
corpus="${EVMECH_FUZZ_CORPUS:-$HOME/.cache/evmech/fuzz-corpus}"
EVMECH_FUZZ_CORPUS="$corpus" cargo test -q -p evmech-cli --test fuzz_inputs -- \
  --ignored write_seed_corpus > /dev/null
RUSTC_BOOTSTRAP=1 cargo fuzz build --fuzz-dir fuzz -s none -a --target-dir "$fuzz_target" inputs
binary="$fuzz_target/$(rustc -vV | sed -n 's/^host: //p')/release/inputs"
if [ "$format" = all ]; then
  formats=$(ls "$corpus")
else
  formats="$format"
fi
status=0
for f in $formats; do
  mkdir -p "$corpus/$f" "target/fuzz-artifacts/$f"
  log="target/fuzz-artifacts/$f.log"
  echo "== $f: $runs runs (log: $log)"
  if ! EVMECH_FUZZ_FORMAT="$f" "$binary" "$corpus/$f" -runs="$runs" -print_final_stats=1 \
      -artifact_prefix="target/fuzz-artifacts/$f/" > "$log" 2>&1; then
    tail -30 "$log"
    echo "$f: the fuzzer stopped on a crash (input saved under target/fuzz-artifacts/$f/)"
    status=1
  fi
  grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)|^Done" "$log" || true
  grep -oE "cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+" "$log" | tail -1 || true
done
exit $status
