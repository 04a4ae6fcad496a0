//! The copositive dual over Parrilo's inner cone `K^1` (an SDP with one block per coordinate).
//!
//! `S` is in `K^1_n` when there are symmetric `M^1..M^n` with (Bomze and de Klerk's form)
//!
//! - `S - M^i` positive semidefinite for every `i`,
//! - `M^i_ii = 0`, `M^i_jj + 2 M^j_ij = 0` (`i != j`),
//! - `M^i_jk + M^j_ik + M^k_ij >= 0` (`i < j < k`).
//!
//! Then `(sum_i x_i^2) (x o x)' S (x o x)` is a sum of squares, so `S` is copositive. `K^1`
//! contains PSD + NN (`K^0`), so its bound is never worse; it costs `n` PSD blocks of order `n`
//! and `O(n^3)` inequalities, which limits it to small lifts.

use crate::conic::{min_eigenvalue, minimise_bound, s_definition, smat, unscaled_mat, ConicData};
use crate::lift::Lift;
use crate::sym::{svec_index, svec_len};
use crate::{ConeSettings, DualSolution, Regularization, Result};
use clarabel::solver::SupportedConeT;
use evmech_milp_model::Sense;
use nalgebra::DMatrix;
use std::f64::consts::SQRT_2;

/// Solves the `K^1` dual of `lift`, optionally with price regularisation.
///
/// The certificate's `min_eig` is the smallest eigenvalue over the blocks `S - M^i`;
/// `min_linear` is the smallest of the triple inequalities and the negated largest equality
/// residual (see [`k1_min_linear`]).
pub fn solve_k1(
    lift: &Lift,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let n = lift.n1();
    let len = svec_len(n);
    let r = lift.constraints.len();
    // Variables: [lambda (r), S entries (len, unscaled), P^i = S - M^i (n blocks, scaled svec)].
    let s0 = r;
    let p0 = |i: usize| r + len * (1 + i);
    let s = |i: usize, j: usize| s0 + svec_index(i, j);
    // Coefficient of the scaled svec variable that holds the true value of entry (j, k) of P^i.
    let p = |i: usize, j: usize, k: usize| {
        let c = if j == k { 1.0 } else { 1.0 / SQRT_2 };
        (p0(i) + svec_index(j, k), c)
    };
    let mut data = ConicData::new(r + len * (1 + n));
    let mut eq = s_definition(lift, s0);
    for i in 0..n {
        let (v, c) = p(i, i, i);
        eq.push((vec![(s(i, i), 1.0), (v, -c)], 0.0));
        for j in (0..n).filter(|&j| j != i) {
            let (vij, cij) = p(i, j, j);
            let (vji, cji) = p(j, i, j);
            eq.push((
                vec![
                    (s(j, j), 1.0),
                    (vij, -cij),
                    (s(i, j), 2.0),
                    (vji, -2.0 * cji),
                ],
                0.0,
            ));
        }
    }
    data.push_block(eq, SupportedConeT::ZeroConeT);
    let mut ineq = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let mut terms = vec![(s(j, k), -1.0), (s(i, k), -1.0), (s(i, j), -1.0)];
                for (a, b, c) in [(i, j, k), (j, i, k), (k, i, j)] {
                    let (v, coef) = p(a, b, c);
                    terms.push((v, coef));
                }
                ineq.push((terms, 0.0));
            }
        }
    }
    ineq.extend(
        (0..r)
            .filter(|&k| lift.constraints[k].sense == Sense::Le)
            .map(|k| (vec![(k, -1.0)], 0.0)),
    );
    data.push_block(ineq, SupportedConeT::NonnegativeConeT);
    for i in 0..n {
        let rows = (0..len).map(|c| (vec![(p0(i) + c, -1.0)], 0.0)).collect();
        data.push_block(rows, |_| SupportedConeT::PSDTriangleConeT(n));
    }
    let point = minimise_bound(data, settings, regularization)?;
    let x = &point.x;
    let smat_s = unscaled_mat(&x[s0..s0 + len], n);
    let blocks: Vec<DMatrix<f64>> = (0..n).map(|i| smat(&x[p0(i)..p0(i) + len], n)).collect();
    let x0 = point.x[0];
    Ok(DualSolution {
        status: point.status,
        bound: x[0],
        multipliers: x[..r].to_vec(),
        min_eig: blocks
            .iter()
            .map(min_eigenvalue)
            .reduce(f64::min)
            .unwrap_or(0.0),
        min_linear: k1_min_linear(&smat_s, &blocks),
        s: crate::SymSparse::from_dense(&smat_s),
        solve_seconds: point.seconds,
        raw_bound: x0,
        repair: 0.0,
        certified: point.status == crate::SolveStatus::Optimal,
    })
}

/// The linear conditions of a `K^1` certificate with blocks `P^i = S - M^i`: the smallest triple
/// value `M^i_jk + M^j_ik + M^k_ij`, and minus the largest violation of `M^i_ii = 0` and
/// `M^i_jj + 2 M^j_ij = 0` (`>= -tol` means `S` is certified, given PSD blocks).
pub fn k1_min_linear(s: &DMatrix<f64>, blocks: &[DMatrix<f64>]) -> f64 {
    let n = s.nrows();
    let m = |i: usize, j: usize, k: usize| s[(j, k)] - blocks[i][(j, k)];
    let mut worst = if n == 0 { 0.0 } else { f64::INFINITY };
    for i in 0..n {
        worst = worst.min(-m(i, i, i).abs());
        for j in (0..n).filter(|&j| j != i) {
            worst = worst.min(-(m(i, j, j) + 2.0 * m(j, i, j)).abs());
        }
        for j in i + 1..n {
            for k in j + 1..n {
                worst = worst.min(m(i, j, k) + m(j, i, k) + m(k, i, j));
            }
        }
    }
    worst
}
