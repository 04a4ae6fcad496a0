#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (unit, integration, property, doc tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
source scripts/env.sh
cargo test --workspace --all-targets
cargo test --workspace --doc
