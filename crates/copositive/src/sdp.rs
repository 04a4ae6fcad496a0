//! The copositive dual over the PSD + NN inner cone (dense or on the data's sparsity pattern),
//! solved with Clarabel.
//!
//! Variables `(t, lambda, p, n)`: the welfare bound `t`, one multiplier per lifted constraint,
//! and the scaled svecs of `P` (PSD) and `N` (elementwise non-negative), subject to
//!
//! $$ S := C + t E_{00} + \sum_r \lambda_r M_r = P + N, \quad P \succeq 0,\ N \ge 0,\
//! \lambda_r \ge 0 \text{ for } \le \text{ rows}. $$
//!
//! Then `S` is copositive,
//! and for every feasible `y = (1; x)` of the MILP, `0 <= y'Sy = t - W(x)`: `t` is a welfare
//! upper bound, minimised. (In the usual notation `theta = -t`, `mu_r = -lambda_r` on linear rows
//! and `nu_r = -lambda_r` on squared rows, so the prices are `rho = lambda_linear`,
//! `eta = lambda_squared`.)
//!
//! **Sparse cone.** Let `E` be the aggregate sparsity pattern of the data (the entries where `C`
//! or some `M_r` is non-zero, and the diagonal). Outside `E` every `S` is zero. The sparse cone
//! restricts `N` (and so `P = S - N`) to `E` as well: a subset of PSD + NN, so every certificate
//! is still a copositive `S` and every bound still valid, but possibly looser, since the dense
//! cone may pair a negative `P_ij` with a positive `N_ij` where `S_ij = 0`. In exchange the PSD
//! constraint lives on a sparse pattern, which Clarabel splits over the cliques of a chordal
//! extension (Agler's theorem: a PSD matrix with a chordal pattern is a sum of PSD matrices each
//! supported on one clique), so no dense block of order `n1` is factorised. With
//! [`ConeSettings::own_cliques`] the clique cones are written here instead (one PSD cone per
//! clique, Clarabel's decomposition off): the same cone, measured against Clarabel's in
//! `docs/copositive.md`.

use crate::conic::{min_eigenvalue, minimise_bound, smat, ConicData};
use crate::lift::Lift;
use crate::repair::repair;
use crate::sym::{svec_index, svec_len};
use crate::{ConeSettings, DualSolution, Regularization, Result, SolveStatus};
use clarabel::solver::SupportedConeT;
use evmech_milp_model::Sense;

/// Solves the dense PSD + NN dual of `lift`, optionally with price regularisation.
pub fn solve_psd_nn(
    lift: &Lift,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let all = vec![true; svec_len(lift.n1())];
    solve_on(lift, &all, &PsdCones::Whole, settings, regularization)
}

/// Solves the PSD + NN dual of `lift` with `P` and `N` restricted to [`sparse_support`]: the
/// blocks of the cliques of a chordal extension of the data's pattern, over which Clarabel
/// decomposes the PSD cone.
pub fn solve_sparse_psd_nn(
    lift: &Lift,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let cones = match settings.own_cliques {
        true => PsdCones::Cliques(cliques(lift)),
        false => PsdCones::Whole,
    };
    solve_on(
        lift,
        &sparse_support(lift),
        &cones,
        settings,
        regularization,
    )
}

/// How the PSD part `P` is written for Clarabel.
enum PsdCones {
    /// One PSD cone of order `n1`, its rows zero off the support (Clarabel decomposes it when the
    /// support is sparse).
    Whole,
    /// One PSD cone per clique, `P = sum_k E_k P_k E_k'` ([`ConeSettings::own_cliques`]).
    Cliques(Vec<Vec<usize>>),
}

/// The support of `P` and `N` in the sparse cone, one flag per svec position: every entry
/// `(i, j)` with `i` and `j` in one clique of the chordal extension of [`aggregate_pattern`]
/// (computed by minimum-degree elimination). It contains the data's pattern, and a PSD matrix on
/// it splits into one PSD block per clique, so it is as cheap as the data's own pattern and
/// tighter.
pub fn sparse_support(lift: &Lift) -> Vec<bool> {
    let n1 = lift.n1();
    let cliques = cliques(lift);
    let mut mask = vec![false; svec_len(n1)];
    for clique in &cliques {
        for (a, &i) in clique.iter().enumerate() {
            for &j in &clique[a..] {
                mask[svec_index(i, j)] = true;
            }
        }
    }
    for i in 0..n1 {
        mask[svec_index(i, i)] = true;
    }
    mask
}

