//! The one place that runs Clarabel: LPs of [`crate::SparseLp`] and the conic duals of
//! `evmech-copositive` both come here, so Clarabel's settings and its status mapping are written
//! once.

use crate::{Error, Result, SolveStatus};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};

/// Clarabel settings of one solve; `None` keeps Clarabel's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConicSettings {
    /// Iteration cap.
    pub max_iter: Option<u32>,
    /// Wall-clock cap, seconds.
    pub time_limit_s: Option<f64>,
    /// Threads of the sparse factorisation.
    pub max_threads: Option<u32>,
    /// The KKT solver: `"qdldl"` or `"faer"` (supernodal).
    pub direct_solve_method: Option<String>,
    /// Whether Clarabel decomposes sparse PSD cones over the cliques of a chordal extension
    /// (`None`: Clarabel's default, on).
    pub chordal_decomposition: Option<bool>,
}

/// A finished Clarabel run: the mapped status and Clarabel's primal and dual iterates, whatever
/// the status (the caller decides what a status allows it to use).
#[derive(Debug, Clone, PartialEq)]
pub struct ConicRun {
    /// The mapped status.
    pub status: SolveStatus,
    /// `1/2 x'Px + q'x` at `x`.
    pub objective: f64,
    /// Primal point.
    pub x: Vec<f64>,
    /// Dual point (one entry per row of `A`).
    pub z: Vec<f64>,
    /// Clarabel's solve time, seconds.
    pub seconds: f64,
}

/// Runs Clarabel on `min 1/2 x'Px + q'x  s.t.  A x + s = b, s in cones`.
///
/// Only a set-up failure (bad dimensions, bad settings) is an error; every solver status is
/// returned in [`ConicRun::status`].
pub fn run_clarabel(
    p: &CscMatrix<f64>,
    q: &[f64],
    a: &CscMatrix<f64>,
    b: &[f64],
    cones: &[SupportedConeT<f64>],
    settings: &ConicSettings,
) -> Result<ConicRun> {
    let failed = |message: String| Error::SolverFailed {
        backend: "clarabel",
        message,
    };
    let mut builder = DefaultSettingsBuilder::default();
    builder.verbose(false);
    if let Some(n) = settings.max_iter {
        builder.max_iter(n);
    }
    if let Some(t) = settings.time_limit_s {
        builder.time_limit(t);
    }
    if let Some(n) = settings.max_threads {
        builder.max_threads(n);
    }
    if let Some(method) = &settings.direct_solve_method {
        builder.direct_solve_method(method.clone());
    }
    if let Some(on) = settings.chordal_decomposition {
        builder.chordal_decomposition_enable(on);
    }
    let built = builder.build().map_err(|e| failed(e.to_string()))?;
    let mut solver =
        DefaultSolver::new(p, q, a, b, cones, built).map_err(|e| failed(e.to_string()))?;
    solver.solve();
    let sol = &solver.solution;
    Ok(ConicRun {
        status: SolveStatus::from(sol.status),
        objective: sol.obj_val,
        x: sol.x.clone(),
        z: sol.z.clone(),
        seconds: sol.solve_time,
    })
}

/// The data of a conic program `A v + s = b`, `s` in `cones`, assembled row by row over `nvar`
/// variables: the one builder of Clarabel data in evmech.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConicData {
    /// Row index of each non-zero of `A`.
    pub rows: Vec<usize>,
    /// Column index of each non-zero of `A`.
    pub cols: Vec<usize>,
    /// Value of each non-zero of `A`.
    pub vals: Vec<f64>,
    /// Right-hand side, one entry per row.
    pub b: Vec<f64>,
    /// The cones, covering the rows in order.
    pub cones: Vec<SupportedConeT<f64>>,
    /// Number of variables.
    pub nvar: usize,
    /// Rows already covered by `cones`.
    covered: usize,
}

impl ConicData {
    /// An empty program over `nvar` variables.
    pub fn new(nvar: usize) -> Self {
        ConicData {
            nvar,
            ..ConicData::default()
        }
    }

    /// Appends the row `sign * terms . v + s = rhs` (its cone is added separately, by
    /// [`ConicData::close_cone`]) and returns its index.
    pub fn push(&mut self, terms: &[(usize, f64)], sign: f64, rhs: f64) -> usize {
        let r = self.b.len();
        for &(j, a) in terms {
            self.rows.push(r);
            self.cols.push(j);
            self.vals.push(sign * a);
        }
        self.b.push(rhs);
        r
    }

    /// Puts the rows pushed since the last cone into one cone made by `cone(len)` (nothing when
    /// there are none).
    pub fn close_cone(&mut self, cone: impl FnOnce(usize) -> SupportedConeT<f64>) {
        let len = self.b.len() - self.covered;
        if len > 0 {
            self.cones.push(cone(len));
            self.covered = self.b.len();
        }
    }

    /// Appends `rows` (`terms . v + s = rhs`) with their `s` in one cone made by `cone(len)`.
    pub fn push_block(
        &mut self,
        rows: Vec<(Vec<(usize, f64)>, f64)>,
        cone: impl FnOnce(usize) -> SupportedConeT<f64>,
    ) {
        for (terms, rhs) in rows {
            self.push(&terms, 1.0, rhs);
        }
        self.close_cone(cone);
    }

    /// The matrix `A`.
    pub fn matrix(&self) -> CscMatrix<f64> {
        CscMatrix::new_from_triplets(
            self.b.len(),
            self.nvar,
            self.rows.clone(),
            self.cols.clone(),
            self.vals.clone(),
        )
    }
}
