//! The sparse LP's backends agree, and Clarabel's row duals follow the documented sign convention.

use approx::assert_abs_diff_eq;
use evmech_milp_model::{LpBackend, SparseLp};

#[test]
fn row_duals_are_the_minimums_rate_per_unit_of_each_active_bound() {
    // min x1 + 2 x2 + 3 x3  s.t.  x1 + x2 >= 3,  x1 <= 1,  x3 - x1 = 1,  x >= 0.
    let mut lp = SparseLp::default();
    let x: Vec<usize> = [1.0, 2.0, 3.0]
        .iter()
        .map(|&c| lp.add_col(0.0, f64::INFINITY, c))
        .collect();
    lp.add_row(3.0, f64::INFINITY, &[(x[0], 1.0), (x[1], 1.0)]);
    lp.add_row(f64::NEG_INFINITY, 1.0, &[(x[0], 1.0)]);
    lp.add_row(1.0, 1.0, &[(x[2], 1.0), (x[0], -1.0)]);
    // Optimum: x1 = 0 (it costs 1 + 3 through x3), x2 = 3, x3 = 1, objective 9.
    let ipm = lp.solve(LpBackend::Clarabel).unwrap();
    let simplex = lp.solve(LpBackend::Cbc).unwrap();
    assert_abs_diff_eq!(ipm.objective, 9.0, epsilon = 1e-6);
    assert_abs_diff_eq!(simplex.objective, 9.0, epsilon = 1e-9);
    assert!(simplex.row_duals.is_none());
    let duals = ipm.row_duals.unwrap();
    // Raising the lower bound 3 costs 2 per unit (x2); the x1 <= 1 row is slack; raising the
    // equality's right-hand side costs 3 per unit (x3).
    assert_abs_diff_eq!(duals[0], 2.0, epsilon = 1e-6);
    assert_abs_diff_eq!(duals[1], 0.0, epsilon = 1e-6);
    assert_abs_diff_eq!(duals[2], 3.0, epsilon = 1e-6);
}
