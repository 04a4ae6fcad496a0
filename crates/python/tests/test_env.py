"""evmech.v2b.ChargingEnv: a valid Gymnasium environment on the simulator's own episode."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import evmech
from evmech import v2b
from conftest import BUILDING, SESSIONS


def test_it_passes_gymnasiums_checker():
    env = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=1, seed=0)
    check_env(env, skip_render_check=True)


def _max_charge(obs):
    """MaxCharge by hand: each connected EV at the plant's charging cap."""
    return obs["charge_cap_kw"] * obs["connected"]


def _exact_max_charge(info, chargers):
    """MaxCharge from the float64 caps in ``info`` (the observation rounds to float32)."""
    action = np.zeros(chargers)
    for ev in info["evs"]:
        action[ev["charger"]] = ev["charge_cap_kw"]
    return action


def test_an_agent_acting_as_maxcharge_gets_compares_maxcharge_bill():
    env = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING)
    obs, info = env.reset(seed=0)
    total, steps, done = 0.0, 0, False
    while not done:
        assert env.observation_space.contains(obs)
        np.testing.assert_array_equal(obs["charge_cap_kw"],
                                      _exact_max_charge(info, env.chargers).astype(np.float32))
        obs, reward, done, truncated, info = env.step(_exact_max_charge(info, env.chargers))
        assert not truncated
        total += reward
        steps += 1
    summary = info["summary"]
    reference = v2b.compare(SESSIONS, BUILDING, policies="maxcharge")["maxcharge"]
    assert summary["building_cost_usd"] == pytest.approx(reference["building_cost_usd"], abs=1e-9)
    assert summary["peak_kw"] == pytest.approx(reference["peak_kw"], abs=1e-9)
    # The rewards add up to minus the bill (and the bill is far from zero).
    assert total == pytest.approx(-summary["building_cost_usd"], rel=1e-9)
    assert summary["building_cost_usd"] > 1000.0
    assert steps > 100


def test_doing_nothing_costs_the_shortfall():
    env = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=2, seed=4)
    obs, _ = env.reset()
    idle = np.zeros(env.chargers, dtype=np.float32)
    total, done = 0.0, False
    while not done:
        obs, reward, done, _, info = env.step(idle)
        total += reward
    env2 = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=2, seed=4)
    obs, _ = env2.reset()
    total2, done = 0.0, False
    while not done:
        obs, reward, done, _, info2 = env2.step(_max_charge(obs))
        total2 += reward
    assert info["summary"]["missing_soc_kwh"] > info2["summary"]["missing_soc_kwh"]
    assert info["summary"]["compensation_usd"] > 0.0


def test_the_seed_draws_the_window_and_reset_repeats_it():
    env = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=1, seed=0)
    dates = []
    for seed in range(6):
        _, info = env.reset(seed=seed)
        again = env.reset(seed=seed)[1]
        assert info["date"] == again["date"]
        dates.append(info["date"])
    assert len(set(dates)) > 1


def test_bad_arguments_and_actions_raise_input_error():
    with pytest.raises(evmech.InputError, match="file.csv"):
        v2b.ChargingEnv(sessions="/no/such/file.csv", building=BUILDING)
    with pytest.raises(evmech.InputError, match="days"):
        v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=0)
    with pytest.raises(evmech.InputError, match="days"):
        v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=10_000)
    env = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=1)
    env.reset(seed=1)
    with pytest.raises(evmech.InputError, match="action"):
        env.step(np.zeros(env.chargers + 1))
    bad = np.zeros(env.chargers)
    bad[0] = np.nan
    with pytest.raises(evmech.InputError, match="charger 0"):
        env.step(bad)


def test_a_forked_copy_mid_episode_refuses_instead_of_hanging():
    """A child process that inherited a running episode has its channels but not its worker
    thread: stepping there must raise, not wait forever; the parent's episode goes on."""
    import os

    env = v2b.ChargingEnv(sessions=SESSIONS, building=BUILDING, days=1, seed=0)
    obs, _ = env.reset(seed=0)
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            env.step(_max_charge(obs))
            code = 1
        except evmech.InputError as e:
            code = 0 if "fork" in str(e) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    _, reward, _, _, _ = env.step(_max_charge(obs))
    assert reward <= 0.0