/// The aggregate sparsity pattern of `lift`, one flag per svec position: the diagonal and every
/// entry where the objective or a lifted constraint is non-zero.
pub fn aggregate_pattern(lift: &Lift) -> Vec<bool> {
    let n1 = lift.n1();
    let mut mask = vec![false; svec_len(n1)];
    for i in 0..n1 {
        mask[svec_index(i, i)] = true;
    }
    let matrices =
        std::iter::once(&lift.objective).chain(lift.constraints.iter().map(|c| &c.matrix));
    for m in matrices {
        for (c, _) in m.svec() {
            mask[c] = true;
        }
    }
    mask
}

/// The maximal cliques of the chordal extension of the lift's aggregate pattern.
fn cliques(lift: &Lift) -> Vec<Vec<usize>> {
    crate::chordal::pattern_cliques(
        lift.n1(),
        std::iter::once(&lift.objective).chain(lift.constraints.iter().map(|c| &c.matrix)),
    )
}

/// The order of the largest PSD block of the sparse cone over `lift` (before the solver merges
/// cliques, which it does only where that is cheaper).
pub(crate) fn largest_clique(lift: &Lift) -> usize {
    cliques(lift).iter().map(Vec::len).max().unwrap_or(0)
}

/// The PSD + NN dual on `support`, polished: a solve that ends `Inaccurate` (Clarabel's
/// `AlmostSolved`) is run once more with the other KKT solver, and the better certificate is kept
/// (full accuracy first, then the lower repaired bound), both within the one time cap of
/// `settings` (no retry when less time is left than the first solve took). A failed retry
/// keeps the first result, whose status still says it is inaccurate.
fn solve_on(
    lift: &Lift,
    support: &[bool],
    cones: &PsdCones,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let first = solve_once(lift, support, cones, settings, regularization)?;
    if first.status != SolveStatus::Inaccurate {
        return Ok(first);
    }
    // The retry gets what is left of this call's time cap, so a polished solve stays within it,
    // and runs only if that is at least what the first solve took: a retry cut short by the cap
    // cannot help, and its last iteration (QDLDL is single-threaded) may run far past the cap.
    let left = settings.time_limit_s - first.solve_seconds;
    if left < first.solve_seconds {
        return Ok(first);
    }
    let other = ConeSettings {
        kkt_solver: if settings.kkt_solver == "qdldl" {
            "faer"
        } else {
            "qdldl"
        },
        time_limit_s: left,
        ..*settings
    };
    let Ok(second) = solve_once(lift, support, cones, &other, regularization) else {
        return Ok(first);
    };
    let better = second.status == SolveStatus::Optimal
        || (second.certified && (!first.certified || second.bound < first.bound));
    let seconds = first.solve_seconds + second.solve_seconds;
    let mut kept = if better { second } else { first };
    kept.solve_seconds = seconds;
    Ok(kept)
}

/// Where the PSD part's variables sit: `len` of them, and for each support position (by its
/// slot) the variables that add up to its entry of `svec(P)` (one for the whole cone; one per
/// clique holding the entry for the clique cones).
struct PsdLayout {
    len: usize,
    of_slot: Vec<Vec<usize>>,
}

impl PsdLayout {
    fn new(cones: &PsdCones, slot: &[usize], m: usize) -> Self {
        match cones {
            PsdCones::Whole => PsdLayout {
                len: m,
                of_slot: (0..m).map(|k| vec![k]).collect(),
            },
            PsdCones::Cliques(cliques) => {
                let mut of_slot = vec![Vec::new(); m];
                let mut offset = 0;
                for clique in cliques {
                    for (b, &j) in clique.iter().enumerate() {
                        for (a, &i) in clique[..=b].iter().enumerate() {
                            of_slot[slot[svec_index(i, j)]].push(offset + svec_index(a, b));
                        }
                    }
                    offset += svec_len(clique.len());
                }
                PsdLayout {
                    len: offset,
                    of_slot,
                }
            }
        }
    }
}

