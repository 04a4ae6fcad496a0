"""Type stubs of the Rust extension ``evmech._native`` (see ``crates/python/src/lib.rs``)."""

from typing import List, Optional, Sequence, Tuple

__version__: str
MAX_LOAD_KW: float
MAX_BATTERY_KWH: float
MAX_CHARGER_KW: float
MAX_STAY_DAYS: int

class InputError(ValueError):
    """Bad input: the message names the field or flag (the CLI's exit code 2)."""

class SolverError(RuntimeError):
    """A solver failed or an output could not be written (the CLI's exit code 1)."""

class InternalError(RuntimeError):
    """A bug of evmech (a panic caught at the boundary)."""

def cli(args: Sequence[str]) -> str:
    """Runs an ``evmech`` command line (without the program's name); returns what it prints."""

def two_stage_json(text: str) -> str:
    """``evmech two-stage`` on an instance given as JSON text; returns the output JSON."""

def copositive_json(text: str) -> str:
    """``evmech copositive`` on an instance given as JSON text; returns the output JSON."""

Step = Tuple[Optional[str], float, float, Optional[str]]

class EnvCore:
    """The V2B episode stepped by a Python agent: ``(view JSON, reward, cost to date, summary
    JSON)`` per step; ``view`` is ``None`` once the episode is over."""

    def __init__(self, flags: List[str], window: Optional[int] = None, seed: int = 0) -> None: ...
    @property
    def chargers(self) -> int: ...
    @property
    def charger_limits(self) -> List[Tuple[float, float]]: ...
    @property
    def slots_per_day(self) -> int: ...
    @property
    def demand_charges(self) -> int: ...
    @property
    def days(self) -> int: ...
    def reset(self, seed: Optional[int] = None) -> Step: ...
    def step(self, power_kw: List[float]) -> Step: ...
