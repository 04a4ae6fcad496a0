//! A solver-neutral sparse LP/MILP (`min c'x` with column and row bounds) and its two backends:
//! Clarabel (interior point, LPs only) and CBC (simplex via Clp, branch and bound for integers,
//! in `cbc_backend.rs`).

use crate::{Error, Result, SolveStatus, SolverSettings};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Which solver runs a [`SparseLp`].
///
/// Every variant exists in every build; one whose cargo feature the build lacks is refused when
/// solving, with an error naming the feature. [`LpBackend::default`] is HiGHS when the `highs`
/// feature is on (the default features), CBC otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LpBackend {
    /// CBC (Clp's simplex for LPs, branch and bound for integer columns) through the system's
    /// libCbc. Needs the crate feature `cbc`. CBC is not thread-safe: every CBC solve in the
    /// process takes one lock.
    Cbc,
    /// Clarabel's interior-point method. LPs only: integer columns are refused.
    Clarabel,
    /// HiGHS: dual simplex for LPs (with row duals and reduced costs), branch and cut for
    /// integer columns. Needs the crate feature `highs` (on by default; HiGHS is then built
    /// from source).
    Highs,
}

impl Default for LpBackend {
    fn default() -> Self {
        if cfg!(feature = "highs") {
            LpBackend::Highs
        } else {
            LpBackend::Cbc
        }
    }
}

impl LpBackend {
    /// The backend's name as the CLI and the JSON outputs spell it.
    pub fn name(self) -> &'static str {
        match self {
            LpBackend::Cbc => "cbc",
            LpBackend::Clarabel => "clarabel",
            LpBackend::Highs => "highs",
        }
    }

    /// Whether this build can run the backend (its cargo feature is on).
    pub fn is_available(self) -> bool {
        match self {
            LpBackend::Cbc => cfg!(feature = "cbc"),
            LpBackend::Clarabel => true,
            LpBackend::Highs => cfg!(feature = "highs"),
        }
    }
}

/// Size of a model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSize {
    /// Columns.
    pub columns: usize,
    /// Rows (not counting column bounds).
    pub rows: usize,
    /// Non-zero coefficients of the row matrix.
    pub nonzeros: usize,
    /// Integer columns.
    pub integers: usize,
}

/// A sparse model `min c'x + c0` s.t. `row_lower <= A x <= row_upper`, `col_lower <= x <= col_upper`,
/// some columns integer. Infinite bounds are `f64::INFINITY` / `f64::NEG_INFINITY`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseLp {
    /// Objective coefficient of each column.
    pub cost: Vec<f64>,
    /// Constant added to the objective.
    pub cost_constant: f64,
    /// Lower bound of each column.
    pub col_lower: Vec<f64>,
    /// Upper bound of each column.
    pub col_upper: Vec<f64>,
    /// Whether each column is integer.
    pub integer: Vec<bool>,
    /// Lower bound of each row.
    pub row_lower: Vec<f64>,
    /// Upper bound of each row.
    pub row_upper: Vec<f64>,
    /// Coefficients as `(row, column, value)`; repeated entries are summed.
    pub entries: Vec<(usize, usize, f64)>,
}

/// The result of a solve that returned a point: the one solution type of every backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// How the solve ended: [`SolveStatus::Optimal`], [`SolveStatus::Inaccurate`] (Clarabel's
    /// reduced accuracy), or for a model with integer columns [`SolveStatus::TimeLimit`] /
    /// [`SolveStatus::GapLimit`] (a feasible incumbent, checked against every bound and row).
    pub status: SolveStatus,
    /// Which backend produced it.
    pub backend: LpBackend,
    /// Objective value, constant included.
    pub objective: f64,
    /// Column values.
    pub x: Vec<f64>,
    /// Clarabel and HiGHS on LPs (`None` from CBC and for MILPs): the dual of each row, the rate of change of the minimum
    /// per unit increase of the row's active bound (`<= 0` on an upper bound, `>= 0` on a
    /// lower bound, free on an equality).
    pub row_duals: Option<Vec<f64>>,
    /// Clarabel and HiGHS on LPs (`None` from CBC and for MILPs): the reduced cost of each column, `c_j - a_j' y`, the
    /// rate of change of the minimum per unit increase of the column's active bound.
    pub reduced_costs: Option<Vec<f64>>,
    /// Wall-clock seconds spent in the backend (setup and solve).
    pub seconds: f64,
}

