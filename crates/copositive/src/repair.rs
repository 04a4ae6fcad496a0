//! Turning a slightly infeasible PSD + NN certificate into a rigorous bound.
//!
//! An interior-point solver returns multipliers `lambda` and a split `S ~ P + N` that hold only up
//! to its tolerances: `P` may have an eigenvalue of `-3e-8`, `N` an entry of `-1e-10`, and
//! `P + N` differs from `S = C + sum_r lambda_r M_r` by the primal residual. The bound `t` is then
//! not proven. The repair proves a slightly larger one from the multipliers alone.
//!
//! Let `u` bound every lifted coordinate at every feasible point (`0 <= y_i <= u_i`, `u_0 = 1`;
//! [`Lift::upper`](crate::Lift::upper)) and `T = sum_i u_i^2 >= |y|^2`. Recompute `S` from the
//! multipliers, take `N' = max(N, 0)` and `P' = S - N'`. For every feasible `y = (1; x) >= 0`:
//!
//! - `y'N'y >= 0` (both non-negative), and `y'P'y >= min(lambda_min(P'), 0) T`;
//! - `y'Sy = t - W(x) + sum_{r <=} lambda_r <M_r, yy'>`, the equality terms being zero at feasible
//!   points; a `<=` term with `lambda_r >= 0` is `<= 0`, one with `lambda_r < 0` is at most
//!   `|lambda_r| sum_ij |M_r,ij| u_i u_j`.
//!
//! Hence `W(x) <= t + max(-lambda_min(P'), 0) T + sum_{lambda_r < 0} |lambda_r| g_r`, with `g_r`
//! the last bound: that is the repaired bound. A margin `n1 eps ||P'||_F T` covers the rounding
//! of the computed eigenvalue (a symmetric eigensolver's backward error is a small multiple of
//! `eps ||P'||`). Without finite bounds `u` there is no repair and the certificate is reported
//! as the solver left it.

use crate::conic::min_eigenvalue;
use crate::lift::Lift;
use evmech_milp_model::Sense;
use nalgebra::DMatrix;

/// A repaired certificate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Repair {
    /// What to add to the solver's bound `t` (`>= 0`).
    pub(crate) add: f64,
    /// `P' = S - N'`, with `S` recomputed from the multipliers.
    pub(crate) p: DMatrix<f64>,
    /// `N' = max(N, 0)`.
    pub(crate) n: DMatrix<f64>,
    /// Smallest eigenvalue of `P'`.
    pub(crate) min_eig: f64,
}

/// The rigorous bound's increment for multipliers `lambda` and the solver's `N` (see the module
/// docs); `None` when some coordinate has no finite upper bound and the certificate needs one.
pub(crate) fn repair(lift: &Lift, lambda: &[f64], n: &DMatrix<f64>) -> Option<Repair> {
    let n1 = lift.n1();
    let mut s = DMatrix::<f64>::zeros(n1, n1);
    let mut add_to = |m: &crate::SymSparse, w: f64| {
        for (i, j, v) in m.upper_entries() {
            s[(i, j)] += w * v;
            if i != j {
                s[(j, i)] += w * v;
            }
        }
    };
    add_to(&lift.objective, 1.0);
    for (con, &w) in lift.constraints.iter().zip(lambda) {
        add_to(&con.matrix, w);
    }
    let n_plus = n.map(|v| v.max(0.0));
    let p = &s - &n_plus;
    let min_eig = min_eigenvalue(&p);
    let u = &lift.upper;
    let trace_bound: f64 = u.iter().map(|v| v * v).sum();
    let mut add = 0.0;
    if trace_bound.is_finite() {
        add += eigen_term(&p, min_eig, u, trace_bound);
    } else if min_eig < 0.0 {
        return None;
    }
    for (con, &w) in lift.constraints.iter().zip(lambda) {
        if con.sense == Sense::Le && w < 0.0 {
            let g: f64 = con
                .matrix
                .upper_entries()
                .map(|(i, j, v)| {
                    let both = if i == j { 1.0 } else { 2.0 };
                    both * v.abs() * u[i] * u[j]
                })
                .sum();
            add += -w * g;
        }
    }
    add.is_finite().then_some(Repair {
        add,
        p,
        n: n_plus,
        min_eig,
    })
}

