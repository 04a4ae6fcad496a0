"""The Python functions answer as the CLI does: same keys and numbers, same error messages."""

import json
import os
import threading
import time

import pytest

import evmech
from evmech import v2b
from conftest import BUILDING, EXAMPLES, SESSIONS, example, run_cli, without_timings


def test_two_stage_equals_the_cli():
    code, cli, _ = run_cli("two-stage", "--input", os.path.join(EXAMPLES, "two_stage.json"))
    assert code == 0
    assert evmech.two_stage(example("two_stage.json")) == cli


@pytest.mark.parametrize("name", ["copositive_example_a.json", "copositive_example_b.json"])
def test_copositive_equals_the_cli(name):
    code, cli, _ = run_cli("copositive", "--input", os.path.join(EXAMPLES, name))
    assert code == 0
    py = evmech.copositive(example(name))
    assert without_timings(py) == without_timings(cli)


def test_bad_input_raises_input_error_naming_the_field_as_the_cli_does(tmp_path):
    bad = example("two_stage.json")
    bad["evs"][0]["da_values"] = {bad["sessions"][0]: "ten"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    code, _, stderr = run_cli("two-stage", "--input", str(path))
    assert code == 2
    with pytest.raises(evmech.InputError) as err:
        evmech.two_stage(bad)
    field = "evs[0].da_values"
    assert field in str(err.value) and field in stderr
    # The message after the document's name is the CLI's, word for word.
    assert str(err.value).split(": ", 1)[1] == stderr.strip().split(f"{path}: ", 1)[1]
    assert isinstance(err.value, ValueError)


def test_non_json_inputs_are_refused_before_rust():
    with pytest.raises(evmech.InputError, match="Out of range float"):
        evmech.two_stage({"sessions": ["a"], "evs": [{"id": "x", "da_values": {"a": float("nan")}}]})
    with pytest.raises(TypeError):
        evmech.copositive("not a dict")


def test_the_command_line_from_python():
    assert "two-stage" in evmech.cli("--help")
    assert evmech.__version__ in evmech.cli("--version")
    with pytest.raises(evmech.InputError, match="--input"):
        evmech.cli("two-stage")


def test_decide_equals_the_cli(tmp_path):
    state = example("live_state.json")
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    code, cli, err = run_cli("v2b", "decide", "--state", str(path), "--history-sessions", SESSIONS,
                             "--building", BUILDING, "--scenarios", "4", "--seed", "3")
    assert code == 0, err
    py = v2b.decide(state, SESSIONS, BUILDING, scenarios=4, seed=3)
    assert without_timings(py) == without_timings(cli)


def test_decide_names_the_bad_state_field():
    state = example("live_state.json")
    state["evs"][0]["energy_kwh"] = -5.0
    with pytest.raises(evmech.InputError, match=r"evs\[0\]"):
        v2b.decide(state, SESSIONS, BUILDING, scenarios=2)


def test_compare_and_negotiate_equal_the_cli(tmp_path):
    args = ["--sessions", SESSIONS, "--building", BUILDING, "--days", "2",
            "--policies", "reqcharge,mc-mpc", "--scenarios", "3", "--seed", "1"]
    code, cli, err = run_cli("v2b", "compare", *args, "--out", str(tmp_path / "cli"))
    assert code == 0, err
    py = v2b.compare(SESSIONS, BUILDING, policies=["reqcharge", "mc-mpc"], seed=1, days=2,
                     scenarios=3, out=tmp_path / "py")
    assert without_timings(py) == without_timings(cli)
    assert (tmp_path / "py" / "days.csv").exists()
    neg = ["--sessions", SESSIONS, "--building", BUILDING, "--days", "1", "--scenarios", "3",
           "--charging-scenarios", "3", "--policies", "smart-free,consent"]
    code, cli, err = run_cli("v2b", "negotiate", *neg, "--out", str(tmp_path / "cli-neg"))
    assert code == 0, err
    py = v2b.negotiate(SESSIONS, BUILDING, days=1, scenarios=3, charging_scenarios=3,
                       policies=["smart-free", "consent"])
    assert without_timings(py) == without_timings(cli)


def test_an_unknown_option_names_the_flag():
    with pytest.raises(evmech.InputError, match="--no-such-flag"):
        v2b.compare(SESSIONS, BUILDING, no_such_flag=3)


def test_solves_release_the_gil():
    """Another Python thread runs while a simulation is inside Rust."""
    started, ticks = threading.Event(), [0]

    def work():
        started.set()
        v2b.compare(SESSIONS, BUILDING, policies="mc-mpc", days=1, scenarios=4)

    t = threading.Thread(target=work)
    t.start()
    started.wait()
    while t.is_alive():
        ticks[0] += 1
        time.sleep(0.001)
    t.join()
    # Holding the GIL for the whole call would leave this loop one or two turns.
    assert ticks[0] > 20, ticks[0]
