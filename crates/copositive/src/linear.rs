//! LP-duality certificates over the linear lift ([`InnerCone::Linear`](crate::InnerCone::Linear)).
//!
//! Over [`LiftKind::Linear`](crate::LiftKind::Linear) a certificate
//! `S = C + t E_00 + sum_r lambda_r M_r` lives on row and column 0: `S_00 = t - lambda'b`,
//! `S_0j = d_j / 2` with the reduced cost `d_j = (A'lambda)_j - w_j` of column `j`, and
//! `S_0k = lambda_k / 2` on the slack of coupling row `k`. It is in NN (so in PSD + NN, and
//! copositive) exactly when `lambda` is dual feasible for the LP relaxation and `t >= lambda'b`:
//! LP duality is the non-negative face of the inner cone, reached by linear multipliers alone. It
//! costs one simplex solve instead of an SDP, which is what lets a branching certify thousands of
//! regions of a site-sized fleet; its prices are linear in each region (`eta = 0`).
//!
//! **The solve.** With a floor `f` on the bound (a region with no feasible point has an
//! unbounded dual), HiGHS solves
//!
//! ```text
//! max  w'x + f theta   s.t.  A x + b theta (<= or =) b,   x >= 0,   0 <= theta <= 1,
//! ```
//!
//! always feasible (`x = 0, theta = 1`) and bounded (every lifted coordinate has a finite upper
//! bound), with optimum `max(LP, f)` when the region has a point and `f` when it has none. Its
//! row duals are the multipliers `lambda`.
//!
//! **The rigorous bound.** The solver's duals are feasible only to its tolerances. For every
//! feasible `x` (so `theta = 0`) and every `lambda` with `lambda_r >= 0` on `<=` rows,
//! `w'x <= w'x + lambda'(b - A x) = lambda'b - d'x <= lambda'b + sum_j max(-d_j, 0) u_j`, where
//! `u_j` bounds column `j` ([`Lift::upper`]). That is the reported bound, whatever the solver's
//! accuracy, plus a margin of a few ulps of the sums for the rounding of this arithmetic; what it
//! adds to the solver's value is [`DualSolution::repair`]. A column with a negative reduced cost
//! and no finite bound leaves the certificate unproven (never the case in the station-access
//! model).

use crate::lift::{Lift, LiftedKind};
use crate::sym::SymSparse;
use crate::{DualSolution, Result, SolveStatus};
use evmech_milp_model::{LinearModel, LpBackend, Row, RowName, Sense, SparseLp, VarName};

/// An LP certificate of a (region's) model and the LP point, whose fractional choices say where
/// to branch.
pub(crate) struct LinearSolve {
    /// The certificate over `lift`.
    pub(crate) dual: DualSolution,
    /// The LP's optimal columns.
    pub(crate) x: Vec<f64>,
}

/// The backend of the LP certificates: HiGHS's dual simplex where the build has it (a vertex, so
/// the prices are those of one basis), Clarabel otherwise (CBC returns no duals).
fn backend() -> LpBackend {
    if LpBackend::Highs.is_available() {
        LpBackend::Highs
    } else {
        LpBackend::Clarabel
    }
}

/// The LP relaxation `max w'x` over `A x (<=, =) b`, `x >= 0`, written to be minimised; with a
/// `floor` it is `max w'x + floor theta` over `A x + b theta (<=, =) b`, `theta in [0, 1]`.
/// Binaries get no upper bound of their own: each is at most 1 through its EV's assignment row,
/// so the row duals alone are dual feasible (no bound duals to carry).
pub(crate) fn relaxed_lp(model: &LinearModel, floor: Option<f64>) -> SparseLp {
    let mut lp = SparseLp::default();
    for &w in &model.objective {
        lp.add_col(0.0, f64::INFINITY, -w);
    }
    let theta = floor.map(|f| lp.add_col(0.0, 1.0, -f));
    for row in &model.rows {
        let mut terms = row.terms.clone();
        if let Some(theta) = theta {
            terms.push((theta, row.rhs));
        }
        let lower = match row.sense {
            Sense::Eq => row.rhs,
            Sense::Le => f64::NEG_INFINITY,
        };
        lp.add_row(lower, row.rhs, &terms);
    }
    lp
}

