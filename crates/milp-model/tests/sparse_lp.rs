//! The sparse LP's backends agree, and Clarabel's row duals follow the documented sign convention.

use approx::assert_abs_diff_eq;
use evmech_milp_model::{Error, LpBackend, SolveStatus, SolverSettings, SparseLp};

/// `min x1 + 2 x2 + 3 x3  s.t.  x1 + x2 >= 3,  x1 <= 1,  x3 - x1 = 1,  x >= 0`.
fn three_column_lp() -> SparseLp {
    let mut lp = SparseLp::default();
    let x: Vec<usize> = [1.0, 2.0, 3.0]
        .iter()
        .map(|&c| lp.add_col(0.0, f64::INFINITY, c))
        .collect();
    lp.add_row(3.0, f64::INFINITY, &[(x[0], 1.0), (x[1], 1.0)]);
    lp.add_row(f64::NEG_INFINITY, 1.0, &[(x[0], 1.0)]);
    lp.add_row(1.0, 1.0, &[(x[2], 1.0), (x[0], -1.0)]);
    lp
}

#[test]
fn row_duals_are_the_minimums_rate_per_unit_of_each_active_bound() {
    let lp = three_column_lp();
    // Optimum: x1 = 0 (it costs 1 + 3 through x3), x2 = 3, x3 = 1, objective 9.
    let ipm = lp.solve(LpBackend::Clarabel).unwrap();
    let simplex = lp.solve(LpBackend::default()).unwrap();
    assert_abs_diff_eq!(ipm.objective, 9.0, epsilon = 1e-6);
    assert_abs_diff_eq!(simplex.objective, 9.0, epsilon = 1e-9);
    let duals = ipm.row_duals.unwrap();
    // Raising the lower bound 3 costs 2 per unit (x2); the x1 <= 1 row is slack; raising the
    // equality's right-hand side costs 3 per unit (x3).
    assert_abs_diff_eq!(duals[0], 2.0, epsilon = 1e-6);
    assert_abs_diff_eq!(duals[1], 0.0, epsilon = 1e-6);
    assert_abs_diff_eq!(duals[2], 3.0, epsilon = 1e-6);
}

#[test]
fn reduced_costs_are_the_minimums_rate_per_unit_of_each_active_column_bound() {
    // min x1 + 2 x2  s.t.  x1 + x2 >= 1,  0 <= x1 <= 0.25,  x2 >= 0.
    // Optimum x = (0.25, 0.75), row dual 2; x1 sits at its upper bound with reduced cost
    // 1 - 2 = -1 (raising the bound by one saves 1); x2 is basic (reduced cost 0).
    let mut lp = SparseLp::default();
    let x1 = lp.add_col(0.0, 0.25, 1.0);
    let x2 = lp.add_col(0.0, f64::INFINITY, 2.0);
    lp.add_row(1.0, f64::INFINITY, &[(x1, 1.0), (x2, 1.0)]);
    let sol = lp.solve(LpBackend::Clarabel).unwrap();
    assert_abs_diff_eq!(sol.objective, 1.75, epsilon = 1e-6);
    let d = sol.reduced_costs.unwrap();
    assert_abs_diff_eq!(d[x1], -1.0, epsilon = 1e-6);
    assert_abs_diff_eq!(d[x2], 0.0, epsilon = 1e-6);
    assert_abs_diff_eq!(sol.row_duals.unwrap()[0], 2.0, epsilon = 1e-6);
    #[cfg(feature = "cbc")]
    assert!(lp.solve(LpBackend::Cbc).unwrap().reduced_costs.is_none());
}

/// Item `i` of the test knapsack: integer weight and value.
fn item(i: usize) -> (usize, usize) {
    let w = 10 + (i * 37) % 23;
    (w, w + (i * 11) % 7)
}

/// A 0/1 knapsack whose LP bound is loose, so branch and bound has work to do.
fn knapsack(items: usize) -> SparseLp {
    let mut lp = SparseLp::default();
    let mut weights = Vec::new();
    for i in 0..items {
        let (w, v) = item(i);
        let j = lp.add_binary(-(v as f64));
        weights.push((j, w as f64));
    }
    lp.add_row(f64::NEG_INFINITY, capacity(items) as f64 + 0.5, &weights);
    lp
}

fn capacity(items: usize) -> usize {
    (0..items).map(|i| item(i).0).sum::<usize>() / 2
}

/// The knapsack's optimum by dynamic programming over the capacity (minimised form: negated).
fn knapsack_optimum(items: usize) -> f64 {
    let cap = capacity(items);
    let mut best = vec![0usize; cap + 1];
    for i in 0..items {
        let (w, v) = item(i);
        for c in (w..=cap).rev() {
            best[c] = best[c].max(best[c - w] + v);
        }
    }
    -(best[cap] as f64)
}

#[test]
fn every_backend_finds_the_knapsack_optimum() {
    for items in [12, 30, 40] {
        let want = knapsack_optimum(items);
        for backend in backends().into_iter().filter(|&b| b != LpBackend::Clarabel) {
            let sol = knapsack(items).solve(backend).unwrap();
            assert_eq!(sol.status, SolveStatus::Optimal, "{backend:?}");
            assert_abs_diff_eq!(sol.objective, want, epsilon = 1e-6);
        }
    }
}

#[test]
fn threads_change_no_optimum() {
    let lp = knapsack(30);
    let one = lp.solve(LpBackend::default()).unwrap();
    let two = lp
        .solve_with(
            LpBackend::default(),
            &SolverSettings {
                threads: 2,
                ..SolverSettings::default()
            },
        )
        .unwrap();
    assert_eq!(one.status, SolveStatus::Optimal);
    assert_eq!(two.status, SolveStatus::Optimal);
    assert_abs_diff_eq!(one.objective, two.objective, epsilon = 1e-6);
}

