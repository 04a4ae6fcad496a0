# Sourced by the scripts: one build cache outside the clone, so repeated runs stay warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/evmech/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
