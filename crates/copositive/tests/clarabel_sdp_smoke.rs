//! Links and runs Clarabel's SDP path (BLAS/LAPACK): the smallest eigenvalue of a 2x2 matrix as an SDP.
#![allow(non_snake_case)]

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT::PSDTriangleConeT,
    SupportedConeT::ZeroConeT,
};
use evmech_copositive::SolveStatus;

#[test]
fn min_eigenvalue_by_sdp_matches_the_closed_form() {
    // minimise <C, X> s.t. trace X = 1, X PSD  ==  lambda_min(C) = 1 for C = [[2, 1], [1, 2]].
    // x = svec(X) = (X11, sqrt2 X12, X22) in Clarabel's upper-triangular, column-wise convention.
    let s2 = 2f64.sqrt();
    let P = CscMatrix::zeros((3, 3));
    let q = [2.0, s2 * 1.0, 2.0];
    let A = CscMatrix::from(&[
        [-1.0, 0.0, 0.0],
        [0.0, -1.0, 0.0],
        [0.0, 0.0, -1.0],
        [1.0, 0.0, 1.0],
    ]);
    let b = [0.0, 0.0, 0.0, 1.0];
    let cones = [PSDTriangleConeT(2), ZeroConeT(1)];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .build()
        .expect("valid settings");
    let mut solver = DefaultSolver::new(&P, &q, &A, &b, &cones, settings).expect("valid data");
    solver.solve();
    assert_eq!(
        SolveStatus::from(solver.solution.status),
        SolveStatus::Optimal
    );
    assert!((solver.solution.obj_val - 1.0).abs() < 1e-7);
}
