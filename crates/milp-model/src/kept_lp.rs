//! A model kept in its solver between solves that differ only in column bounds.
//!
//! Searches such as CONSENT's departure bisection solve one model many times, each time with a
//! few columns fixed differently. A simplex solver can start each re-solve from the last optimal
//! basis, which stays dual feasible when only bounds change (a *hot start*): on the menu's models
//! HiGHS then needs tens of iterations where a fresh solve needs thousands (`docs/benchmarks.md`,
//! "CONSENT: all options for one arrival").
//!
//! Which optimal point a degenerate model returns depends on where the simplex starts, so a hot
//! solve may return another optimum than a fresh solve of the same bounds (same objective).
//! A fixed sequence of bound changes on the same model always gives the same points.

use crate::{Error, LpBackend, Result, Solution, SolverSettings, SparseLp};

/// A [`SparseLp`] kept loaded in its backend: change column bounds with
/// [`KeptLp::set_col_bounds`], then [`KeptLp::solve`].
///
/// HiGHS keeps one instance and re-solves from its last basis. CBC and Clarabel have no hot
/// start here: each solve is a fresh solve of the model with its current bounds, so the type can
/// be used with every backend. Every solve's status is mapped and checked exactly as
/// [`SparseLp::solve_with`] does; a failed solve is an error (the next solve then starts afresh).
///
/// ```
/// use evmech_milp_model::{KeptLp, LpBackend, SolverSettings, SparseLp};
///
/// // min x + 2y  s.t.  x + y >= 1,  0 <= x, y <= 1
/// let mut lp = SparseLp::default();
/// let x = lp.add_col(0.0, 1.0, 1.0);
/// let y = lp.add_col(0.0, 1.0, 2.0);
/// lp.add_row(1.0, f64::INFINITY, &[(x, 1.0), (y, 1.0)]);
/// let mut kept = KeptLp::new(lp, LpBackend::default(), SolverSettings::default())?;
/// assert!((kept.solve()?.objective - 1.0).abs() < 1e-9);
/// kept.set_col_bounds(x, 0.0, 0.0)?; // x fixed at zero: y must carry the row
/// assert!((kept.solve()?.objective - 2.0).abs() < 1e-9);
/// # Ok::<(), evmech_milp_model::Error>(())
/// ```
pub struct KeptLp {
    lp: SparseLp,
    backend: LpBackend,
    settings: SolverSettings,
    #[cfg(feature = "highs")]
    highs: Option<crate::highs_backend::Kept>,
}

impl std::fmt::Debug for KeptLp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptLp")
            .field("size", &self.lp.size())
            .field("backend", &self.backend)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl KeptLp {
    /// Validates `lp` and `settings` and loads the model into `backend` (HiGHS) or keeps it for
    /// fresh solves (the other backends). A backend the build lacks is refused as in
    /// [`SparseLp::solve_with`].
    pub fn new(lp: SparseLp, backend: LpBackend, settings: SolverSettings) -> Result<KeptLp> {
        settings.validate()?;
        lp.validate()?;
        if !backend.is_available() {
            // The refusal a solve gives, naming the missing feature (no work is done for a
            // backend the build lacks).
            lp.backend_solve(backend, &settings)?;
        }
        #[cfg(feature = "highs")]
        let highs = match backend {
            LpBackend::Highs => Some(crate::highs_backend::Kept::new(&lp, &settings)?),
            _ => None,
        };
        Ok(KeptLp {
            lp,
            backend,
            settings,
            #[cfg(feature = "highs")]
            highs,
        })
    }

    /// The model with its current bounds.
    pub fn lp(&self) -> &SparseLp {
        &self.lp
    }

    /// Sets column `j`'s bounds for the next solves. Refused, with nothing changed, when `j` is
    /// not a column, a bound is NaN, `lower > upper`, or the interval holds no finite value.
    pub fn set_col_bounds(&mut self, j: usize, lower: f64, upper: f64) -> Result<()> {
        let bad = |reason: String| Error::InvalidField {
            field: format!("col_bounds[{j}]"),
            reason,
        };
        if j >= self.lp.cost.len() {
            return Err(bad(format!("the model has {} columns", self.lp.cost.len())));
        }
        if lower.is_nan() || upper.is_nan() || lower > upper {
            return Err(bad(format!(
                "bounds [{lower}, {upper}] are not an interval"
            )));
        }
        if lower == f64::INFINITY || upper == f64::NEG_INFINITY {
            return Err(bad(format!("bounds [{lower}, {upper}] hold no value")));
        }
        if (self.lp.col_lower[j], self.lp.col_upper[j]) == (lower, upper) {
            return Ok(());
        }
        self.lp.col_lower[j] = lower;
        self.lp.col_upper[j] = upper;
        #[cfg(feature = "highs")]
        if let Some(kept) = self.highs.as_mut() {
            kept.set_col_bounds(j, lower, upper);
        }
        Ok(())
    }

    /// Solves the model with its current bounds (HiGHS: from the last basis).
    pub fn solve(&mut self) -> Result<Solution> {
        let solved = match self.kept_solve() {
            Some(solved) => solved,
            None => self.lp.backend_solve(self.backend, &self.settings),
        };
        self.lp
            .explained(self.lp.checked(solved, self.backend, &self.settings))
    }

    /// The hot solve, when the backend keeps an instance.
    #[cfg(feature = "highs")]
    fn kept_solve(&mut self) -> Option<Result<Solution>> {
        let lp = &self.lp;
        self.highs.as_mut().map(|kept| kept.solve(lp))
    }

    #[cfg(not(feature = "highs"))]
    fn kept_solve(&mut self) -> Option<Result<Solution>> {
        None
    }
}
