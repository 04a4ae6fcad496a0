"""Vehicle-to-building charging: the live decision, policy comparisons, CONSENT negotiation,
and :class:`ChargingEnv`, a Gymnasium environment on evmech's simulator.

Every function runs the same code as the ``evmech v2b`` command of the same name and returns
its JSON as a dict. Keyword arguments beyond the named ones are the command's other flags,
spelled with underscores (``days_of_week="weekdays"`` is ``--days-of-week weekdays``; ``True``
passes a bare flag, a list passes several values).
"""

import datetime
import json
import os
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

import gymnasium as gym
from gymnasium import spaces

from . import InputError, _document, _native

PathLike = Union[str, "os.PathLike[str]"]
Files = Union[PathLike, Sequence[PathLike]]

__all__ = ["decide", "quote", "compare", "negotiate", "ChargingEnv", "flags"]


def flags(**options: Any) -> List[str]:
    """The command-line flags of keyword options: ``flags(days=5, allow_fallback=True)`` is
    ``["--days", "5", "--allow-fallback"]``. ``None`` and ``False`` are left out."""
    out: List[str] = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, (list, tuple)):
            out.append(flag)
            out.extend(str(v) for v in value)
        else:
            out.extend([flag, str(value)])
    return out


def _files(value: Files) -> List[str]:
    if isinstance(value, (str, os.PathLike)):
        return [os.fspath(value)]
    return [os.fspath(v) for v in value]


def _run(args: List[str]) -> Dict[str, Any]:
    return json.loads(_native.cli(args))


