//! A model kept in its solver: after any sequence of bound changes, each solve has the optimum
//! of the same model solved afresh, failures are reported and the model stays usable.

use evmech_milp_model::{Error, KeptLp, LpBackend, SolverSettings, SparseLp};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Every backend this build has.
fn backends() -> Vec<LpBackend> {
    [LpBackend::Highs, LpBackend::Cbc, LpBackend::Clarabel]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

/// A random covering LP: `min c'x` s.t. `A x >= b`, `0 <= x <= 4`, with `A >= 0`.
fn covering(costs: &[f64], rows: &[(Vec<f64>, f64)]) -> SparseLp {
    let mut lp = SparseLp::default();
    let x: Vec<usize> = costs.iter().map(|&c| lp.add_col(0.0, 4.0, c)).collect();
    for (a, b) in rows {
        let terms: Vec<(usize, f64)> = a.iter().enumerate().map(|(j, &v)| (x[j], v)).collect();
        lp.add_row(*b, f64::INFINITY, &terms);
    }
    lp
}

#[test]
fn an_infeasible_bound_change_is_an_error_and_the_model_recovers() {
    // min x + y  s.t.  x + y >= 3,  x, y in [0, 2].
    let mut lp = SparseLp::default();
    lp.set_family("power");
    let x = lp.add_col(0.0, 2.0, 1.0);
    let y = lp.add_col(0.0, 2.0, 1.0);
    lp.set_family("demand");
    lp.add_row(3.0, f64::INFINITY, &[(x, 1.0), (y, 1.0)]);
    for backend in backends() {
        let mut kept = KeptLp::new(lp.clone(), backend, SolverSettings::default()).unwrap();
        assert!((kept.solve().unwrap().objective - 3.0).abs() < 1e-6);
        kept.set_col_bounds(x, 0.0, 0.5).unwrap();
        match kept.solve() {
            Err(Error::Infeasible { rows }) => assert!(!rows.is_empty(), "{backend:?}"),
            other => panic!("{backend:?}: {other:?}"),
        }
        kept.set_col_bounds(x, 0.0, 2.0).unwrap();
        assert!((kept.solve().unwrap().objective - 3.0).abs() < 1e-6);
        for (lo, hi) in [(1.0, 0.0), (f64::NAN, 1.0), (f64::INFINITY, f64::INFINITY)] {
            assert!(matches!(
                kept.set_col_bounds(x, lo, hi),
                Err(Error::InvalidField { field, .. }) if field == "col_bounds[0]"
            ));
        }
        assert!(matches!(
            kept.set_col_bounds(7, 0.0, 1.0),
            Err(Error::InvalidField { .. })
        ));
        assert_eq!(
            kept.lp().col_upper[x],
            2.0,
            "a refused change changes nothing"
        );
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 48,
        rng_seed: RngSeed::Fixed(57),
        failure_persistence: None,
        ..Config::default()
    })]

    /// A sequence of bound changes, each followed by a solve of the kept model, gives the
    /// objective of a fresh solve of the same bounds (or the same infeasibility).
    #[test]
    fn kept_solves_equal_fresh_solves(
        costs in prop::collection::vec(0.1f64..5.0, 2..7),
        rows in prop::collection::vec((prop::collection::vec(0.0f64..3.0, 7), 0.5f64..6.0), 1..5),
        changes in prop::collection::vec((0usize..7, 0.0f64..4.0, 0.0f64..4.0), 1..8),
    ) {
        let n = costs.len();
        let rows: Vec<(Vec<f64>, f64)> = rows.into_iter().map(|(a, b)| (a[..n].to_vec(), b)).collect();
        let base = covering(&costs, &rows);
        for backend in backends() {
            let mut kept = KeptLp::new(base.clone(), backend, SolverSettings::default()).unwrap();
            let mut fresh = base.clone();
            for &(j, a, b) in &changes {
                let (j, lo, hi) = (j % n, a.min(b), a.max(b));
                kept.set_col_bounds(j, lo, hi).unwrap();
                fresh.col_lower[j] = lo;
                fresh.col_upper[j] = hi;
                prop_assert_eq!(kept.lp(), &fresh);
                match (kept.solve(), fresh.solve(backend)) {
                    (Ok(k), Ok(f)) => prop_assert!((k.objective - f.objective).abs() <= 1e-6 * (1.0 + f.objective.abs()),
                        "{backend:?}: kept {} vs fresh {}", k.objective, f.objective),
                    (Err(Error::Infeasible { .. }), Err(Error::Infeasible { .. })) => {}
                    (k, f) => prop_assert!(false, "{backend:?}: kept {k:?} vs fresh {f:?}"),
                }
            }
        }
    }
}
