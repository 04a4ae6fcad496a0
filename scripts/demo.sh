#!/usr/bin/env bash
# Installs what is missing, then runs the main demo: the two-stage market on the README's input,
# the correlation sweep of the two-stage experiment (small sizes; see the README for more), and
# three days of V2B charging policies on the May 2019 Caltech sessions, copositive prices on the
# spec's Example C, and two days of CONSENT negotiation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
source scripts/env.sh
echo "== evmech two-stage --input examples/data/two_stage.json"
cargo run --quiet --release -p evmech-cli -- two-stage --input examples/data/two_stage.json
echo
echo "== two_stage_efficiency (n = 4 EVs, m = 6 sessions, 300 trials per correlation level)"
cargo run --quiet --release --example two_stage_efficiency -- --n 4 --m 6 --trials 300 --seed 7 --csv "${TMPDIR:-/tmp}/two_stage_efficiency.csv"
echo
echo "== evmech v2b compare (first 3 weekdays of May 2019, MC-MPC with 10 futures)"
cargo run --quiet --release -p evmech-cli -- v2b compare \
  --sessions crates/v2b-control/tests/data/caltech_2019-05_weekdays.csv \
  --building crates/v2b-control/tests/data/doe_medium_office_la_hourly.csv \
  --policies maxcharge,reqcharge,llf,mc-mpc,oracle --scenarios 10 --days 3 \
  --out "${TMPDIR:-/tmp}/evmech_v2b"
echo
echo "== evmech copositive --input examples/data/copositive_example_c.json (PSD + NN is loose; auto branches to exact prices)"
cargo run --quiet --release -p evmech-cli -- copositive --input examples/data/copositive_example_c.json
echo
echo "== evmech v2b negotiate (first 2 weekdays of May 2019: CONSENT against the static menu and free smart charging)"
cargo run --quiet --release -p evmech-cli -- v2b negotiate \
  --sessions crates/v2b-control/tests/data/caltech_2019-05_weekdays.csv \
  --building crates/v2b-control/tests/data/doe_medium_office_la_hourly.csv \
  --policies smart-free,menu,consent --charging-scenarios 10 --days 2 \
  --out "${TMPDIR:-/tmp}/evmech_negotiate"
echo
echo "== evmech v2b compare --openv2b (openv2b's examples/one_day: its tariff, DR event and vehicles, read as an evmech episode)"
cargo run --quiet --release -p evmech-cli -- v2b compare --openv2b examples/data/openv2b/one_day \
  --policies reqcharge,mpc,oracle --out "${TMPDIR:-/tmp}/evmech_openv2b"
echo
echo "== evmech v2b decide (one live decision at 10:00 on 14 May 2019 from a state file and the site's history)"
cargo run --quiet --release -p evmech-cli -- v2b decide --state examples/data/live_state.json \
  --history-sessions crates/v2b-control/tests/data/caltech_2019-05_weekdays.csv \
  --building crates/v2b-control/tests/data/doe_medium_office_la_hourly.csv --scenarios 10
