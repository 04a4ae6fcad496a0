"""``python -m evmech ARGS``: the ``evmech`` command line, from the installed package."""

import sys

from . import InputError, InternalError, SolverError, _native


def main() -> int:
    try:
        print(_native.cli(sys.argv[1:]))
    except InputError as e:
        print(f"evmech: {e}", file=sys.stderr)
        return 2
    except SolverError as e:
        print(f"evmech: {e}", file=sys.stderr)
        return 1
    except InternalError as e:
        print(f"evmech: {e}", file=sys.stderr)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
