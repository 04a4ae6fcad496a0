#!/usr/bin/env bash
# Installs what is missing, then runs the main demo: the two-stage market on the README's input,
# and the correlation sweep of the two-stage experiment (small sizes; see the README for more).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
source scripts/env.sh
echo "== evmech two-stage --input examples/data/two_stage.json"
cargo run --quiet --release -p evmech-cli -- two-stage --input examples/data/two_stage.json
echo
echo "== two_stage_efficiency (n = 4 EVs, m = 6 sessions, 300 trials per correlation level)"
cargo run --quiet --release --example two_stage_efficiency -- --n 4 --m 6 --trials 300 --seed 7 --csv "${TMPDIR:-/tmp}/two_stage_efficiency.csv"