/// The LP certificate of `model` (lifted as `lift`, a [`LiftKind::Linear`](crate::LiftKind)
/// lift of it) with the bound held at or above `floor` where the model has a point.
pub(crate) fn solve_linear(lift: &Lift, model: &LinearModel, floor: f64) -> Result<LinearSolve> {
    let solution = relaxed_lp(model, Some(floor)).solve(backend())?;
    let duals = solution.row_duals.ok_or(crate::Error::Solver {
        status: SolveStatus::NumericalError,
    })?;
    // Shadow prices of the maximisation, `>= 0` on `<=` rows (a solver's -1e-12 clamped: any
    // non-negative multipliers give a valid bound below).
    let lambda: Vec<f64> = model
        .rows
        .iter()
        .zip(&duals)
        .map(|(row, d)| match row.sense {
            Sense::Le => (-d).max(0.0),
            Sense::Eq => -d,
        })
        .collect();
    let n = model.columns.len();
    let (bound, certified) = rigorous_bound(lift, model, &lambda);
    let raw = -solution.objective;
    let multipliers = lift_multipliers(lift, bound, &lambda);
    Ok(LinearSolve {
        dual: DualSolution {
            status: solution.status,
            bound,
            raw_bound: raw,
            repair: bound - raw,
            certified,
            s: certificate_matrix(lift, &multipliers),
            multipliers,
            min_eig: 0.0,
            min_linear: 0.0,
            solve_seconds: solution.seconds,
        },
        x: solution.x[..n].to_vec(),
    })
}

/// The certificate the multipliers `by_row` (named rows; a row not named gets 0) give `model`
/// over `lift`, without a solve: how a region reuses the multipliers of the region it was split
/// from. The bound is the rigorous one; the status says the multipliers were not optimised here.
pub(crate) fn reuse(lift: &Lift, model: &LinearModel, by_row: &[(RowName, f64)]) -> DualSolution {
    let named: std::collections::HashMap<RowName, f64> = by_row.iter().copied().collect();
    let lambda: Vec<f64> = model
        .rows
        .iter()
        .map(|r| {
            let v = named.get(&r.name).copied().unwrap_or(0.0);
            match r.sense {
                Sense::Le => v.max(0.0),
                Sense::Eq => v,
            }
        })
        .collect();
    let (bound, certified) = rigorous_bound(lift, model, &lambda);
    let multipliers = lift_multipliers(lift, bound, &lambda);
    DualSolution {
        status: SolveStatus::Optimal,
        bound,
        raw_bound: bound,
        repair: 0.0,
        certified,
        s: certificate_matrix(lift, &multipliers),
        multipliers,
        min_eig: 0.0,
        min_linear: 0.0,
        solve_seconds: 0.0,
    }
}

/// The non-zero multipliers of `model`'s rows in a certificate over `lift`, by row name.
pub(crate) fn named_multipliers(
    lift: &Lift,
    model: &LinearModel,
    dual: &DualSolution,
) -> Vec<(RowName, f64)> {
    lift.constraints
        .iter()
        .zip(&dual.multipliers)
        .filter_map(|(c, &v)| match c.kind {
            LiftedKind::Linear { row } if v != 0.0 => Some((model.rows[row].name, v)),
            _ => None,
        })
        .collect()
}

/// `model` with the implied rows (V) `sum_t e_{n,s,t} <= E_n z_{n,s}` of every EV still free in
/// it that does not have them yet, appended after its own rows (so every row index of `model` is
/// unchanged). They hold at
/// every integer point (a served EV draws at most its request, and nothing where it is not
/// served), so a certificate of the larger model bounds the same points; at fractional points
/// they cut: the LP can no longer buy an EV's energy with a fraction of its plug. Without them
/// the LP bound of a 20-EV site is several percent above `W*` and the branching far larger.
pub(crate) fn with_implied_rows(model: &LinearModel) -> LinearModel {
    let mut request: std::collections::HashMap<usize, f64> = std::collections::HashMap::new();
    for row in &model.rows {
        if let RowName::Demand { ev } = row.name {
            request.insert(ev, row.rhs);
        }
    }
    let mut energy: std::collections::BTreeMap<(usize, usize), Vec<(usize, f64)>> =
        std::collections::BTreeMap::new();
    for (j, c) in model.columns.iter().enumerate() {
        if let VarName::Energy { ev, station, .. } = c.name {
            energy.entry((ev, station)).or_default().push((j, 1.0));
        }
    }
    let mut out = model.clone();
    let present: std::collections::HashSet<RowName> = model.rows.iter().map(|r| r.name).collect();
    for (j, c) in model.columns.iter().enumerate() {
        let VarName::Serve { ev, station } = c.name else {
            continue;
        };
        if present.contains(&RowName::StationDemand { ev, station }) {
            continue;
        }
        let (Some(&e), Some(terms)) = (request.get(&ev), energy.get(&(ev, station))) else {
            continue;
        };
        if !(e.is_finite() && e > 0.0) {
            continue;
        }
        let mut terms = terms.clone();
        terms.push((j, -e));
        out.rows.push(Row {
            name: RowName::StationDemand { ev, station },
            terms,
            sense: Sense::Le,
            rhs: 0.0,
        });
    }
    out
}

