#!/usr/bin/env bash
# Installs what evmech's build and tests need, only when it is missing:
#   cmake, g++, libclang-dev  build HiGHS from source (the default `highs` backend; no system
#                             solver library is linked)
#   gfortran                  builds reference LAPACK/BLAS from source (the default
#                             `vendored-lapack`: Clarabel's SDP cones in copositive pricing call
#                             it; linked statically with the Fortran runtime)
#   coinor-libcbc-dev         the system's CBC, for the optional `cbc` backend (CI tests it)
#   pkg-config
#   python3, python3-venv     the Python package: its wheel is built (maturin) and tested
#                             (pytest, Gymnasium, Ray) in a virtual environment under
#                             $HOME/.cache/evmech by scripts/python-tests.sh
# Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
for pkg in cmake g++ gfortran libclang-dev coinor-libcbc-dev pkg-config; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    missing+=(python3 python3-venv python3-pip)
fi

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
