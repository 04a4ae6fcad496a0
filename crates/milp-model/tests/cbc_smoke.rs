//! Links and runs CBC (feature `cbc`): catches a missing `coinor-libcbc-dev` early, and checks the
//! status mapping of the good_lp path.
#![cfg(feature = "cbc")]

use evmech_milp_model::{solve_cbc, CbcSettings, Error, SolveStatus};
use good_lp::{variable, variables, Solution, SolverModel};

#[test]
fn cbc_solves_a_small_knapsack_to_optimality() {
    let mut vars = variables!();
    let x: Vec<_> = (0..4).map(|_| vars.add(variable().binary())).collect();
    let weights = [3.0, 4.0, 5.0, 6.0];
    let values = [4.0, 5.0, 6.0, 7.0];
    let objective: good_lp::Expression = x.iter().zip(values).map(|(&v, c)| c * v).sum();
    let weight: good_lp::Expression = x.iter().zip(weights).map(|(&v, c)| c * v).sum();
    let (solution, status) = solve_cbc(
        vars.maximise(objective.clone()),
        &CbcSettings::default(),
        |m| m.with(weight.leq(10.0)),
    )
    .expect("solvable");
    assert_eq!(status, SolveStatus::Optimal);
    // Capacity 10: items 1 and 3 (weights 4 + 6, values 5 + 7) are the best packing.
    assert!((solution.eval(&objective) - 12.0).abs() < 1e-6);
}

#[test]
fn infeasible_models_are_errors_not_points() {
    let mut vars = variables!();
    let a = vars.add(variable().binary());
    let result = solve_cbc(vars.maximise(a), &CbcSettings::default(), |m| {
        m.with((a + 0).geq(2.0))
    });
    assert!(matches!(result.err(), Some(Error::Infeasible { .. })));
}

#[test]
fn settings_out_of_range_are_refused() {
    let bad = CbcSettings {
        relative_gap: Some(1.5),
        ..CbcSettings::default()
    };
    assert!(matches!(
        bad.validate(),
        Err(Error::InvalidSetting {
            field: "relative_gap",
            ..
        })
    ));
    let no_threads = CbcSettings {
        threads: 0,
        ..CbcSettings::default()
    };
    assert!(no_threads.validate().is_err());
}