/// `model` with its implied rows ([`with_implied_rows`]) and their linear lift.
pub(crate) fn implied_lift(model: &LinearModel) -> (LinearModel, Lift) {
    let tight = with_implied_rows(model);
    let lift = Lift::build(&tight, crate::LiftKind::Linear, |i| {
        tight.rows[i].name.is_coupling()
    });
    (tight, lift)
}

/// The bound multipliers `lambda` (`>= 0` on `<=` rows) prove over every feasible point of
/// `model`: `lambda'b + sum_j max(-d_j, 0) u_j` plus a rounding margin, and whether it is proven
/// (no column with a negative reduced cost lacks a finite bound `u_j`).
pub(crate) fn rigorous_bound(lift: &Lift, model: &LinearModel, lambda: &[f64]) -> (f64, bool) {
    let mut reduced: Vec<f64> = model.objective.iter().map(|w| -w).collect();
    let mut scale: Vec<f64> = model.objective.iter().map(|w| w.abs()).collect();
    for (row, &l) in model.rows.iter().zip(lambda) {
        for &(j, a) in &row.terms {
            reduced[j] += l * a;
            scale[j] += (l * a).abs();
        }
    }
    let mut bound: f64 = model.rows.iter().zip(lambda).map(|(r, l)| l * r.rhs).sum();
    let mut magnitude: f64 = model
        .rows
        .iter()
        .zip(lambda)
        .map(|(r, l)| (l * r.rhs).abs())
        .sum();
    let mut certified = true;
    for (j, (&d, &size)) in reduced.iter().zip(&scale).enumerate() {
        let u = lift.upper[j + 1];
        if d < 0.0 {
            if u.is_finite() {
                bound += -d * u;
            } else {
                certified = false;
            }
        }
        if u.is_finite() {
            magnitude += size * u;
        }
    }
    (bound + 8.0 * f64::EPSILON * magnitude, certified)
}

/// The multiplier of each lifted constraint: `t` on the normalisation, `lambda_r` on the linear
/// form of row `r`, 0 elsewhere.
fn lift_multipliers(lift: &Lift, t: f64, lambda: &[f64]) -> Vec<f64> {
    lift.constraints
        .iter()
        .map(|c| match c.kind {
            LiftedKind::Normalization => t,
            LiftedKind::Linear { row } => lambda[row],
            _ => 0.0,
        })
        .collect()
}

