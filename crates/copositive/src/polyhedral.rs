//! The copositive dual over the polyhedral inner cone C^1 of de Klerk and Pasechnik: an LP.
//!
//! `S` is in `C^1` when every coefficient of `(sum_i x_i) x'Sx` is non-negative:
//! `S_ii >= 0`, `S_ii + 2 S_ij >= 0` (`i != j`) and `S_ij + S_ik + S_jk >= 0` (distinct `i, j, k`).
//! Then `x'Sx >= 0` on the simplex, so `S` is copositive. The LP has no PSD block, so it scales
//! to lifts where the SDP's dense KKT block does not fit; it is weaker, and the gap says by how
//! much.

use crate::lift::Lift;
use crate::sdp::{minimise_bound, ConeSettings, DualSolution, Regularization};
use crate::sym::svec_index;
use crate::Result;
use clarabel::algebra::CscMatrix;
use clarabel::solver::SupportedConeT;
use evmech_milp_model::Sense;
use nalgebra::DMatrix;

/// Number of C^1 inequalities for an `n x n` matrix.
pub fn c1_inequalities(n: usize) -> usize {
    n + n * n.saturating_sub(1) + n * n.saturating_sub(1) * n.saturating_sub(2) / 6
}

/// Solves the C^1 dual of `lift`, optionally with price regularisation.
///
/// The returned certificate has `psd = 0` and `nn = S`; check it with [`c1_min_slack`].
pub fn solve_c1(
    lift: &Lift,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let n1 = lift.n1();
    let len = n1 * (n1 + 1) / 2;
    let r = lift.constraints.len();
    // Variables: [lambda_0 = t, lambda_1.., S entries (upper triangle, unscaled)].
    let s0 = r;
    let nvar = r + len;
    let (mut ri, mut cj, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    // S_ij - sum_r lambda_r M_r,ij = C_ij.
    let mut b = vec![0.0; len];
    for (i, j, v) in lift.objective.upper_entries() {
        b[svec_index(i, j)] = v;
    }
    for (k, con) in lift.constraints.iter().enumerate() {
        for (i, j, v) in con.matrix.upper_entries() {
            ri.push(svec_index(i, j));
            cj.push(k);
            vals.push(-v);
        }
    }
    for c in 0..len {
        ri.push(c);
        cj.push(s0 + c);
        vals.push(1.0);
    }
    let mut row = len;
    let mut push_ineq =
        |terms: &[(usize, f64)], ri: &mut Vec<usize>, cj: &mut Vec<usize>, vals: &mut Vec<f64>| {
            for &(var, a) in terms {
                ri.push(row);
                cj.push(var);
                vals.push(-a);
            }
            row += 1;
        };
    let s = |i: usize, j: usize| s0 + svec_index(i, j);
    for i in 0..n1 {
        push_ineq(&[(s(i, i), 1.0)], &mut ri, &mut cj, &mut vals);
        for j in 0..n1 {
            if i != j {
                push_ineq(
                    &[(s(i, i), 1.0), (s(i, j), 2.0)],
                    &mut ri,
                    &mut cj,
                    &mut vals,
                );
            }
        }
    }
    for i in 0..n1 {
        for j in i + 1..n1 {
            for k in j + 1..n1 {
                push_ineq(
                    &[(s(i, j), 1.0), (s(i, k), 1.0), (s(j, k), 1.0)],
                    &mut ri,
                    &mut cj,
                    &mut vals,
                );
            }
        }
    }
    for (k, con) in lift.constraints.iter().enumerate() {
        if con.sense == Sense::Le {
            push_ineq(&[(k, 1.0)], &mut ri, &mut cj, &mut vals);
        }
    }
    let m = row;
    b.extend(std::iter::repeat_n(0.0, m - len));
    let cones = [
        SupportedConeT::ZeroConeT(len),
        SupportedConeT::NonnegativeConeT(m - len),
    ];
    let a = CscMatrix::new_from_triplets(m, nvar, ri, cj, vals);
    let point = minimise_bound(&a, &b, &cones, settings, regularization)?;
    let mut smat = DMatrix::zeros(n1, n1);
    for j in 0..n1 {
        for i in 0..=j {
            let v = point.x[s0 + svec_index(i, j)];
            smat[(i, j)] = v;
            smat[(j, i)] = v;
        }
    }
    Ok(DualSolution {
        status: point.status,
        bound: point.x[0],
        multipliers: point.x[..r].to_vec(),
        psd: DMatrix::zeros(n1, n1),
        nn: smat,
        solve_seconds: point.seconds,
    })
}

/// Smallest C^1 inequality value of `s` (`>= 0` means `s` is certified copositive).
pub fn c1_min_slack(s: &DMatrix<f64>) -> f64 {
    let n = s.nrows();
    let mut min = f64::INFINITY;
    for i in 0..n {
        min = min.min(s[(i, i)]);
        for j in 0..n {
            if i != j {
                min = min.min(s[(i, i)] + 2.0 * s[(i, j)]);
            }
        }
    }
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                min = min.min(s[(i, j)] + s[(i, k)] + s[(j, k)]);
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        min
    }
}