impl SparseLp {
    /// Adds a column and returns its index.
    pub fn add_col(&mut self, lower: f64, upper: f64, cost: f64) -> usize {
        self.cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.integer.push(false);
        self.cost.len() - 1
    }

    /// Adds a binary column and returns its index.
    pub fn add_binary(&mut self, cost: f64) -> usize {
        let j = self.add_col(0.0, 1.0, cost);
        self.integer[j] = true;
        j
    }

    /// Adds the row `lower <= sum terms <= upper` and returns its index.
    pub fn add_row(&mut self, lower: f64, upper: f64, terms: &[(usize, f64)]) -> usize {
        let i = self.row_lower.len();
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.entries
            .extend(terms.iter().filter(|t| t.1 != 0.0).map(|&(j, a)| (i, j, a)));
        i
    }

    /// The model's size.
    pub fn size(&self) -> ModelSize {
        ModelSize {
            columns: self.cost.len(),
            rows: self.row_lower.len(),
            nonzeros: self.entries.len(),
            integers: self.integer.iter().filter(|&&b| b).count(),
        }
    }

    /// Solves with `backend` under default [`SolverSettings`].
    pub fn solve(&self, backend: LpBackend) -> Result<Solution> {
        self.solve_with(backend, &SolverSettings::default())
    }

    /// Solves with `backend` under `settings` (time limit, relative gap, threads; every backend
    /// honours each one that applies to it).
    ///
    /// Infeasible and unbounded models and failed solves are errors carrying the mapped
    /// [`SolveStatus`]; a reduced-accuracy point and a time- or gap-limited MILP incumbent are
    /// returned with their status, never as `Optimal`.
    pub fn solve_with(&self, backend: LpBackend, settings: &SolverSettings) -> Result<Solution> {
        settings.validate()?;
        self.validate()?;
        match backend {
            #[cfg(feature = "cbc")]
            LpBackend::Cbc => crate::cbc_backend::solve(self, settings),
            #[cfg(not(feature = "cbc"))]
            LpBackend::Cbc => Err(Error::InvalidSetting {
                field: "backend",
                reason: "this build has no CBC: enable the `cbc` feature of evmech-milp-model \
                         (it links the system's libCbc)"
                    .into(),
            }),
            LpBackend::Clarabel => self.solve_clarabel(settings),
            #[cfg(feature = "highs")]
            LpBackend::Highs => crate::highs_backend::solve(self, settings),
            #[cfg(not(feature = "highs"))]
            LpBackend::Highs => Err(Error::InvalidSetting {
                field: "backend",
                reason: "this build has no HiGHS: enable the `highs` feature of evmech-milp-model"
                    .into(),
            }),
        }
    }

