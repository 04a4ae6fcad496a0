//! LP solves of a [`LinearModel`] with row duals, through [`SparseLp`]'s Clarabel backend (which
//! maps every status).

use crate::{ConicStatus, LinearModel, LpBackend, LpQuality, Result, Sense, SparseLp};
use serde::{Deserialize, Serialize};

/// An LP optimum (binaries relaxed to `[0, 1]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LpSolution {
    /// Solver status: [`ConicStatus::Solved`] or [`ConicStatus::Inaccurate`] (reduced accuracy,
    /// shown, never hidden).
    pub status: ConicStatus,
    /// Optimal objective (maximised).
    pub objective: f64,
    /// Primal point.
    pub x: Vec<f64>,
    /// Shadow price of each model row: the rate of change of the optimum per unit of its
    /// right-hand side (`>= 0` for `<=` rows, free for `=` rows).
    pub row_duals: Vec<f64>,
    /// Wall-clock seconds in the solver (set-up and solve).
    pub solve_seconds: f64,
}

/// Solves the LP relaxation of `model` with Clarabel.
///
/// Binaries become `0 <= x <= 1`. `Solved` and `Inaccurate` return a solution carrying that
/// status; infeasible and unbounded LPs and failed solves are errors.
pub fn solve_lp(model: &LinearModel) -> Result<LpSolution> {
    let mut lp = SparseLp::default();
    for (col, &c) in model.columns.iter().zip(&model.objective) {
        lp.add_col(0.0, if col.binary { 1.0 } else { f64::INFINITY }, -c);
    }
    for row in &model.rows {
        let lower = match row.sense {
            Sense::Eq => row.rhs,
            Sense::Le => f64::NEG_INFINITY,
        };
        lp.add_row(lower, row.rhs, &row.terms);
    }
    let point = lp.solve(LpBackend::Clarabel)?;
    let duals = point
        .row_duals
        .expect("the Clarabel backend returns row duals");
    Ok(LpSolution {
        status: match point.quality {
            LpQuality::Optimal => ConicStatus::Solved,
            LpQuality::ReducedAccuracy => ConicStatus::Inaccurate,
        },
        objective: -point.objective,
        x: point.x,
        // The model is maximised: its shadow prices are minus the minimum's duals.
        row_duals: duals.iter().map(|d| -d).collect(),
        solve_seconds: point.seconds,
    })
}
