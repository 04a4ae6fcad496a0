//! LP solves with row duals, by calling Clarabel directly (so every status is mapped here).

use crate::{ConicStatus, Error, LinearModel, Result, Sense};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
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
    /// Solver time, seconds.
    pub solve_seconds: f64,
}

/// Solves the LP relaxation of `model` with Clarabel.
///
/// Binaries become `0 <= x <= 1`. `Solved` and `Inaccurate` return a solution carrying that
/// status; infeasible and unbounded LPs and failed solves are errors.
pub fn solve_lp(model: &LinearModel) -> Result<LpSolution> {
    let n = model.columns.len();
    let (mut rows_i, mut cols_j, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    let mut b = Vec::new();
    // Equality rows first (zero cone), then inequality rows and bounds (non-negative cone).
    let mut clarabel_row = vec![0usize; model.rows.len()];
    let mut push_row = |terms: &[(usize, f64)], rhs: f64, b: &mut Vec<f64>| {
        let r = b.len();
        for &(j, a) in terms {
            rows_i.push(r);
            cols_j.push(j);
            vals.push(a);
        }
        b.push(rhs);
        r
    };
    for (i, row) in model.rows.iter().enumerate() {
        if row.sense == Sense::Eq {
            clarabel_row[i] = push_row(&row.terms, row.rhs, &mut b);
        }
    }
    let n_eq = b.len();
    for (i, row) in model.rows.iter().enumerate() {
        if row.sense == Sense::Le {
            clarabel_row[i] = push_row(&row.terms, row.rhs, &mut b);
        }
    }
    for j in 0..n {
        push_row(&[(j, -1.0)], 0.0, &mut b);
    }
    for (j, col) in model.columns.iter().enumerate() {
        if col.binary {
            push_row(&[(j, 1.0)], 1.0, &mut b);
        }
    }
    let m = b.len();
    let a = CscMatrix::new_from_triplets(m, n, rows_i, cols_j, vals);
    let p = CscMatrix::zeros((n, n));
    let q: Vec<f64> = model.objective.iter().map(|c| -c).collect();
    let mut cones = Vec::new();
    if n_eq > 0 {
        cones.push(SupportedConeT::ZeroConeT(n_eq));
    }
    if m > n_eq {
        cones.push(SupportedConeT::NonnegativeConeT(m - n_eq));
    }
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .build()
        .map_err(|e| Error::SolverFailed {
            backend: "clarabel",
            message: e.to_string(),
        })?;
    let mut solver =
        DefaultSolver::new(&p, &q, &a, &b, &cones, settings).map_err(|e| Error::SolverFailed {
            backend: "clarabel",
            message: e.to_string(),
        })?;
    solver.solve();
    let sol = &solver.solution;
    let status = ConicStatus::from(sol.status);
    match status {
        ConicStatus::Solved | ConicStatus::Inaccurate => Ok(LpSolution {
            status,
            objective: -sol.obj_val,
            x: sol.x.clone(),
            row_duals: clarabel_row.iter().map(|&r| sol.z[r]).collect(),
            solve_seconds: sol.solve_time,
        }),
        ConicStatus::PrimalInfeasible | ConicStatus::InaccuratePrimalInfeasible => {
            Err(Error::Infeasible)
        }
        ConicStatus::DualInfeasible | ConicStatus::InaccurateDualInfeasible => {
            Err(Error::Unbounded)
        }
        other => Err(Error::ConicFailed { status: other }),
    }
}