#[test]
fn malformed_models_are_refused_naming_the_field() {
    let mut lp = SparseLp::default();
    lp.add_col(1.0, 0.0, 1.0);
    for backend in backends() {
        assert!(matches!(
            lp.solve(backend),
            Err(Error::InvalidSetting {
                field: "col_lower",
                ..
            })
        ));
    }
    let mut nan = SparseLp::default();
    let j = nan.add_col(0.0, 1.0, f64::NAN);
    nan.add_row(0.0, 1.0, &[(j, 1.0)]);
    assert!(matches!(
        nan.solve(LpBackend::default()),
        Err(Error::InvalidSetting { field: "cost", .. })
    ));
}

#[test]
fn infeasible_and_unbounded_lps_are_errors_on_both_backends() {
    let mut infeasible = SparseLp::default();
    infeasible.set_family("energy");
    let x = infeasible.add_col(0.0, 1.0, 1.0);
    infeasible.set_family("slack");
    infeasible.add_col(0.0, 5.0, 1.0);
    infeasible.set_family("demand");
    infeasible.add_row(f64::NEG_INFINITY, 9.0, &[(x, 1.0)]);
    infeasible.add_row(2.0, f64::INFINITY, &[(x, 1.0)]);
    let mut unbounded = SparseLp::default();
    let y = unbounded.add_col(0.0, f64::INFINITY, -1.0);
    unbounded.add_row(0.0, f64::INFINITY, &[(y, 1.0)]);
    for backend in backends() {
        // The certificate: x >= 2 (the second demand row) against x <= 1 (its bound); the
        // slack column and the first, slack row play no part.
        match infeasible.solve(backend) {
            Err(Error::Infeasible { mut rows }) => {
                rows.sort();
                assert_eq!(rows, ["bound of energy[0]", "demand[1]"], "{backend:?}")
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        assert_eq!(unbounded.solve(backend).err(), Some(Error::Unbounded));
    }
}

#[test]
fn an_integer_model_infeasible_only_through_integrality_has_no_certificate() {
    let mut lp = SparseLp::default();
    let x = lp.add_binary(1.0);
    lp.add_row(0.5, 0.5, &[(x, 1.0)]);
    for backend in backends().into_iter().filter(|&b| b != LpBackend::Clarabel) {
        match lp.solve(backend) {
            Err(Error::Infeasible { rows }) => assert!(rows.is_empty(), "{rows:?}"),
            other => panic!("{backend:?}: {other:?}"),
        }
    }
    let e = Error::infeasible(vec!["demand[1]".into()]).to_string();
    assert_eq!(e, "the model is infeasible (certificate: demand[1])");
}

/// Every backend this build has.
fn backends() -> Vec<LpBackend> {
    [LpBackend::Highs, LpBackend::Cbc, LpBackend::Clarabel]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

#[cfg(not(feature = "highs"))]
#[test]
fn a_build_without_highs_refuses_it_naming_the_feature() {
    let mut lp = SparseLp::default();
    lp.add_col(0.0, 1.0, 1.0);
    match lp.solve(LpBackend::Highs) {
        Err(Error::InvalidSetting { field, reason }) => {
            assert_eq!(field, "backend");
            assert!(reason.contains("`highs` feature"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[cfg(feature = "highs")]
#[test]
fn highs_duals_and_reduced_costs_follow_the_same_convention_as_clarabel() {
    let lp = three_column_lp();
    let ipm = lp.solve(LpBackend::Clarabel).unwrap();
    let simplex = lp.solve(LpBackend::Highs).unwrap();
    assert_eq!(simplex.status, SolveStatus::Optimal);
    assert_eq!(simplex.backend, LpBackend::Highs);
    assert_abs_diff_eq!(simplex.objective, 9.0, epsilon = 1e-9);
    for (a, b) in ipm
        .row_duals
        .unwrap()
        .iter()
        .zip(simplex.row_duals.unwrap())
    {
        assert_abs_diff_eq!(*a, b, epsilon = 1e-6);
    }
    for (a, b) in ipm
        .reduced_costs
        .unwrap()
        .iter()
        .zip(simplex.reduced_costs.unwrap())
    {
        assert_abs_diff_eq!(*a, b, epsilon = 1e-6);
    }
}

#[test]
fn milp_backends_honour_the_relative_gap_and_report_a_gap_stop_as_such() {
    let lp = knapsack(40);
    let optimum = knapsack_optimum(40);
    for backend in backends().into_iter().filter(|&b| b != LpBackend::Clarabel) {
        let exact = lp.solve(backend).unwrap();
        assert_abs_diff_eq!(exact.objective, optimum, epsilon = 1e-6);
        assert!(exact.row_duals.is_none(), "a MILP has no duals");
        let loose = lp
            .solve_with(
                backend,
                &SolverSettings {
                    relative_gap: Some(0.2),
                    threads: 2,
                    ..SolverSettings::default()
                },
            )
            .unwrap();
        // Either proven optimal or a feasible incumbent within 20 % of the optimum (the model
        // minimises negated values), and never an incumbent called optimal when it is not.
        assert!(
            matches!(loose.status, SolveStatus::Optimal | SolveStatus::GapLimit),
            "{backend:?}: {:?}",
            loose.status
        );
        assert!(lp.is_feasible(&loose.x, 1e-6));
        assert!(loose.objective >= optimum - 1e-6);
        let scale = optimum.abs().max(loose.objective.abs());
        assert!(
            loose.objective - optimum <= 0.2 * scale + 1e-6,
            "{backend:?}"
        );
        if loose.status == SolveStatus::Optimal {
            assert_abs_diff_eq!(loose.objective, optimum, epsilon = 1e-6);
        }
    }
}
