//! What every inner-cone dual shares: Clarabel settings, the solved dual, price regularisation,
//! a floor on the bound, and the status mapping.

use crate::{Error, Result, SolveStatus};
use clarabel::algebra::CscMatrix;
use clarabel::solver::SupportedConeT;
use nalgebra::DMatrix;

/// Clarabel settings used for the conic solves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConeSettings {
    /// Iteration cap.
    pub max_iter: u32,
    /// Wall-clock cap, seconds.
    pub time_limit_s: f64,
    /// Clarabel's KKT solver: `"faer"` (default: supernodal, multithreaded) or `"qdldl"`.
    pub kkt_solver: &'static str,
    /// Threads of one solve's KKT factorisation (faer's), at least 1 ([`crate::price`] refuses
    /// 0; a solve function called directly runs 0 as 1, never as Clarabel's "every core").
    ///
    /// The default, 1, makes every solve's arithmetic the same on any machine and any rayon
    /// pool, so the same instance gets the same prices, byte for byte: the copositive dual is
    /// often degenerate (many optimal multipliers), and a parallel factorisation, which sums in
    /// an order that depends on the thread count, lands on another optimal face (Example B's
    /// payments moved by up to 0.04 USD between 1, 2 and 4 threads). Independent components of
    /// an instance still run side by side on the current rayon pool. More threads speed up one
    /// large solve; its prices may then depend on the thread count.
    pub threads: u32,
    /// Under [`InnerCone::SparsePsdNn`](crate::InnerCone::SparsePsdNn): write one PSD cone per
    /// clique of the chordal extension ourselves (`S = sum_k E_k P_k E_k' + N`, each `P_k` PSD of
    /// the clique's order) and turn Clarabel's decomposition off, instead of one PSD cone of
    /// order `n1` whose rows are zero off the cliques, which Clarabel decomposes (and may merge
    /// cliques of). The same cone by Agler's theorem; measured against each other in
    /// `docs/copositive.md`. Default `false` (Clarabel's).
    pub own_cliques: bool,
}

impl Default for ConeSettings {
    fn default() -> Self {
        ConeSettings {
            max_iter: 200,
            time_limit_s: 600.0,
            kkt_solver: "faer",
            threads: 1,
            own_cliques: false,
        }
    }
}

/// A solved dual: bound, multipliers and the certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct DualSolution {
    /// Solver status (`Solved` or `Inaccurate`; other statuses are errors).
    pub status: SolveStatus,
    /// The welfare upper bound `t = -theta`.
    pub bound: f64,
    /// Multiplier of each lifted constraint (index 0, the normalisation, holds `t`).
    pub multipliers: Vec<f64>,
    /// The certified copositive matrix `S = C + t E_00 + sum_r lambda_r M_r`, stored by its
    /// non-zero upper-triangle entries (an LP certificate has only row 0; a dense cone's is full).
    pub s: crate::SymSparse,
    /// Smallest eigenvalue over the PSD parts of the certificate (0 for the polyhedral cone,
    /// which has none).
    pub min_eig: f64,
    /// Smallest value of the certificate's linear cone conditions (entries of `N` for PSD + NN,
    /// the `C^1` inequalities, or `K^1`'s inequalities and equality residuals).
    pub min_linear: f64,
    /// Solver time, seconds (of every attempt, when the solve was polished).
    pub solve_seconds: f64,
    /// The solver's own bound `t`; `bound = raw_bound + repair`.
    pub raw_bound: f64,
    /// What the repair added to the solver's bound to make it rigorous (PSD + NN cones; 0 for
    /// the others). See `docs/copositive.md`, "Polish and repair".
    pub repair: f64,
    /// Whether the bound is proven: the repair succeeded (PSD + NN cones), or the solver ended at
    /// full accuracy (the other cones, which are not repaired).
    pub certified: bool,
}

impl DualSolution {
    /// The status of the certificate: `Optimal` when the bound is proven (after the repair,
    /// whatever the solver's accuracy), the solver's status otherwise.
    pub fn certificate_status(&self) -> SolveStatus {
        if self.certified {
            SolveStatus::Optimal
        } else {
            self.status
        }
    }
}

