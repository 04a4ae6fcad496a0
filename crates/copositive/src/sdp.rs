//! The copositive dual over the PSD + NN inner cone, solved with Clarabel.
//!
//! Variables `(t, lambda, p, n)`: the welfare bound `t`, one multiplier per lifted constraint,
//! and the scaled svecs of `P` (PSD) and `N` (elementwise non-negative), subject to
//!
//! $$ S := C + t E_{00} + \sum_r \lambda_r M_r = P + N, \quad P \succeq 0,\ N \ge 0,\
//! \lambda_r \ge 0 \text{ for } \le \text{ rows}. $$
//!
//! Then `S` is copositive, and for every feasible `y = (1; x)` of the MILP,
//! `0 <= y'Sy = t - W(x)`: `t` is a welfare upper bound, minimised. (In the usual notation
//! `theta = -t`, `mu_r = -lambda_r` on linear rows and `nu_r = -lambda_r` on squared rows, so the
//! prices are `rho = lambda_linear`, `eta = lambda_squared`.)

use crate::conic::{min_eigenvalue, minimise_bound, smat, ConicData};
use crate::lift::Lift;
use crate::sym::svec_len;
use crate::{ConeSettings, DualSolution, Regularization, Result};
use clarabel::solver::SupportedConeT;
use evmech_milp_model::Sense;

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
    let (p0, q0) = (r, r + len);
    let mut data = ConicData::new(r + 2 * len);
    let mut rows: Vec<(Vec<(usize, f64)>, f64)> = (0..len)
        .map(|c| (vec![(p0 + c, -1.0), (q0 + c, -1.0)], 0.0))
        .collect();
    for (c, v) in lift.objective.svec() {
        rows[c].1 = -v;
    }
    for (k, con) in lift.constraints.iter().enumerate() {
        for (c, v) in con.matrix.svec() {
            rows[c].0.push((k, v));
        }
    }
    data.push_block(rows, SupportedConeT::ZeroConeT);
    let psd = (0..len).map(|c| (vec![(p0 + c, -1.0)], 0.0)).collect();
    data.push_block(psd, |_| SupportedConeT::PSDTriangleConeT(n1));
    let nonneg = (0..len)
        .map(|c| q0 + c)
        .chain((0..r).filter(|&k| lift.constraints[k].sense == Sense::Le))
        .map(|v| (vec![(v, -1.0)], 0.0))
        .collect();
    data.push_block(nonneg, SupportedConeT::NonnegativeConeT);
    let point = minimise_bound(data, settings, regularization)?;
    let x = &point.x;
    let psd = smat(&x[p0..p0 + len], n1);
    let nn = smat(&x[q0..q0 + len], n1);
    Ok(DualSolution {
        status: point.status,
        bound: x[0],
        multipliers: x[..r].to_vec(),
        min_eig: min_eigenvalue(&psd),
        min_linear: if n1 == 0 { 0.0 } else { nn.min() },
        s: psd + nn,
        solve_seconds: point.seconds,
    })
}
