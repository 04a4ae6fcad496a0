//! MILP solves of a [`LinearModel`]: written as a [`SparseLp`] and solved by a MILP backend.

use crate::{LinearModel, LpBackend, Result, Sense, SolveStatus, SolverSettings, SparseLp};
use serde::{Deserialize, Serialize};

/// A MILP solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilpSolution {
    /// [`SolveStatus::Optimal`], or a feasible incumbent ([`SolveStatus::TimeLimit`],
    /// [`SolveStatus::GapLimit`]) when a limit of the settings stopped the search.
    pub status: SolveStatus,
    /// Objective value (maximised).
    pub objective: f64,
    /// The point, with binaries rounded to exactly 0 or 1.
    pub x: Vec<f64>,
}

impl LinearModel {
    /// The [`SparseLp`] of this model: columns `x >= 0` (binaries in `[0, 1]`, integral when
    /// `integral`), its rows, and the objective negated (the sparse model minimises). Column
    /// and row indices are the same in both, and families follow the names (`power`, `evse`,
    /// `energy`, ...), so solver reports name them.
    pub fn to_sparse_lp(&self, integral: bool) -> SparseLp {
        let mut lp = SparseLp::default();
        for (col, &c) in self.columns.iter().zip(&self.objective) {
            lp.set_family(col.name.family());
            if col.binary && integral {
                lp.add_binary(-c);
            } else {
                lp.add_col(0.0, if col.binary { 1.0 } else { f64::INFINITY }, -c);
            }
        }
        for row in &self.rows {
            lp.set_family(row.name.family());
            let lower = match row.sense {
                Sense::Eq => row.rhs,
                Sense::Le => f64::NEG_INFINITY,
            };
            lp.add_row(lower, row.rhs, &row.terms);
        }
        lp
    }
}

/// Solves `model` (binaries integral) with the default MILP backend ([`LpBackend::default`])
/// under `settings`.
pub fn solve_milp(model: &LinearModel, settings: &SolverSettings) -> Result<MilpSolution> {
    solve_milp_with(model, LpBackend::default(), settings)
}

/// Solves `model` (binaries integral) with `backend` under `settings`.
pub fn solve_milp_with(
    model: &LinearModel,
    backend: LpBackend,
    settings: &SolverSettings,
) -> Result<MilpSolution> {
    let solution = model.to_sparse_lp(true).solve_with(backend, settings)?;
    let values: Vec<f64> = model
        .columns
        .iter()
        .zip(&solution.x)
        .map(|(c, &value)| {
            if c.binary {
                value.round()
            } else {
                value.max(0.0)
            }
        })
        .collect();
    Ok(MilpSolution {
        status: solution.status,
        objective: model.objective_value(&values),
        x: values,
    })
}
