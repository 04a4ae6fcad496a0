//! A solver-neutral sparse LP/MILP (`min c'x` with column and row bounds, columns and rows in
//! named families) and the dispatch to its backends (`highs_backend.rs`, `cbc_backend.rs`,
//! `clarabel_backend.rs`).

use crate::{Error, Result, SolveStatus, SolverSettings};
use serde::{Deserialize, Serialize};

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

/// Feasibility tolerance for a time- or gap-limited incumbent before it is returned.
const INCUMBENT_TOL: f64 = 1e-6;

/// The family id of columns and rows added before any [`SparseLp::set_family`].
const UNNAMED: usize = 0;

/// `family[k]` for item `i` of a family-id list.
fn label(families: &[String], of: &[usize], i: usize) -> String {
    let family = of.get(i).copied().unwrap_or(UNNAMED);
    let k = of[..i.min(of.len())]
        .iter()
        .filter(|&&f| f == family)
        .count();
    let name = families.get(family).map_or("unnamed", String::as_str);
    format!("{name}[{k}]")
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
    /// Names of the families of columns and rows (see [`SparseLp::set_family`]); a family's id is
    /// its index here.
    pub families: Vec<String>,
    /// Family id of each column (a missing entry is the unnamed family).
    pub col_family: Vec<usize>,
    /// Family id of each row (a missing entry is the unnamed family).
    pub row_family: Vec<usize>,
    /// The family new columns and rows join.
    current_family: Option<usize>,
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
        let family = self.family_id();
        self.col_family.resize(self.cost.len(), UNNAMED);
        self.col_family.push(family);
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
        let family = self.family_id();
        self.row_family.resize(i, UNNAMED);
        self.row_family.push(family);
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.entries
            .extend(terms.iter().filter(|t| t.1 != 0.0).map(|&(j, a)| (i, j, a)));
        i
    }

    /// Columns and rows added from now on belong to the family `name` (a constraint or variable
    /// family such as `soc_dynamics`), so that errors and infeasibility certificates can name
    /// them as `soc_dynamics[17]` (the 18th row of that family).
    pub fn set_family(&mut self, name: &str) {
        let id = match self.families.iter().position(|f| f == name) {
            Some(id) => id,
            None => {
                if self.families.is_empty() {
                    self.families.push("unnamed".into());
                }
                self.families.push(name.to_string());
                self.families.len() - 1
            }
        };
        self.current_family = Some(id);
    }

    fn family_id(&self) -> usize {
        self.current_family.unwrap_or(UNNAMED)
    }

    /// `family[k]`: the name of row `i`'s family and its index within it.
    pub fn row_label(&self, i: usize) -> String {
        label(&self.families, &self.row_family, i)
    }

    /// `family[k]`: the name of column `j`'s family and its index within it.
    pub fn col_label(&self, j: usize) -> String {
        label(&self.families, &self.col_family, j)
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
        self.explained(self.solve_on(backend, settings))
    }

    /// An infeasibility without named rows gets them from Clarabel's certificate.
    pub(crate) fn explained(&self, solved: Result<Solution>) -> Result<Solution> {
        match solved {
            Err(Error::Infeasible { rows }) if rows.is_empty() => Err(Error::infeasible(
                crate::clarabel_backend::infeasibility_certificate(self),
            )),
            other => other,
        }
    }

    /// One backend's solve, with what every backend shares done here once (see
    /// [`SparseLp::checked`]).
    fn solve_on(&self, backend: LpBackend, settings: &SolverSettings) -> Result<Solution> {
        self.checked(self.backend_solve(backend, settings), backend, settings)
    }

    /// What every backend's answer goes through: a time- or gap-limited incumbent is checked
    /// against the model before it is returned, and a backend that cannot tell infeasible from
    /// unbounded (CBC always, HiGHS's presolve sometimes) asks
    /// [`SparseLp::infeasible_or_unbounded`].
    pub(crate) fn checked(
        &self,
        solved: Result<Solution>,
        backend: LpBackend,
        settings: &SolverSettings,
    ) -> Result<Solution> {
        let solution = match solved {
            Err(Error::InfeasibleOrUnbounded) => {
                return Err(self.infeasible_or_unbounded(backend, settings))
            }
            other => other?,
        };
        let incumbent = matches!(
            solution.status,
            SolveStatus::TimeLimit | SolveStatus::GapLimit
        );
        if incumbent && !self.is_feasible(&solution.x, INCUMBENT_TOL) {
            // A limit stopped the search before it found a feasible point.
            return Err(Error::SolverStopped {
                backend: backend.name(),
                status: solution.status,
            });
        }
        Ok(solution)
    }

    /// Tells an infeasible model from an unbounded one by solving the same rows with a zero
    /// objective on the same backend: a feasible point there means the model was unbounded.
    fn infeasible_or_unbounded(&self, backend: LpBackend, settings: &SolverSettings) -> Error {
        if self.cost.iter().all(|&c| c == 0.0) {
            return Error::infeasible(Vec::new());
        }
        let mut rows_only = self.clone();
        rows_only.cost.iter_mut().for_each(|c| *c = 0.0);
        match rows_only.solve_on(backend, settings) {
            Ok(_) => Error::Unbounded,
            Err(e) => e,
        }
    }

    /// The columns of the matrix: for each column its `(row, value)` entries in row order,
    /// repeated entries summed (the form the simplex backends load).
    pub(crate) fn columns(&self) -> Vec<Vec<(usize, f64)>> {
        let mut cols = vec![Vec::new(); self.cost.len()];
        for &(i, j, a) in &self.entries {
            cols[j].push((i, a));
        }
        for col in &mut cols {
            col.sort_by_key(|&(i, _)| i);
            col.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 += later.1;
                }
                same
            });
        }
        cols
    }

    /// The rows of the matrix: for each row its `(column, value)` entries in insertion order.
    pub(crate) fn rows(&self) -> Vec<Vec<(usize, f64)>> {
        let mut rows = vec![Vec::new(); self.row_lower.len()];
        for &(i, j, a) in &self.entries {
            rows[i].push((j, a));
        }
        rows
    }

    pub(crate) fn backend_solve(
        &self,
        backend: LpBackend,
        settings: &SolverSettings,
    ) -> Result<Solution> {
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
            LpBackend::Clarabel => crate::clarabel_backend::solve(self, settings),
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
}
