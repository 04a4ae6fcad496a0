//! A solver-neutral sparse LP/MILP (`min c'x` with column and row bounds) and its two backends:
//! Clarabel (interior point, LPs only) and CBC (simplex via Clp, branch and bound for integers).

use crate::{ConicStatus, Error, Result};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Which solver runs a [`SparseLp`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LpBackend {
    /// CBC (Clp's simplex for LPs, branch and bound for integer columns). The default: it was
    /// the faster of the two on the charging models (`docs/benchmarks.md`).
    #[default]
    Cbc,
    /// Clarabel's interior-point method. LPs only: integer columns are refused.
    Clarabel,
}

/// How accurate a returned point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LpQuality {
    /// Proven optimal within the backend's default tolerances.
    Optimal,
    /// Clarabel's reduced-accuracy point (`AlmostSolved`). Callers that need optimality (the
    /// property tests, strategy-proofness) must refuse it.
    ReducedAccuracy,
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

/// An optimal (or reduced-accuracy) point of a [`SparseLp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LpPoint {
    /// Accuracy of the point.
    pub quality: LpQuality,
    /// Objective value, constant included.
    pub objective: f64,
    /// Column values.
    pub x: Vec<f64>,
    /// Clarabel only (`None` from CBC): the dual of each row, the rate of change of the minimum
    /// per unit increase of the row's active bound (`<= 0` on an upper bound, `>= 0` on a
    /// lower bound, free on an equality).
    pub row_duals: Option<Vec<f64>>,
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

    /// Solves with `backend`. Infeasible, unbounded and failed solves are errors; a
    /// reduced-accuracy Clarabel point is returned with [`LpQuality::ReducedAccuracy`].
    pub fn solve(&self, backend: LpBackend) -> Result<LpPoint> {
        match backend {
            LpBackend::Cbc => self.solve_cbc(),
            LpBackend::Clarabel => self.solve_clarabel(),
        }
    }

    fn solve_clarabel(&self) -> Result<LpPoint> {
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
        for j in 0..n {
            if self.col_upper[j].is_finite() {
                conic.push(&[(j, 1.0)], 1.0, self.col_upper[j]);
            }
            if self.col_lower[j].is_finite() {
                conic.push(&[(j, 1.0)], -1.0, -self.col_lower[j]);
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
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let mut solver = DefaultSolver::new(&p, &self.cost, &a, &conic.b, &cones, settings)
            .map_err(|e| failed(e.to_string()))?;
        solver.solve();
        let sol = &solver.solution;
        let quality = match ConicStatus::from(sol.status) {
            ConicStatus::Solved => LpQuality::Optimal,
            ConicStatus::Inaccurate => LpQuality::ReducedAccuracy,
            ConicStatus::PrimalInfeasible | ConicStatus::InaccuratePrimalInfeasible => {
                return Err(Error::Infeasible)
            }
            ConicStatus::DualInfeasible | ConicStatus::InaccurateDualInfeasible => {
                return Err(Error::Unbounded)
            }
            status => return Err(Error::ConicFailed { status }),
        };
        let z = |r: Option<usize>| r.map_or(0.0, |r| sol.z[r]);
        Ok(LpPoint {
            quality,
            objective: sol.obj_val + self.cost_constant,
            x: sol.x.clone(),
            row_duals: Some(sides.iter().map(|&(up, lo)| z(lo) - z(up)).collect()),
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    fn solve_cbc(&self) -> Result<LpPoint> {
        let start = Instant::now();
        let n = self.cost.len();
        let mut by_col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for &(i, j, a) in &self.entries {
            by_col[j].push((i, a));
        }
        let (mut starts, mut index, mut value) = (vec![0i32], Vec::new(), Vec::new());
        for col in &mut by_col {
            col.sort_by_key(|&(i, _)| i);
            let begin = index.len();
            for &(i, a) in col.iter() {
                if index.len() > begin && index.last() == Some(&(i as i32)) {
                    *value.last_mut().expect("an entry was pushed") += a;
                } else {
                    index.push(i as i32);
                    value.push(a);
                }
            }
            starts.push(index.len() as i32);
        }
        let finite =
            |v: &[f64]| -> Vec<f64> { v.iter().map(|&x| x.clamp(-f64::MAX, f64::MAX)).collect() };
        let mut model = coin_cbc::raw::Model::new();
        model.load_problem(
            n,
            self.row_lower.len(),
            &starts,
            &index,
            &value,
            Some(&finite(&self.col_lower)),
            Some(&finite(&self.col_upper)),
            Some(&self.cost),
            Some(&finite(&self.row_lower)),
            Some(&finite(&self.row_upper)),
        );
        for (j, &is_int) in self.integer.iter().enumerate() {
            if is_int {
                model.set_integer(j);
            }
        }
        model.set_obj_sense(coin_cbc::Sense::Minimize);
        let param = |m: &mut coin_cbc::raw::Model, k: &str, v: &str| {
            let k = std::ffi::CString::new(k).expect("no NUL in parameter names");
            let v = std::ffi::CString::new(v).expect("no NUL in parameter values");
            m.set_parameter(&k, &v);
        };
        model.set_log_level(0);
        param(&mut model, "log", "0");
        param(&mut model, "slog", "0");
        param(&mut model, "threads", "1");
        param(&mut model, "ratioGap", "0");
        param(&mut model, "allowableGap", "0");
        model.solve();
        if model.is_proven_optimal() {
            let x = model.col_solution().to_vec();
            let objective =
                x.iter().zip(&self.cost).map(|(x, c)| x * c).sum::<f64>() + self.cost_constant;
            return Ok(LpPoint {
                quality: LpQuality::Optimal,
                objective,
                x,
                row_duals: None,
                seconds: start.elapsed().as_secs_f64(),
            });
        }
        if model.is_proven_infeasible() || model.is_initial_solve_proven_primal_infeasible() {
            return Err(Error::Infeasible);
        }
        if model.is_continuous_unbounded() {
            return Err(Error::Unbounded);
        }
        Err(Error::SolverFailed {
            backend: "cbc",
            message: format!(
                "not proven optimal (status {:?}, secondary {:?})",
                model.status(),
                model.secondary_status()
            ),
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
