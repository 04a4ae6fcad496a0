//! The copositive dual over the PSD + NN inner cone, solved with Clarabel.
//!
//! Variables `(t, lambda, p, n)`: the welfare bound `t`, one multiplier per lifted constraint,
//! and the scaled svecs of `P` (PSD) and `N` (elementwise non-negative), subject to
//!
//! $$ S := C + t E_{00} + \sum_r \lambda_r M_r = P + N, \quad P \succeq 0,\ N \ge 0,\
//! \lambda_r \ge 0 \text{ for } \le \text{ rows}. $$
//!
//! Then `S` is copositive, and for every feasible `y = (1; x)` of the MILP,
//! `0 <= y'Sy = t - W(x)`: `t` is a welfare upper bound, minimised. (In the spec's notation
//! `theta = -t`, `mu_r = -lambda_r` on linear rows and `nu_r = -lambda_r` on squared rows, so the
//! prices are `rho = lambda_linear`, `eta = lambda_squared`.)

use crate::lift::Lift;
use crate::sym::{svec_index, svec_len};
use crate::{Error, Result, SolveStatus};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
use evmech_milp_model::Sense;
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
}

impl Default for ConeSettings {
    fn default() -> Self {
        ConeSettings {
            max_iter: 200,
            time_limit_s: 600.0,
            kkt_solver: "faer",
        }
    }
}

/// A solved dual: bound, multipliers and the certificate matrices.
#[derive(Debug, Clone, PartialEq)]
pub struct DualSolution {
    /// Solver status (`Solved` or `Inaccurate`; other statuses are errors).
    pub status: SolveStatus,
    /// The welfare upper bound `t = -theta`.
    pub bound: f64,
    /// Multiplier of each lifted constraint (index 0, the normalisation, holds `t`).
    pub multipliers: Vec<f64>,
    /// `P` (PSD part of the certificate).
    pub psd: DMatrix<f64>,
    /// `N` (non-negative part of the certificate).
    pub nn: DMatrix<f64>,
    /// Solver time, seconds.
    pub solve_seconds: f64,
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
}

fn smat(v: &[f64], n: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(n, n);
    for j in 0..n {
        for i in 0..=j {
            let x = v[svec_index(i, j)];
            let x = if i == j {
                x
            } else {
                x / std::f64::consts::SQRT_2
            };
            m[(i, j)] = x;
            m[(j, i)] = x;
        }
    }
    m
}

/// Solves the PSD + NN dual of `lift`, optionally with price regularisation.
pub fn solve_psd_nn(
    lift: &Lift,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let n1 = lift.n1();
    let len = svec_len(n1);
    let r = lift.constraints.len();
    // Variable layout: [lambda_0 = t, lambda_1..lambda_{r-1}, p (len), n (len)].
    let p0 = r;
    let q0 = r + len;
    let nvar = r + 2 * len;
    let (mut ri, mut cj, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    let mut b = vec![0.0; len];
    for (c, v) in lift.objective.svec() {
        b[c] = -v;
    }
    for (k, con) in lift.constraints.iter().enumerate() {
        for (c, v) in con.matrix.svec() {
            ri.push(c);
            cj.push(k);
            vals.push(v);
        }
    }
    for c in 0..len {
        ri.extend([c, c]);
        cj.extend([p0 + c, q0 + c]);
        vals.extend([-1.0, -1.0]);
    }
    let mut row = len;
    let mut cones = vec![SupportedConeT::ZeroConeT(len)];
    for c in 0..len {
        ri.push(row + c);
        cj.push(p0 + c);
        vals.push(-1.0);
    }
    b.extend(std::iter::repeat_n(0.0, len));
    row += len;
    cones.push(SupportedConeT::PSDTriangleConeT(n1));
    let ineq: Vec<usize> = (0..r)
        .filter(|&k| lift.constraints[k].sense == Sense::Le)
        .collect();
    let mut nonneg = 0;
    for c in 0..len {
        ri.push(row + nonneg);
        cj.push(q0 + c);
        vals.push(-1.0);
        nonneg += 1;
    }
    for &k in &ineq {
        ri.push(row + nonneg);
        cj.push(k);
        vals.push(-1.0);
        nonneg += 1;
    }
    b.extend(std::iter::repeat_n(0.0, nonneg));
    cones.push(SupportedConeT::NonnegativeConeT(nonneg));
    let m = row + nonneg;
    let a = CscMatrix::new_from_triplets(m, nvar, ri, cj, vals);
    let point = minimise_bound(&a, &b, &cones, settings, regularization)?;
    let x = &point.x;
    Ok(DualSolution {
        status: point.status,
        bound: x[0],
        multipliers: x[..r].to_vec(),
        psd: smat(&x[p0..p0 + len], n1),
        nn: smat(&x[q0..q0 + len], n1),
        solve_seconds: point.seconds,
    })
}

/// Minimises the bound `t` (variable 0) subject to `Av + s = b, s in cones`, plus the
/// [`Regularization`] if any. A dual without a feasible point is an error, never a default.
pub(crate) fn minimise_bound(
    a: &CscMatrix<f64>,
    b: &[f64],
    cones: &[SupportedConeT<f64>],
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<ConicPoint> {
    let nvar = a.n;
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
    run_clarabel(&p, &q, a, b, cones, settings)?.ok_or(Error::Solver {
        status: SolveStatus::PrimalInfeasible,
    })
}

/// A finished Clarabel solve with a usable point.
pub(crate) struct ConicPoint {
    pub(crate) status: SolveStatus,
    pub(crate) x: Vec<f64>,
    pub(crate) seconds: f64,
}

/// Runs Clarabel on `min 1/2 v'Pv + q'v s.t. Av + s = b, s in cones` and maps its status:
/// `Solved` and `Inaccurate` give the point, primal infeasibility gives `Ok(None)`, anything else
/// is an error.
pub(crate) fn run_clarabel(
    p: &CscMatrix<f64>,
    q: &[f64],
    a: &CscMatrix<f64>,
    b: &[f64],
    cones: &[SupportedConeT<f64>],
    settings: &ConeSettings,
) -> Result<Option<ConicPoint>> {
    let clarabel_settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .max_iter(settings.max_iter)
        .time_limit(settings.time_limit_s)
        .direct_solve_method(settings.kkt_solver.to_string())
        .build()
        .map_err(|e| Error::SolverSetup(e.to_string()))?;
    let mut solver = DefaultSolver::new(p, q, a, b, cones, clarabel_settings)
        .map_err(|e| Error::SolverSetup(e.to_string()))?;
    solver.solve();
    let sol = &solver.solution;
    match SolveStatus::from(sol.status) {
        status @ (SolveStatus::Solved | SolveStatus::Inaccurate) => Ok(Some(ConicPoint {
            status,
            x: sol.x.clone(),
            seconds: sol.solve_time,
        })),
        SolveStatus::PrimalInfeasible | SolveStatus::InaccuratePrimalInfeasible => Ok(None),
        status => Err(Error::Solver { status }),
    }
}
