//! MILP solves of a [`LinearModel`] with CBC.

use crate::{solve_cbc, CbcSettings, LinearModel, Result, Sense, SolveStatus};
use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel, Variable};
use serde::{Deserialize, Serialize};

/// A MILP solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilpSolution {
    /// Optimal, or feasible when a time or gap limit stopped CBC.
    pub status: SolveStatus,
    /// Objective value (maximised).
    pub objective: f64,
    /// The point, with binaries rounded to exactly 0 or 1.
    pub x: Vec<f64>,
}

/// Solves `model` (binaries integral) with CBC under `settings`.
pub fn solve_milp(model: &LinearModel, settings: &CbcSettings) -> Result<MilpSolution> {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = model
        .columns
        .iter()
        .map(|c| {
            if c.binary {
                vars.add(variable().binary())
            } else {
                vars.add(variable().min(0.0))
            }
        })
        .collect();
    let objective: Expression = model.objective.iter().zip(&x).map(|(&c, &v)| c * v).sum();
    let constraints: Vec<good_lp::Constraint> = model
        .rows
        .iter()
        .map(|row| {
            let lhs: Expression = row.terms.iter().map(|&(j, a)| a * x[j]).sum();
            match row.sense {
                Sense::Le => lhs.leq(row.rhs),
                Sense::Eq => lhs.eq(row.rhs),
            }
        })
        .collect();
    let (solution, status) = solve_cbc(vars.maximise(objective), settings, |mut m| {
        for c in constraints {
            m = m.with(c);
        }
        m
    })?;
    let values: Vec<f64> = model
        .columns
        .iter()
        .zip(&x)
        .map(|(c, &v)| {
            let value = solution.value(v);
            if c.binary {
                value.round()
            } else {
                value.max(0.0)
            }
        })
        .collect();
    Ok(MilpSolution {
        status,
        objective: model.objective_value(&values),
        x: values,
    })
}