/// A lower bound on `-y'P'y` over the box `0 <= y <= u`, the smaller of two rigorous ones:
/// `max(-lambda_min(P'), 0) T` with `T = sum u_i^2 >= |y|^2`, and, with `U = diag(u)` and
/// `z = U^-1 y` in the unit box (`|z|^2 <= n1`), `max(-lambda_min(U P' U), 0) n1`. The second is
/// the better one when coordinates differ in scale (kWh against binaries). Each carries the
/// rounding margin `n eps ||.||_F` of its eigenvalue times its radius.
fn eigen_term(p: &DMatrix<f64>, min_eig: f64, u: &[f64], trace_bound: f64) -> f64 {
    let n = p.nrows() as f64;
    let plain = (-min_eig).max(0.0) * trace_bound + n * f64::EPSILON * p.norm() * trace_bound;
    let scaled_p = DMatrix::from_fn(p.nrows(), p.ncols(), |i, j| u[i] * p[(i, j)] * u[j]);
    let scaled_eig = min_eigenvalue(&scaled_p);
    let scaled = (-scaled_eig).max(0.0) * n + n * f64::EPSILON * scaled_p.norm() * n;
    plain.min(scaled)
}

/// Upper bounds on the coordinates of a lift (`coords`, index 0 the constant 1) valid at every
/// feasible point of `model`, by bound propagation over its rows with every column `>= 0`:
/// binaries start at 1, other columns unbounded, and a row `sum_k a_k x_k <= b` (an equality
/// counts both ways) bounds `x_j <= (b + sum_{k != j, a_k < 0} |a_k| u_k) / a_j` for `a_j > 0`.
/// A slack of row `i` is at most `b_i + sum_{a_k < 0} |a_k| u_k`. Unbounded stays `+inf`.
pub(crate) fn coordinate_bounds(
    model: &evmech_milp_model::LinearModel,
    coords: &[crate::Coord],
) -> Vec<f64> {
    let mut ub: Vec<f64> = model
        .columns
        .iter()
        .map(|c| if c.binary { 1.0 } else { f64::INFINITY })
        .collect();
    let forms: Vec<(Vec<(usize, f64)>, f64)> = model
        .rows
        .iter()
        .flat_map(|r| {
            let le = (r.terms.clone(), r.rhs);
            let ge = (r.terms.iter().map(|&(j, a)| (j, -a)).collect(), -r.rhs);
            match r.sense {
                Sense::Le => vec![le],
                Sense::Eq => vec![le, ge],
            }
        })
        .collect();
    // Each round can only tighten; a few rounds settle the station-access rows (rate rows
    // bound energies by binaries, demand rows by the request).
    for _ in 0..4 {
        for (terms, b) in &forms {
            for &(j, aj) in terms.iter().filter(|&&(_, a)| a > 0.0) {
                let rest: f64 = terms
                    .iter()
                    .filter(|&&(k, a)| k != j && a < 0.0)
                    .map(|&(k, a)| -a * ub[k])
                    .sum();
                let bound = ((b + rest) / aj).max(0.0);
                if bound < ub[j] {
                    ub[j] = bound;
                }
            }
        }
    }
    let slack_bound = |i: usize| {
        let r = &model.rows[i];
        r.rhs
            + r.terms
                .iter()
                .filter(|&&(_, a)| a < 0.0)
                .map(|&(k, a)| -a * ub[k])
                .sum::<f64>()
    };
    std::iter::once(1.0)
        .chain(coords.iter().map(|c| match *c {
            crate::Coord::Column(j) => ub[j],
            crate::Coord::Slack(i) => slack_bound(i).max(0.0),
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::repair;
    use crate::{solve_psd_nn, ConeSettings, Lift, LiftKind};
    use evmech_milp_model::{Instance, StationAccessModel, StationAccessOptions};
    use proptest::prelude::*;

    /// Example B of `docs/copositive.md` (3 EVs, 2 stations, 4 slots), its lift, `W*` and the
    /// solver's certificate.
    fn example_b() -> (Lift, f64, crate::DualSolution) {
        static SOLVED: std::sync::OnceLock<(Lift, f64, crate::DualSolution)> =
            std::sync::OnceLock::new();
        SOLVED.get_or_init(solve_example_b).clone()
    }

    fn solve_example_b() -> (Lift, f64, crate::DualSolution) {
        let root = std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
        let path = format!("{root}/../../examples/data/copositive_example_b.json");
        let text = std::fs::read_to_string(path).expect("fixture");
        let instance: Instance = serde_json::from_str(&text).expect("valid");
        let model = StationAccessModel::build(&instance, StationAccessOptions::default());
        let w = model
            .solve_milp(&Default::default())
            .expect("solves")
            .plan
            .welfare;
        let lm = model.model();
        let lift = Lift::build(lm, LiftKind::Reduced, |i| lm.rows[i].name.is_coupling());
        let dual = solve_psd_nn(&lift, &ConeSettings::default(), None).expect("solves");
        (lift, w, dual)
    }

    /// The bounds hold at the MILP optimum, and on this model every coordinate is bounded.
    #[test]
    fn coordinate_bounds_hold_at_the_optimum() {
        let root = std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
        let path = format!("{root}/../../examples/data/copositive_example_b.json");
        let instance: Instance =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let model = StationAccessModel::build(&instance, StationAccessOptions::default());
        let x = model.solve_milp(&Default::default()).unwrap().plan.x;
        let lm = model.model();
        let lift = Lift::build(lm, LiftKind::Full, |i| lm.rows[i].name.is_coupling());
        let y = lift.lift_point(lm, &x);
        assert!(lift.upper.iter().all(|u| u.is_finite()));
        for (k, (&v, &u)) in y.iter().zip(&lift.upper).enumerate() {
            assert!(v <= u + 1e-9, "coordinate {k}: {v} > {u}");
        }
    }

    /// A solver's certificate needs a repair well inside the exactness tolerance
    /// `1e-4 max(1, W*)`.
    #[test]
    fn an_accurate_certificate_is_barely_moved() {
        let (_, w, dual) = example_b();
        assert!(dual.certified);
        assert!(
            dual.repair >= 0.0 && dual.repair < 1e-5 * w,
            "{}",
            dual.repair
        );
        assert!(dual.bound >= w - 1e-6);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The repair is rigorous: whatever multipliers and `N` it is given (here the solver's,
        /// perturbed, and the bound pushed below `W*`), the repaired bound is at least `W*`.
        #[test]
        fn the_repaired_bound_is_never_below_the_optimum(
            seed in any::<u64>(),
            scale in prop_oneof![Just(1e-9), Just(1e-6), Just(1e-3), Just(1e-1)],
            drop in 0.0f64..2.0,
        ) {
            use rand::{Rng, SeedableRng};
            let (lift, w, dual) = example_b();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut lambda = dual.multipliers.clone();
            lambda[0] = w - drop;
            for l in lambda.iter_mut().skip(1) {
                *l += scale * rng.random_range(-1.0..1.0);
            }
            let n1 = lift.n1();
            let n = nalgebra::DMatrix::from_fn(n1, n1, |_, _| scale * rng.random_range(-1.0..1.0));
            let fixed = repair(&lift, &lambda, &n).expect("bounded lift");
            prop_assert!(lambda[0] + fixed.add >= w - 1e-9,
                "t {} + repair {} < W* {w}", lambda[0], fixed.add);
        }
    }
}
