"""Shared paths for the Python package's tests: the repository's example inputs and data, and
the `evmech` binary the results are compared with (built by `cargo test`; `EVMECH_BIN`
overrides)."""

import json
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "v2b-control", "tests", "data")
EXAMPLES = os.path.join(ROOT, "examples", "data")
SESSIONS = os.path.join(DATA, "caltech_2019-05_weekdays.csv")
BUILDING = os.path.join(DATA, "doe_medium_office_la_hourly.csv")


def evmech_bin() -> str:
    explicit = os.environ.get("EVMECH_BIN")
    if explicit:
        return explicit
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "debug", "evmech")


def run_cli(*args: str):
    """(exit code, parsed stdout or None, stderr) of the `evmech` binary."""
    binary = evmech_bin()
    if not os.path.exists(binary):
        pytest.fail(f"the evmech binary {binary} is missing: run `cargo build -p evmech-cli` "
                    "or set EVMECH_BIN")
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    out = json.loads(done.stdout) if done.returncode == 0 else None
    return done.returncode, out, done.stderr


def example(name: str):
    with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
        return json.load(f)


def without_timings(value):
    """Drops measured seconds (wall-clock, different in every run) from a JSON value."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items()
                if "seconds" not in k and "timing" not in k and not k.endswith("_ms")}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value