def _write(tmp: str, name: str, value: Mapping[str, Any]) -> str:
    """Writes ``value`` as ``tmp/name.json``, where the CLI reads it (its errors then name the
    file's field); returns the path."""
    path = os.path.join(tmp, f"{name}.json")
    text = _document(value, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _with_state(state: Mapping[str, Any], run) -> Dict[str, Any]:
    """Runs ``run(state file, its directory)`` with the state dict written where the CLI reads it."""
    with tempfile.TemporaryDirectory(prefix="evmech-") as tmp:
        return run(_write(tmp, "state", state), tmp)


def decide(
    state: Mapping[str, Any],
    history_sessions: PathLike,
    building: PathLike,
    policy: str = "mc-mpc",
    scenarios: int = 30,
    seed: int = 0,
    site: Optional[PathLike] = None,
    tariff: Optional[PathLike] = None,
    **options: Any,
) -> Dict[str, Any]:
    """One live decision (``evmech v2b decide``): a set-point per connected EV, the plan behind
    it, its expected cost and status, from the site's state now and its past.

    ``state`` is the CLI's state file as a dict (``time``, ``building_kw``, ``month_peak_kw``,
    ``evs``); ``history_sessions`` and ``building`` are the site's past sessions (ACN CSV or
    JSON) and building load. Nothing recorded after the state's time is read.
    """

    def run(path: str, _tmp: str) -> Dict[str, Any]:
        args = ["v2b", "decide", "--state", path, "--history-sessions", os.fspath(history_sessions),
                "--building", os.fspath(building), "--policy", policy,
                "--scenarios", str(scenarios), "--seed", str(seed)]
        args += flags(site=site, tariff=tariff, **options)
        return _run(args)

    return _with_state(state, run)


def quote(
    state: Mapping[str, Any],
    arrival: Mapping[str, Any],
    history_sessions: PathLike,
    building: PathLike,
    accept: Optional[str] = None,
    **options: Any,
) -> Dict[str, Any]:
    """CONSENT live (``evmech v2b quote``): the menu offered to a driver plugging in now;
    ``accept="LEVEL"`` or ``"reject"`` also returns the EV to add to the next states."""

    def run(path: str, tmp: str) -> Dict[str, Any]:
        args = ["v2b", "quote", "--state", path, "--arrival", _write(tmp, "arrival", arrival),
                "--history-sessions", os.fspath(history_sessions), "--building", os.fspath(building)]
        args += flags(accept=accept, **options)
        return _run(args)

    return _with_state(state, run)


def _episode_command(command: str, sessions: Files, building: Optional[PathLike],
                     out: Optional[PathLike], options: Dict[str, Any]) -> Dict[str, Any]:
    def run(out_dir: str) -> Dict[str, Any]:
        args = ["v2b", command, "--sessions", *_files(sessions)]
        if building is not None:
            args += ["--building", os.fspath(building)]
        args += ["--out", out_dir] + flags(**options)
        return _run(args)

    if out is not None:
        return run(os.fspath(out))
    with tempfile.TemporaryDirectory(prefix="evmech-") as tmp:
        return run(os.path.join(tmp, "out"))


def compare(
    sessions: Files,
    building: Optional[PathLike] = None,
    policies: Union[str, Sequence[str]] = "maxcharge,reqcharge,edf,llf,mpc,mc-mpc,oracle",
    seed: int = 0,
    out: Optional[PathLike] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Simulates charging policies on a month (or several) of sessions (``evmech v2b compare``)
    and returns ``summary.json``: one object per policy (``building_cost_usd`` and the rest).

    With ``out`` the command's files (``days.csv``, ``slots.csv``, ``plot.svg``, ...) are kept
    there; without it they go to a temporary directory that is removed.
    """
    if not isinstance(policies, str):
        policies = ",".join(policies)
    return _episode_command("compare", sessions, building, out,
                            dict(policies=policies, seed=seed, **options))


def negotiate(
    sessions: Files,
    building: Optional[PathLike] = None,
    seed: int = 0,
    out: Optional[PathLike] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Runs CONSENT and the baselines of its Table 1 (``evmech v2b negotiate``) and returns
    ``summary.json``; ``out`` keeps ``arrivals.csv``, ``ledger.csv`` and the rest."""
    if "policies" in options and not isinstance(options["policies"], str):
        options["policies"] = ",".join(options["policies"])
    return _episode_command("negotiate", sessions, building, out, dict(seed=seed, **options))


_PER_CHARGER = ("energy_kwh", "target_kwh", "battery_kwh", "slots_to_departure",
                "charge_cap_kw", "discharge_cap_kw")


class ChargingEnv(gym.Env):
    """A Gymnasium environment on evmech's V2B simulator (the same departures, charger
    assignment, plant clamps and billing as ``compare``'s policies get).

    **Episode.** ``days=None``: every day of the session files. ``days=N``: ``N`` consecutive
    days whose first is drawn at each reset (from ``seed``, or the seed given to ``reset``);
    the days before it are the site's history.

    **Step.** One step per slot at which an EV is plugged in; slots without one pass without a
    step (their cost goes into the next reward).

    **Action.** A power per charger, kW (positive charges, negative discharges), clipped by the
    plant to the charger, the battery and the site's limits; chargers without an EV are ignored.

    **Observation.** A dict: ``slot`` (of the day) and ``weekday`` (0 Monday); ``building_kw``;
    ``month_peaks_kw`` (the month's peak so far under each demand charge); per charger
    ``connected`` and the EV's ``energy_kwh``, ``target_kwh``, ``battery_kwh``,
    ``slots_to_departure``, ``charge_cap_kw`` and ``discharge_cap_kw`` (zeros when empty).
    Only what a live site knows at the slot.

    **Reward.** Minus the increase of the building's cost since the previous step, USD: energy,
    each demand charge as its month's peak rises, shortfall compensation when an EV leaves below
    its target, degradation. An episode's rewards add up to minus its bill; the last step's
    ``info["summary"]`` is ``compare``'s summary of the episode (policy ``agent``).

    Other keyword arguments are ``v2b compare``'s episode flags (``days_of_week="weekdays"``,
    ``meter=...``, ``stations=...``).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        sessions: Files,
        building: Optional[PathLike] = None,
        days: Optional[int] = None,
        seed: int = 0,
        site: Optional[PathLike] = None,
        tariff: Optional[PathLike] = None,
        render_mode: Optional[str] = None,
        **options: Any,
    ) -> None:
        super().__init__()
        if render_mode is not None:
            raise InputError(f"render_mode: evmech's environment draws nothing, got {render_mode!r}")
        args = ["--sessions", *_files(sessions)]
        if building is not None:
            args += ["--building", os.fspath(building)]
        args += flags(site=site, tariff=tariff, **options)
        if days is not None and (not isinstance(days, int) or days < 1):
            raise InputError(f"days: must be a whole number of days, at least 1, got {days!r}")
        self._core = _native.EnvCore(args, window=days, seed=int(seed))
        n = self._core.chargers
        limits = np.array(self._core.charger_limits, dtype=np.float32).reshape(n, 2)
        self.action_space = spaces.Box(low=-limits[:, 1], high=limits[:, 0], dtype=np.float32)
        # Every observed number is bounded by the valid ranges of the inputs (evmech refuses a
        # file outside them), so the boxes are finite.
        box = lambda high, shape: spaces.Box(0.0, np.float32(high), shape=shape, dtype=np.float32)
        per_charger_high = {
            "energy_kwh": _native.MAX_BATTERY_KWH,
            "target_kwh": _native.MAX_BATTERY_KWH,
            "battery_kwh": _native.MAX_BATTERY_KWH,
            "slots_to_departure": self._core.slots_per_day * _native.MAX_STAY_DAYS,
            "charge_cap_kw": _native.MAX_CHARGER_KW,
            "discharge_cap_kw": _native.MAX_CHARGER_KW,
        }
        # A load file holds at most MAX_LOAD_KW; a stress test (--stress) may shift it by a
        # fraction of its mean, hence the factor 2. A peak adds every charger at full power.
        load_high = 2.0 * _native.MAX_LOAD_KW
        peak_high = load_high + n * _native.MAX_CHARGER_KW
        self.observation_space = spaces.Dict({
            "slot": spaces.Discrete(self._core.slots_per_day),
            "weekday": spaces.Discrete(7),
            "building_kw": box(load_high, (1,)),
            "month_peaks_kw": box(peak_high, (max(1, self._core.demand_charges),)),
            "connected": spaces.MultiBinary(n),
            **{name: box(per_charger_high[name], (n,)) for name in _PER_CHARGER},
        })
        self._pending: Optional[Tuple[float, Dict[str, Any]]] = None
        self._last_obs = None

    @property
    def chargers(self) -> int:
        """Chargers of the site: the action's length."""
        return self._core.chargers

    def _observe(self, view: Dict[str, Any]) -> Dict[str, Any]:
        n = self._core.chargers
        obs = {name: np.zeros(n, dtype=np.float32) for name in _PER_CHARGER}
        obs["connected"] = np.zeros(n, dtype=np.int8)
        for ev in view["evs"]:
            c = ev["charger"]
            obs["connected"][c] = 1
            obs["energy_kwh"][c] = ev["energy_kwh"]
            obs["target_kwh"][c] = ev["target_kwh"]
            obs["battery_kwh"][c] = ev["battery_kwh"]
            obs["slots_to_departure"][c] = ev["departure_slot"] - view["slot"]
            obs["charge_cap_kw"][c] = ev["charge_cap_kw"]
            obs["discharge_cap_kw"][c] = ev["discharge_cap_kw"]
        peaks = np.zeros(max(1, self._core.demand_charges), dtype=np.float32)
        peaks[: len(view["month_peaks_kw"])] = view["month_peaks_kw"]
        date = view["date"]
        obs["slot"] = int(view["slot"])
        obs["weekday"] = datetime.date(date["year"], date["month"], date["day"]).weekday()
        obs["building_kw"] = np.array([view["building_kw"]], dtype=np.float32)
        obs["month_peaks_kw"] = peaks
        return obs

    def _empty(self) -> Dict[str, Any]:
        if self._last_obs is not None:
            return self._last_obs
        return {"slot": 0, "weekday": 0, "building_kw": np.zeros(1, np.float32),
                "month_peaks_kw": np.zeros(max(1, self._core.demand_charges), np.float32),
                "connected": np.zeros(self._core.chargers, np.int8),
                **{name: np.zeros(self._core.chargers, np.float32) for name in _PER_CHARGER}}

    def _info(self, view, cost: float, summary: Optional[str]) -> Dict[str, Any]:
        info: Dict[str, Any] = {"cost_to_date_usd": cost}
        if view is not None:
            d = view["date"]
            info["date"] = f"{d['year']:04}-{d['month']:02}-{d['day']:02}"
            info["evs"] = view["evs"]
        if summary is not None:
            info["summary"] = json.loads(summary)["agent"]
        return info

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None):
        super().reset(seed=seed)
        view, reward, cost, summary = self._core.reset(seed)
        self._last_obs = None
        if view is None:
            # An episode without any EV ends at once: its whole bill is the first step's.
            self._pending = (reward, self._info(None, cost, summary))
            return self._empty(), {"cost_to_date_usd": 0.0}
        self._pending = None
        parsed = json.loads(view)
        self._last_obs = self._observe(parsed)
        return self._last_obs, self._info(parsed, cost, None)

    def step(self, action):
        if self._pending is not None:
            reward, info = self._pending
            self._pending = None
            return self._empty(), reward, True, False, info
        power = np.asarray(action, dtype=np.float64).reshape(-1)
        view, reward, cost, summary = self._core.step(power.tolist())
        if view is None:
            return self._empty(), reward, True, False, self._info(None, cost, summary)
        parsed = json.loads(view)
        self._last_obs = self._observe(parsed)
        return self._last_obs, reward, False, False, self._info(parsed, cost, None)
