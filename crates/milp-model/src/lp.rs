//! LP solves of a [`LinearModel`] with row duals, through [`SparseLp`]'s Clarabel backend (which
//! maps every status).

use crate::{LinearModel, LpBackend, Result, SolveStatus};
use serde::{Deserialize, Serialize};

/// An LP optimum (binaries relaxed to `[0, 1]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LpSolution {
    /// Solver status: [`SolveStatus::Optimal`] or [`SolveStatus::Inaccurate`] (reduced
    /// accuracy, shown, never hidden).
    pub status: SolveStatus,
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
    let point = model.to_sparse_lp(false).solve(LpBackend::Clarabel)?;
    let duals = point.row_duals.ok_or(crate::Error::SolverFailed {
        backend: "clarabel",
        message: "no row duals returned".into(),
    })?;
    Ok(LpSolution {
        status: point.status,
        objective: -point.objective,
        x: point.x,
        // The model is maximised: its shadow prices are minus the minimum's duals.
        row_duals: duals.iter().map(|d| -d).collect(),
        solve_seconds: point.seconds,
    })
}
