"""The installed extension links no system solver, LAPACK or BLAS library, and its Fortran
runtime is the copy bundled in the wheel (``evmech.libs``), not the system's."""

import shutil
import subprocess

import pytest

import evmech


def test_the_extension_needs_no_system_solver_or_fortran_library():
    if shutil.which("ldd") is None:
        pytest.fail("ldd is needed to read the extension's libraries")
    native = evmech._native.__file__
    linked = subprocess.run(["ldd", native], capture_output=True, text=True, check=True).stdout
    for forbidden in ("libCbc", "libClp", "liblapack", "libblas", "libopenblas", "libpython"):
        assert forbidden not in linked, linked
    fortran = [line for line in linked.splitlines() if "libgfortran" in line]
    assert fortran and all("evmech.libs" in line for line in fortran), linked