/// One PSD + NN solve with `P` and `N` supported where `support` is true (a superset of the
/// data's pattern, so `S` is zero off it), its certificate repaired into a rigorous bound.
fn solve_once(
    lift: &Lift,
    support: &[bool],
    cones: &PsdCones,
    settings: &ConeSettings,
    regularization: Option<&Regularization>,
) -> Result<DualSolution> {
    let n1 = lift.n1();
    let len = svec_len(n1);
    let r = lift.constraints.len();
    // Variable layout: [lambda_0 = t, lambda_1..lambda_{r-1}, the PSD part, n on the support];
    // `slot[c]` numbers the support's positions.
    let mut slot = vec![usize::MAX; len];
    let mut m = 0;
    for c in (0..len).filter(|&c| support[c]) {
        slot[c] = m;
        m += 1;
    }
    let psd_part = PsdLayout::new(cones, &slot, m);
    let (p0, q0) = (r, r + psd_part.len);
    let mut data = ConicData::new(r + psd_part.len + m);
    // S = C + sum_k lambda_k M_k = P + N on the support (S is zero off it).
    let mut rows: Vec<(Vec<(usize, f64)>, f64)> = (0..m)
        .map(|k| {
            let p = psd_part.of_slot[k].iter().map(|&o| (p0 + o, -1.0));
            (p.chain(std::iter::once((q0 + k, -1.0))).collect(), 0.0)
        })
        .collect();
    for (c, v) in lift.objective.svec() {
        rows[slot[c]].1 = -v;
    }
    for (k, con) in lift.constraints.iter().enumerate() {
        for (c, v) in con.matrix.svec() {
            rows[slot[c]].0.push((k, v));
        }
    }
    data.push_block(rows, SupportedConeT::ZeroConeT);
    match cones {
        // svec(P) in the PSD cone; off the support its rows are empty (P is zero there), which
        // is what lets Clarabel decompose the cone.
        PsdCones::Whole => {
            let psd = (0..len)
                .map(|c| match support[c] {
                    true => (vec![(p0 + slot[c], -1.0)], 0.0),
                    false => (Vec::new(), 0.0),
                })
                .collect();
            data.push_block(psd, |_| SupportedConeT::PSDTriangleConeT(n1));
        }
        // One PSD cone per clique, of the clique's order.
        PsdCones::Cliques(cliques) => {
            let mut offset = p0;
            for clique in cliques {
                let size = svec_len(clique.len());
                let block = (offset..offset + size)
                    .map(|v| (vec![(v, -1.0)], 0.0))
                    .collect();
                data.push_block(block, |_| SupportedConeT::PSDTriangleConeT(clique.len()));
                offset += size;
            }
        }
    }
    let nonneg = (q0..q0 + m)
        .chain((0..r).filter(|&k| lift.constraints[k].sense == Sense::Le))
        .map(|v| (vec![(v, -1.0)], 0.0))
        .collect();
    data.push_block(nonneg, SupportedConeT::NonnegativeConeT);
    let point = minimise_bound(data, settings, regularization)?;
    let x = &point.x;
    let on_support = |base: usize| -> Vec<f64> {
        (0..len)
            .map(|c| if support[c] { x[base + slot[c]] } else { 0.0 })
            .collect()
    };
    let p_svec: Vec<f64> = (0..len)
        .map(|c| match support[c] {
            true => psd_part.of_slot[slot[c]].iter().map(|&o| x[p0 + o]).sum(),
            false => 0.0,
        })
        .collect();
    let psd = smat(&p_svec, n1);
    let nn = smat(&on_support(q0), n1);
    let multipliers = x[..r].to_vec();
    let Some(fixed) = repair(lift, &multipliers, &nn) else {
        // No finite coordinate bounds: the certificate as the solver left it, not proven.
        return Ok(DualSolution {
            status: point.status,
            bound: x[0],
            raw_bound: x[0],
            repair: 0.0,
            certified: false,
            multipliers,
            min_eig: min_eigenvalue(&psd),
            min_linear: if n1 == 0 { 0.0 } else { nn.min() },
            s: crate::SymSparse::from_dense(&(psd + nn)),
            solve_seconds: point.seconds,
        });
    };
    Ok(DualSolution {
        status: point.status,
        bound: x[0] + fixed.add,
        raw_bound: x[0],
        repair: fixed.add,
        certified: true,
        multipliers,
        min_eig: fixed.min_eig,
        min_linear: if n1 == 0 { 0.0 } else { fixed.n.min() },
        s: crate::SymSparse::from_dense(&(fixed.p + fixed.n)),
        solve_seconds: point.seconds,
    })
}