    /// Checks the model's shape and numbers: one bound pair per column and row, `lower <=
    /// upper`, no NaN, entries inside the matrix.
    pub fn validate(&self) -> Result<()> {
        let n = self.cost.len();
        let m = self.row_lower.len();
        let shape = |field: &'static str, len: usize, want: usize| {
            if len == want {
                Ok(())
            } else {
                Err(Error::InvalidSetting {
                    field,
                    reason: format!("has {len} entries, the model has {want}"),
                })
            }
        };
        shape("col_lower", self.col_lower.len(), n)?;
        shape("col_upper", self.col_upper.len(), n)?;
        shape("integer", self.integer.len(), n)?;
        shape("row_upper", self.row_upper.len(), m)?;
        let bad_bounds = |field: &'static str, lo: &[f64], up: &[f64]| match lo
            .iter()
            .zip(up)
            .position(|(l, u)| l.is_nan() || u.is_nan() || l > u)
        {
            Some(i) => Err(Error::InvalidSetting {
                field,
                reason: format!("entry {i} has bounds [{}, {}]", lo[i], up[i]),
            }),
            None => Ok(()),
        };
        bad_bounds("col_lower", &self.col_lower, &self.col_upper)?;
        bad_bounds("row_lower", &self.row_lower, &self.row_upper)?;
        if let Some(j) = self.cost.iter().position(|c| !c.is_finite()) {
            return Err(Error::InvalidSetting {
                field: "cost",
                reason: format!("column {j} has a non-finite cost"),
            });
        }
        if let Some(&(i, j, a)) = self
            .entries
            .iter()
            .find(|&&(i, j, a)| i >= m || j >= n || !a.is_finite())
        {
            return Err(Error::InvalidSetting {
                field: "entries",
                reason: format!(
                    "entry ({i}, {j}) = {a} is outside the {m} x {n} matrix or not finite"
                ),
            });
        }
        Ok(())
    }

    /// Whether `x` satisfies every bound, row and integrality within `tol` (scaled by the
    /// magnitude of each bound): how a time-limited MILP incumbent is checked before it is
    /// returned.
    pub fn is_feasible(&self, x: &[f64], tol: f64) -> bool {
        let within = |v: f64, lo: f64, up: f64| {
            v >= lo - tol * (1.0 + lo.abs().min(1e12)) && v <= up + tol * (1.0 + up.abs().min(1e12))
        };
        if x.len() != self.cost.len() || x.iter().any(|v| !v.is_finite()) {
            return false;
        }
        let cols = (0..x.len()).all(|j| {
            within(x[j], self.col_lower[j], self.col_upper[j])
                && (!self.integer[j] || (x[j] - x[j].round()).abs() <= tol)
        });
        let mut activity = vec![0.0; self.row_lower.len()];
        for &(i, j, a) in &self.entries {
            activity[i] += a * x[j];
        }
        cols && activity
            .iter()
            .enumerate()
            .all(|(i, &v)| within(v, self.row_lower[i], self.row_upper[i]))
    }

    /// Objective value (constant included) at `x`.
    pub fn objective_at(&self, x: &[f64]) -> f64 {
        x.iter().zip(&self.cost).map(|(x, c)| x * c).sum::<f64>() + self.cost_constant
    }

    fn solve_clarabel(&self, settings: &SolverSettings) -> Result<Solution> {
        let start = Instant::now();
        if self.integer.iter().any(|&b| b) {
            return Err(Error::InvalidSetting {
                field: "backend",
                reason: "Clarabel solves LPs only; this model has integer columns (use CBC)".into(),
            });
        }
        let n = self.cost.len();
        let mut conic = ConicRows::default();
        let by_row = self.entries_by_row();
        // Conic rows of each model row's upper and lower side: equalities first (zero cone).
        let mut sides: Vec<(Option<usize>, Option<usize>)> = vec![(None, None); by_row.len()];
        for (i, terms) in by_row.iter().enumerate() {
            let (lo, up) = (self.row_lower[i], self.row_upper[i]);
            if lo.total_cmp(&up).is_eq() {
                sides[i].0 = Some(conic.push(terms, 1.0, up));
            }
        }
        let n_eq = conic.b.len();
        for (i, terms) in by_row.iter().enumerate() {
            let (lo, up) = (self.row_lower[i], self.row_upper[i]);
            if lo.total_cmp(&up).is_ne() {
                if up.is_finite() {
                    sides[i].0 = Some(conic.push(terms, 1.0, up));
                }
                if lo.is_finite() {
                    sides[i].1 = Some(conic.push(terms, -1.0, -lo));
                }
            }
        }
        // Column bounds: `2j` codes the upper side of column `j`, `2j + 1` the lower side.
        let n_bound_start = conic.b.len();
        let mut bound_rows = Vec::new();
        for j in 0..n {
            if self.col_upper[j].is_finite() {
                conic.push(&[(j, 1.0)], 1.0, self.col_upper[j]);
                bound_rows.push(2 * j);
            }
            if self.col_lower[j].is_finite() {
                conic.push(&[(j, 1.0)], -1.0, -self.col_lower[j]);
                bound_rows.push(2 * j + 1);
            }
        }
        let m = conic.b.len();
        let a = CscMatrix::new_from_triplets(m, n, conic.rows, conic.cols, conic.vals);
        let p = CscMatrix::zeros((n, n));
        let mut cones = Vec::new();
        if n_eq > 0 {
            cones.push(SupportedConeT::ZeroConeT(n_eq));
        }
        if m > n_eq {
            cones.push(SupportedConeT::NonnegativeConeT(m - n_eq));
        }
        let failed = |message: String| Error::SolverFailed {
            backend: "clarabel",
            message,
        };
        let mut builder = DefaultSettingsBuilder::default();
        builder.verbose(false).max_threads(settings.threads);
        if let Some(limit) = settings.time_limit_s {
            builder.time_limit(f64::from(limit));
        }
        let clarabel_settings = builder.build().map_err(|e| failed(e.to_string()))?;
        let mut solver =
            DefaultSolver::new(&p, &self.cost, &a, &conic.b, &cones, clarabel_settings)
                .map_err(|e| failed(e.to_string()))?;
        solver.solve();
        let sol = &solver.solution;
        let status = SolveStatus::from(sol.status);
        match status {
            SolveStatus::Optimal | SolveStatus::Inaccurate => {}
            SolveStatus::Infeasible => return Err(Error::Infeasible),
            SolveStatus::Unbounded => return Err(Error::Unbounded),
            status => {
                return Err(Error::SolverStopped {
                    backend: "clarabel",
                    status,
                })
            }
        }
        let z = |r: Option<usize>| r.map_or(0.0, |r| sol.z[r]);
        // Stationarity `c + A'z = 0` gives the reduced cost `c_j - a_j'y = z_lower - z_upper`
        // of column `j` from the duals of its two bound rows.
        let mut reduced_costs = vec![0.0; n];
        for (k, &code) in bound_rows.iter().enumerate() {
            let z_bound = sol.z[n_bound_start + k];
            if code % 2 == 0 {
                reduced_costs[code / 2] -= z_bound;
            } else {
                reduced_costs[code / 2] += z_bound;
            }
        }
        Ok(Solution {
            status,
            backend: LpBackend::Clarabel,
            objective: sol.obj_val + self.cost_constant,
            x: sol.x.clone(),
            row_duals: Some(sides.iter().map(|&(up, lo)| z(lo) - z(up)).collect()),
            reduced_costs: Some(reduced_costs),
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    fn entries_by_row(&self) -> Vec<Vec<(usize, f64)>> {
        let mut rows = vec![Vec::new(); self.row_lower.len()];
        for &(i, j, a) in &self.entries {
            rows[i].push((j, a));
        }
        rows
    }
}

/// Rows of a conic program under construction (`A x + s = b`, `s` in the cones).
#[derive(Default)]
struct ConicRows {
    rows: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
    b: Vec<f64>,
}

impl ConicRows {
    /// Pushes `sign * terms . x + s = rhs` and returns its index.
    fn push(&mut self, terms: &[(usize, f64)], sign: f64, rhs: f64) -> usize {
        let r = self.b.len();
        for &(j, a) in terms {
            self.rows.push(r);
            self.cols.push(j);
            self.vals.push(sign * a);
        }
        self.b.push(rhs);
        r
    }
}
