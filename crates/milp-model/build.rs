//! Links Debian's reference (or OpenBLAS-alternative) BLAS/LAPACK, which Clarabel's SDP cones call.
fn main() {
    println!("cargo:rustc-link-lib=dylib=lapack");
    println!("cargo:rustc-link-lib=dylib=blas");
}