/// Price regularisation: minimise `t + weight * sum_{r in priced} lambda_r^2` instead of `t`.
///
/// The dual optimum is not unique; the regularised objective is strictly convex in the prices, so
/// they are unique and reproducible. Any feasible point is still a valid certificate, so the
/// bound stays an upper bound and the gap it leaves is measured, never hidden; with a small
/// weight it moves the bound by at most `weight * |prices|^2`.
#[derive(Debug, Clone, PartialEq)]
pub struct Regularization {
    /// Weight of the squared prices.
    pub weight: f64,
    /// Constraint indices whose multipliers are prices.
    pub priced: Vec<usize>,
    /// Lower limit on the bound `t` (`None`: unlimited). A region of a branched instance with no
    /// feasible point has an unbounded dual; any certificate with `t` at the floor serves.
    pub floor: Option<f64>,
}

/// The data of one conic program `min t (+ regularisation) s.t. A v + s = b, s in cones`,
/// assembled row by row with the workspace's one Clarabel data builder; variable 0 is the bound
/// `t`.
pub(crate) use evmech_milp_model::conic::ConicData;

/// Minimises the bound `t` (variable 0) over `data`, plus the [`Regularization`] if any. A dual
/// without a feasible point is an error, never a default.
pub(crate) fn minimise_bound(
    mut data: ConicData,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<ConicPoint> {
    if let Some(floor) = regularization.and_then(|r| r.floor) {
        data.push_block(
            vec![(vec![(0, -1.0)], -floor)],
            SupportedConeT::NonnegativeConeT,
        );
    }
    let nvar = data.nvar;
    let mut q = vec![0.0; nvar];
    q[0] = 1.0;
    let p = match regularization {
        Some(reg) if reg.weight > 0.0 => {
            let idx = reg.priced.clone();
            let diag = vec![2.0 * reg.weight; idx.len()];
            CscMatrix::new_from_triplets(nvar, nvar, idx.clone(), idx, diag)
        }
        _ => CscMatrix::zeros((nvar, nvar)),
    };
    let a = data.matrix();
    match run_clarabel(&p, &q, &a, &data.b, &data.cones, settings)? {
        ConicOutcome::Point(point) => Ok(point),
        ConicOutcome::Infeasible { status } => Err(Error::Solver { status }),
    }
}

/// How a Clarabel solve ended when it did not fail outright.
pub(crate) enum ConicOutcome {
    /// A point at full (`Solved`) or reduced (`Inaccurate`) accuracy.
    Point(ConicPoint),
    /// No feasible point: `PrimalInfeasible` (a certificate at full accuracy) or
    /// `InaccuratePrimalInfeasible` (a certificate at reduced accuracy, which proves nothing).
    /// Callers must keep the two apart: only the first says "there is no point".
    Infeasible {
        /// The mapped status.
        status: SolveStatus,
    },
}

/// A finished Clarabel solve with a usable point.
pub(crate) struct ConicPoint {
    pub(crate) status: SolveStatus,
    pub(crate) x: Vec<f64>,
    pub(crate) seconds: f64,
}

/// Runs Clarabel on `min 1/2 v'Pv + q'v s.t. Av + s = b, s in cones` and maps its status:
/// `Solved` and `Inaccurate` give the point, a primal-infeasibility certificate (at full or
/// reduced accuracy, kept apart) gives [`ConicOutcome::Infeasible`], anything else is an error.
pub(crate) fn run_clarabel(
    p: &CscMatrix<f64>,
    q: &[f64],
    a: &CscMatrix<f64>,
    b: &[f64],
    cones: &[SupportedConeT<f64>],
    settings: &ConeSettings,
) -> Result<ConicOutcome> {
    let conic_settings = evmech_milp_model::conic::ConicSettings {
        max_iter: Some(settings.max_iter),
        time_limit_s: Some(settings.time_limit_s),
        max_threads: Some(settings.threads.max(1)),
        direct_solve_method: Some(settings.kkt_solver.to_string()),
        // Our own clique cones are already small; Clarabel's decomposition stays off for them.
        chordal_decomposition: settings.own_cliques.then_some(false),
    };
    let run = evmech_milp_model::conic::run_clarabel(p, q, a, b, cones, &conic_settings)
        .map_err(|e| Error::SolverSetup(e.to_string()))?;
    let status = run.status;
    match classify(status) {
        Some(Classified::Point) => Ok(ConicOutcome::Point(ConicPoint {
            status,
            x: run.x,
            seconds: run.seconds,
        })),
        Some(Classified::Infeasible) => Ok(ConicOutcome::Infeasible { status }),
        None => Err(Error::Solver { status }),
    }
}

/// What a status allows a caller to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Classified {
    /// The solver's point is usable (with its accuracy shown).
    Point,
    /// The solver reports primal infeasibility (see the status for how certain).
    Infeasible,
}

