//! The copositive dual over the polyhedral inner cone C^1 of de Klerk and Pasechnik: an LP.
//!
//! `S` is in `C^1` when every coefficient of `(sum_i x_i) x'Sx` is non-negative:
//! `S_ii >= 0`, `S_ii + 2 S_ij >= 0` (`i != j`) and `S_ij + S_ik + S_jk >= 0` (distinct `i, j, k`).
//! Then `x'Sx >= 0` on the simplex, so `S` is copositive. The LP has no PSD block, so it scales
//! to lifts where the SDP's dense KKT block does not fit; it is weaker, and the gap says by how
//! much.

use crate::conic::{minimise_bound, s_definition, unscaled_mat, ConicData};
use crate::lift::Lift;
use crate::sym::{svec_index, svec_len};
use crate::{ConeSettings, DualSolution, Regularization, Result};
use clarabel::solver::SupportedConeT;
use evmech_milp_model::Sense;
use nalgebra::DMatrix;

/// Number of C^1 inequalities for an `n x n` matrix.
pub fn c1_inequalities(n: usize) -> usize {
    n + n * n.saturating_sub(1) + n * n.saturating_sub(1) * n.saturating_sub(2) / 6
}

/// The `C^1` inequalities on the upper-triangle entries of an `n x n` matrix, as lists of
/// `(svec position, coefficient)`.
fn c1_terms(n: usize) -> Vec<Vec<(usize, f64)>> {
    let s = svec_index;
    let mut out = Vec::with_capacity(c1_inequalities(n));
    for i in 0..n {
        out.push(vec![(s(i, i), 1.0)]);
        for j in (0..n).filter(|&j| j != i) {
            out.push(vec![(s(i, i), 1.0), (s(i, j), 2.0)]);
        }
    }
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                out.push(vec![(s(i, j), 1.0), (s(i, k), 1.0), (s(j, k), 1.0)]);
            }
        }
    }
    out
}

/// Solves the C^1 dual of `lift`, optionally with price regularisation.
///
/// The returned certificate's `min_linear` is the smallest `C^1` inequality value of `S`
/// ([`c1_min_slack`]); there is no PSD part.
pub fn solve_c1(
    lift: &Lift,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let n1 = lift.n1();
    let len = svec_len(n1);
    let r = lift.constraints.len();
    // Variables: [lambda_0 = t, lambda_1.., S entries (upper triangle, unscaled)].
    let s0 = r;
    let mut data = ConicData::new(r + len);
    data.push_block(s_definition(lift, s0), SupportedConeT::ZeroConeT);
    let ineq = c1_terms(n1)
        .into_iter()
        .map(|t| t.into_iter().map(|(c, a)| (s0 + c, -a)).collect())
        .chain(
            (0..r)
                .filter(|&k| lift.constraints[k].sense == Sense::Le)
                .map(|k| vec![(k, -1.0)]),
        )
        .map(|t| (t, 0.0))
        .collect();
    data.push_block(ineq, SupportedConeT::NonnegativeConeT);
    let point = minimise_bound(data, settings, regularization)?;
    let s = unscaled_mat(&point.x[s0..s0 + len], n1);
    let x0 = point.x[0];
    Ok(DualSolution {
        status: point.status,
        bound: point.x[0],
        multipliers: point.x[..r].to_vec(),
        min_eig: 0.0,
        min_linear: c1_min_slack(&s),
        s: crate::SymSparse::from_dense(&s),
        solve_seconds: point.seconds,
        raw_bound: x0,
        repair: 0.0,
        certified: point.status == crate::SolveStatus::Optimal,
    })
}

/// Smallest C^1 inequality value of `s` (`>= 0` means `s` is certified copositive).
pub fn c1_min_slack(s: &DMatrix<f64>) -> f64 {
    let n = s.nrows();
    let at = crate::sym::svec_positions(n);
    c1_terms(n)
        .iter()
        .map(|t| t.iter().map(|&(c, a)| a * s[at[c]]).sum::<f64>())
        .fold(if n == 0 { 0.0 } else { f64::INFINITY }, f64::min)
}
