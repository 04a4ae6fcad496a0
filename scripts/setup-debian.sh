#!/usr/bin/env bash
# Installs the system libraries evmech links against, only when they are missing:
#   coinor-libcbc-dev  CBC for good_lp's coin_cbc backend (pulls in reference BLAS/LAPACK,
#                      which Clarabel's SDP cones call)
#   libopenblas-dev    faster BLAS/LAPACK through Debian's alternatives (optional but installed)
# Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
for pkg in coinor-libcbc-dev libopenblas-dev pkg-config; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "evmech setup: installing ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "evmech setup: cargo not found; install a Rust toolchain (rustup) first" >&2
    exit 1
fi
