"""evmech: electric-vehicle charging market mechanisms, from Python.

The functions here answer exactly as the ``evmech`` command line does (the same Rust code runs
behind both): the same JSON keys, the same numbers, and the same messages in errors, which name
the wrong field or flag.

- :func:`two_stage` and :func:`copositive` take an instance as a dict (the CLI's input file)
  and return the CLI's output as a dict;
- :mod:`evmech.v2b` holds the vehicle-to-building functions (``decide``, ``compare``,
  ``negotiate``) and :class:`evmech.v2b.ChargingEnv`, a Gymnasium environment;
- :mod:`evmech.sweep` runs months x policies x seeds studies in a process pool or on Ray.

Errors: :class:`InputError` (a ``ValueError``; the CLI's exit code 2), :class:`SolverError`
(a ``RuntimeError``; exit code 1) and :class:`InternalError` (a bug of evmech).
"""

import json
from typing import Any, Dict, Mapping

from . import _native
from ._native import InputError, InternalError, SolverError, __version__

__all__ = [
    "two_stage",
    "copositive",
    "cli",
    "InputError",
    "SolverError",
    "InternalError",
    "__version__",
]


def _document(value: Mapping[str, Any], name: str = "input") -> str:
    """``value`` as the JSON text of the CLI's ``name`` file (``input``, ``state``, ``arrival``)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict (the CLI's JSON {name}), not {type(value).__name__}")
    # NaN and infinities are not JSON: refuse them here rather than send 'NaN' text.
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError as e:
        raise InputError(f"<{name}>: {e}") from None


def two_stage(input: Mapping[str, Any]) -> Dict[str, Any]:
    """Runs the two-stage reservation market (``evmech two-stage``) on ``input``.

    ``input`` is the CLI's instance file as a dict (``sessions``, ``evs`` with their day-ahead
    and real-time values, ``rt`` options); the result is the CLI's output as a dict.

    >>> out = two_stage({"sessions": ["s1"],
    ...                  "evs": [{"id": "a", "da_values": {"s1": 10.0}},
    ...                          {"id": "b", "da_values": {"s1": 7.0}}]})
    >>> out["day_ahead"]["payments"]["a"]
    7
    """
    return json.loads(_native.two_stage_json(_document(input)))


def copositive(input: Mapping[str, Any]) -> Dict[str, Any]:
    """Prices EV charging and station access from the copositive dual (``evmech copositive``).

    ``input`` is the CLI's instance file as a dict (``slot_hours``, ``energy_price``,
    ``stations``, ``evs``, and the pricing options); the result is the CLI's output as a dict.
    """
    return json.loads(_native.copositive_json(_document(input)))


def cli(*args: str) -> str:
    """Runs any ``evmech`` command line (without the program's name) and returns what it prints
    (the JSON of the command, or the text of ``--help`` and ``--version``).

    >>> "two-stage" in cli("--help")
    True
    """
    return _native.cli([str(a) for a in args])