/// `S = C + sum_r lambda_r M_r` (the normalisation's multiplier is `t`).
pub(crate) fn certificate_matrix(lift: &Lift, multipliers: &[f64]) -> SymSparse {
    let mut s = lift.objective.clone();
    for (c, &w) in lift.constraints.iter().zip(multipliers) {
        if w != 0.0 {
            for (i, j, v) in c.matrix.upper_entries() {
                s.add(i, j, w * v);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{rigorous_bound, solve_linear};
    use crate::{Lift, LiftKind};
    use evmech_milp_model::{
        random_instance, LinearModel, RandomSize, Sense, SolverSettings, StationAccessModel,
        StationAccessOptions,
    };
    use proptest::prelude::*;

    fn model(seed: u64) -> LinearModel {
        let size = RandomSize {
            evs: 3,
            stations: 2,
            slots: 4,
        };
        let inst = random_instance(size, seed).unwrap();
        StationAccessModel::build(&inst, StationAccessOptions::default())
            .model()
            .clone()
    }

    fn lift(m: &LinearModel) -> Lift {
        Lift::build(m, LiftKind::Linear, |i| m.rows[i].name.is_coupling())
    }

    /// The LP certificate's bound is the LP value (the floor below it) up to the repair, and
    /// at or above the MILP optimum.
    #[test]
    fn the_certificate_bounds_the_milp_and_matches_the_lp() {
        for seed in 0..8 {
            let m = model(seed);
            let w = evmech_milp_model::solve_milp(&m, &SolverSettings::default())
                .unwrap()
                .objective;
            let lp = evmech_milp_model::solve_lp(&m).unwrap().objective;
            let cert = solve_linear(&lift(&m), &m, w).unwrap().dual;
            assert!(cert.certified, "seed {seed}");
            assert!(cert.bound >= w - 1e-9, "seed {seed}: {} < {w}", cert.bound);
            assert!(
                (cert.bound - lp).abs() <= 1e-6 * lp.abs().max(1.0),
                "seed {seed}"
            );
            assert!(cert.repair >= 0.0 && cert.repair < 1e-6, "seed {seed}");
        }
    }

    /// A region without a feasible point (here a row no point meets, as when a branching fixes
    /// two EVs to one plug in the same slot) gets a certificate at or below its floor instead of
    /// an error.
    #[test]
    fn a_region_without_a_point_is_certified_at_its_floor() {
        let mut m = model(3);
        // `0 x_0 <= -1`: no point meets it.
        m.rows.push(evmech_milp_model::Row {
            name: m.rows[0].name,
            terms: vec![(0, 0.0)],
            sense: Sense::Le,
            rhs: -1.0,
        });
        let cert = solve_linear(&lift(&m), &m, 2.5).unwrap().dual;
        assert!(cert.certified);
        assert!(cert.bound <= 2.5 + 1e-6, "{}", cert.bound);
    }

    /// A certificate's multipliers, passed on by row name, give the same bound again: what a
    /// child region reuses is its parent's certificate, not an approximation of it.
    #[test]
    fn named_multipliers_reproduce_the_bound() {
        for seed in 0..4 {
            let m = super::with_implied_rows(&model(seed));
            let l = lift(&m);
            let cert = solve_linear(&l, &m, 0.0).unwrap().dual;
            let named = super::named_multipliers(&l, &m, &cert);
            let again = super::reuse(&l, &m, &named);
            assert!(again.certified);
            assert!((again.bound - cert.bound).abs() <= 1e-12 * cert.bound.abs().max(1.0));
        }
    }

    /// The implied rows hold at every integer point: the MILP with them has the same optimum,
    /// and they cut the LP relaxation.
    #[test]
    fn implied_rows_keep_the_optimum_and_cut_the_lp() {
        let mut cut = 0;
        for seed in 0..8 {
            let m = model(seed);
            let tight = super::with_implied_rows(&m);
            assert!(tight.rows.len() > m.rows.len());
            let settings = SolverSettings::default();
            let w = evmech_milp_model::solve_milp(&m, &settings)
                .unwrap()
                .objective;
            let wt = evmech_milp_model::solve_milp(&tight, &settings)
                .unwrap()
                .objective;
            assert!((w - wt).abs() < 1e-7, "seed {seed}: {w} against {wt}");
            let lp = evmech_milp_model::solve_lp(&m).unwrap().objective;
            let lpt = evmech_milp_model::solve_lp(&tight).unwrap().objective;
            assert!(lpt <= lp + 1e-7 && lpt >= w - 1e-7, "seed {seed}");
            cut += usize::from(lpt < lp - 1e-6);
        }
        assert!(cut > 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever multipliers the solver returns, perturbed or plainly wrong, the rigorous bound
        /// stays at or above the MILP optimum: it is proven from the multipliers alone.
        #[test]
        fn any_multipliers_give_a_valid_bound(
            seed in 0u64..6,
            noise in prop::collection::vec(-1.0f64..1.0, 64),
            scale in prop_oneof![Just(1e-9), Just(1e-4), Just(1e-1), Just(1.0)],
        ) {
            let m = model(seed);
            let w = evmech_milp_model::solve_milp(&m, &SolverSettings::default())
                .unwrap()
                .objective;
            let l = lift(&m);
            let cert = solve_linear(&l, &m, w).unwrap().dual;
            let lambda: Vec<f64> = m
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let k = l
                        .constraints
                        .iter()
                        .position(|c| c.kind == crate::LiftedKind::Linear { row: i })
                        .unwrap();
                    let v = cert.multipliers[k] + scale * noise[i % noise.len()];
                    match row.sense {
                        Sense::Le => v.max(0.0),
                        Sense::Eq => v,
                    }
                })
                .collect();
            let (bound, certified) = rigorous_bound(&l, &m, &lambda);
            prop_assert!(certified);
            prop_assert!(bound >= w - 1e-9, "bound {bound} < W* {w}");
        }
    }
}
