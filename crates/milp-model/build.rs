//! Links the LAPACK/BLAS that Clarabel's SDP cones call (copositive pricing).
//!
//! - `system-lapack`: the system's `liblapack` and `libblas`, dynamically (the old behaviour).
//! - `vendored-lapack` (default): reference LAPACK and BLAS are compiled by the `netlib-src`
//!   crate and bundled statically. Their Fortran runtime (`libgfortran`, which needs
//!   `libquadmath`) would still be linked dynamically, because `netlib-src` asks for
//!   `-lgfortran`. This script puts a static `libgfortran.a` (the compiler's `libgfortran.a`
//!   and `libquadmath.a` merged into one archive) in a directory that the linker searches
//!   before the compiler's own, so `-lgfortran` resolves to it and the binary needs no Fortran
//!   shared library. Where that is not possible (no `gfortran` or no GNU `ar`, as on macOS), a
//!   cargo warning says so and the runtime stays dynamic.
//! - `vendored-lapack` with `shared-fortran-runtime`: LAPACK and BLAS still bundled, the
//!   Fortran runtime linked as a shared library. A shared library (the Python extension) needs
//!   this: the compiler's static `libgfortran.a` is not position-independent code.
use std::env;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_SYSTEM_LAPACK").is_some() {
        println!("cargo:rustc-link-lib=dylib=lapack");
        println!("cargo:rustc-link-lib=dylib=blas");
    } else if env::var_os("CARGO_FEATURE_VENDORED_LAPACK").is_some()
        && env::var_os("CARGO_FEATURE_SHARED_FORTRAN_RUNTIME").is_none()
    {
        let dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("fortran");
        match static_fortran_runtime(&dir) {
            Ok(()) => println!("cargo:rustc-link-search=native={}", dir.display()),
            Err(why) => println!(
                "cargo:warning=vendored-lapack: the Fortran runtime stays a shared library ({why})"
            ),
        }
    }
}

/// Writes `dir/libgfortran.a`: the compiler's static Fortran runtime and quad-math library.
fn static_fortran_runtime(dir: &Path) -> Result<(), String> {
    let gfortran = compiler_file("libgfortran.a")?;
    let quadmath = compiler_file("libquadmath.a").ok();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut script = format!(
        "create {}\naddlib {}\n",
        dir.join("libgfortran.a").display(),
        gfortran.display()
    );
    if let Some(quadmath) = quadmath {
        script.push_str(&format!("addlib {}\n", quadmath.display()));
    }
    script.push_str("save\nend\n");
    let mut ar = Command::new("ar")
        .arg("-M")
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run ar: {e}"))?;
    ar.stdin
        .take()
        .ok_or("ar has no stdin")?
        .write_all(script.as_bytes())
        .map_err(|e| format!("cannot talk to ar: {e}"))?;
    match ar.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("ar -M failed ({status})")),
        Err(e) => Err(format!("ar -M failed: {e}")),
    }
}

/// The path of one of the Fortran compiler's own library files, if it has it.
fn compiler_file(name: &str) -> Result<PathBuf, String> {
    let fc = env::var("FC").unwrap_or_else(|_| "gfortran".to_string());
    let out = Command::new(&fc)
        .arg(format!("-print-file-name={name}"))
        .output()
        .map_err(|e| format!("cannot run {fc}: {e}"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    // gfortran prints the bare name back when it has no such file.
    if path.is_absolute() && path.exists() {
        Ok(path)
    } else {
        Err(format!("{fc} has no {name}"))
    }
}