/// The one place that decides which statuses carry a point and which report infeasibility;
/// `None` is a failure.
pub(crate) fn classify(status: SolveStatus) -> Option<Classified> {
    match status {
        SolveStatus::Optimal | SolveStatus::Inaccurate => Some(Classified::Point),
        SolveStatus::Infeasible | SolveStatus::InaccurateInfeasible => Some(Classified::Infeasible),
        _ => None,
    }
}

/// The rows `S_ij - sum_r lambda_r (M_r)_ij = C_ij` that define explicit, unscaled upper-triangle
/// entries of `S` (variables `s0 + svec_index(i, j)`) from the multipliers (variables `0..r`).
pub(crate) fn s_definition(lift: &crate::Lift, s0: usize) -> Vec<(Vec<(usize, f64)>, f64)> {
    use crate::sym::{svec_index, svec_len};
    let len = svec_len(lift.n1());
    let mut rows: Vec<(Vec<(usize, f64)>, f64)> =
        (0..len).map(|c| (vec![(s0 + c, 1.0)], 0.0)).collect();
    for (i, j, v) in lift.objective.upper_entries() {
        rows[svec_index(i, j)].1 = v;
    }
    for (k, con) in lift.constraints.iter().enumerate() {
        for (i, j, v) in con.matrix.upper_entries() {
            rows[svec_index(i, j)].0.push((k, -v));
        }
    }
    rows
}

/// The symmetric matrix of the unscaled upper-triangle values `v` (svec order).
pub(crate) fn unscaled_mat(v: &[f64], n: usize) -> DMatrix<f64> {
    use crate::sym::svec_index;
    DMatrix::from_fn(n, n, |i, j| v[svec_index(i, j)])
}

/// The symmetric matrix of a scaled svec `v` (off-diagonals divided by `sqrt 2`).
pub(crate) fn smat(v: &[f64], n: usize) -> DMatrix<f64> {
    use crate::sym::svec_index;
    DMatrix::from_fn(n, n, |i, j| {
        let x = v[svec_index(i, j)];
        if i == j {
            x
        } else {
            x / std::f64::consts::SQRT_2
        }
    })
}

/// Smallest eigenvalue of a symmetric matrix (0 for an empty one).
pub(crate) fn min_eigenvalue(m: &DMatrix<f64>) -> f64 {
    if m.nrows() == 0 {
        return 0.0;
    }
    nalgebra::SymmetricEigen::new(m.clone()).eigenvalues.min()
}

#[cfg(test)]
mod tests {
    use super::{classify, Classified};
    use crate::SolveStatus;

    /// Every status has one meaning; a reduced-accuracy infeasibility is reported as such (the
    /// status travels with [`super::ConicOutcome::Infeasible`]) and never as a point.
    #[test]
    fn every_status_is_classified() {
        use SolveStatus::*;
        let cases = [
            (Optimal, Some(Classified::Point)),
            (Inaccurate, Some(Classified::Point)),
            (Infeasible, Some(Classified::Infeasible)),
            (InaccurateInfeasible, Some(Classified::Infeasible)),
            (Unbounded, None),
            (InaccurateUnbounded, None),
            (IterationLimit, None),
            (TimeLimit, None),
            (GapLimit, None),
            (NumericalError, None),
            (InsufficientProgress, None),
            (Interrupted, None),
            (NotSolved, None),
        ];
        for (status, want) in cases {
            assert_eq!(classify(status), want, "{status:?}");
        }
    }
}
