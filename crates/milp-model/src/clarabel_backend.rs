//! The Clarabel backend of [`SparseLp`] (interior point, LPs only): the point with row duals and
//! reduced costs, and for an infeasible model the conflicting rows, named by family and index.

use crate::conic::{run_clarabel, ConicData, ConicSettings};
use crate::{Error, LpBackend, Result, Solution, SolveStatus, SolverSettings, SparseLp};
use clarabel::algebra::CscMatrix;
use clarabel::solver::SupportedConeT;
use std::time::Instant;

/// How many certificate rows an infeasibility report names (largest weight first).
const CERTIFICATE_ROWS: usize = 10;

/// Constraints whose elastic dual (at most 1 in size) is below this are left out of a
/// certificate.
const CERTIFICATE_RELATIVE: f64 = 1e-4;

/// Solves `lp` (no integer columns) with Clarabel under `settings`.
pub(crate) fn solve(lp: &SparseLp, settings: &SolverSettings) -> Result<Solution> {
    let start = Instant::now();
    if lp.integer.iter().any(|&b| b) {
        return Err(Error::InvalidSetting {
            field: "backend",
            reason: "Clarabel solves LPs only; this model has integer columns (use HiGHS or CBC)"
                .into(),
        });
    }
    let run = run(lp, settings)?;
    match run.status {
        SolveStatus::Optimal | SolveStatus::Inaccurate => {}
        SolveStatus::Infeasible => return Err(Error::infeasible(Vec::new())),
        SolveStatus::Unbounded => return Err(Error::Unbounded),
        status => {
            return Err(Error::SolverStopped {
                backend: "clarabel",
                status,
            })
        }
    }
    let z = |r: Option<usize>| r.map_or(0.0, |r| run.z[r]);
    // Stationarity `c + A'z = 0` gives the reduced cost `c_j - a_j'y = z_lower - z_upper` of
    // column `j` from the duals of its two bound rows.
    let reduced_costs = (0..lp.cost.len())
        .map(|j| z(run.col_sides[j].1) - z(run.col_sides[j].0))
        .collect();
    Ok(Solution {
        status: run.status,
        backend: LpBackend::Clarabel,
        objective: run.objective + lp.cost_constant,
        row_duals: Some(run.sides.iter().map(|&(up, lo)| z(lo) - z(up)).collect()),
        reduced_costs: Some(reduced_costs),
        x: run.x,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The rows (and column bounds) that make `lp`'s LP relaxation infeasible, named
/// `family[index]`, largest multiplier first; empty when the relaxation is feasible (an integer
/// model infeasible only through integrality) or the certificate could not be computed.
///
/// The certificate comes from the elastic (phase-one) LP: every finite row side and column bound
/// gets a violation variable `v >= 0`, and the total violation is minimised. Its optimal duals
/// are a Farkas certificate of the original system (each at most 1 in size), and complementary
/// slackness gives a zero dual to every constraint that is not tight at the least violation, so
/// the rows named are the ones in conflict, not the numerical dust of an interior-point
/// infeasibility certificate.
pub(crate) fn infeasibility_certificate(lp: &SparseLp) -> Vec<String> {
    let (elastic, origin) = elastic(lp);
    let Ok(run) = run(&elastic, &SolverSettings::default()) else {
        return Vec::new();
    };
    if run.status != SolveStatus::Optimal || run.objective <= 1e-9 {
        return Vec::new();
    }
    let mut named: Vec<(f64, String)> = origin
        .iter()
        .zip(&run.sides)
        .map(|(what, &(up, lo))| {
            let dual = up.map_or(0.0, |r| run.z[r]) + lo.map_or(0.0, |r| run.z[r]);
            let name = match *what {
                Origin::Row(i) => lp.row_label(i),
                Origin::Bound(j) => format!("bound of {}", lp.col_label(j)),
            };
            (dual.abs(), name)
        })
        .collect();
    named.retain(|w| w.0 > CERTIFICATE_RELATIVE);
    named.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    named.dedup_by(|a, b| a.1 == b.1);
    named
        .into_iter()
        .take(CERTIFICATE_ROWS)
        .map(|w| w.1)
        .collect()
}

/// Where a constraint of the elastic LP comes from.
enum Origin {
    /// A side of model row `i`.
    Row(usize),
    /// A bound of column `j`.
    Bound(usize),
}

/// The elastic LP of `lp` (free columns, one constraint per finite row side and column bound,
/// each with its own violation variable of cost 1) and the origin of each of its rows.
fn elastic(lp: &SparseLp) -> (SparseLp, Vec<Origin>) {
    let n = lp.cost.len();
    let mut e = SparseLp::default();
    for _ in 0..n {
        e.add_col(f64::NEG_INFINITY, f64::INFINITY, 0.0);
    }
    let by_row = lp.rows();
    let mut origin = Vec::new();
    let mut side = |e: &mut SparseLp, terms: &[(usize, f64)], lo: f64, up: f64, from: Origin| {
        let v = e.add_col(0.0, f64::INFINITY, 1.0);
        let mut row = terms.to_vec();
        if up.is_finite() {
            row.push((v, -1.0));
            e.add_row(f64::NEG_INFINITY, up, &row);
        } else {
            row.push((v, 1.0));
            e.add_row(lo, f64::INFINITY, &row);
        }
        origin.push(from);
    };
    for (i, terms) in by_row.iter().enumerate() {
        let (lo, up) = (lp.row_lower[i], lp.row_upper[i]);
        if up.is_finite() {
            side(&mut e, terms, f64::NEG_INFINITY, up, Origin::Row(i));
        }
        if lo.is_finite() {
            side(&mut e, terms, lo, f64::INFINITY, Origin::Row(i));
        }
    }
    for j in 0..n {
        let (lo, up) = (lp.col_lower[j], lp.col_upper[j]);
        if up.is_finite() {
            side(&mut e, &[(j, 1.0)], f64::NEG_INFINITY, up, Origin::Bound(j));
        }
        if lo.is_finite() {
            side(&mut e, &[(j, 1.0)], lo, f64::INFINITY, Origin::Bound(j));
        }
    }
    (e, origin)
}

/// A finished Clarabel run with the map from model rows to conic rows.
struct Run {
    status: SolveStatus,
    objective: f64,
    x: Vec<f64>,
    z: Vec<f64>,
    /// Conic rows of each model row's upper and lower side.
    sides: Vec<(Option<usize>, Option<usize>)>,
    /// Conic rows of each column's upper and lower bound.
    col_sides: Vec<(Option<usize>, Option<usize>)>,
}

/// Writes `lp` as `A x + s = b`, `s` in the zero cone (equalities) and the nonnegative cone
/// (each finite side of a row or a column bound), and runs Clarabel.
fn run(lp: &SparseLp, settings: &SolverSettings) -> Result<Run> {
    let n = lp.cost.len();
    let mut conic = ConicData::new(n);
    let by_row = lp.rows();
    let mut sides = vec![(None, None); by_row.len()];
    for (i, terms) in by_row.iter().enumerate() {
        let (lo, up) = (lp.row_lower[i], lp.row_upper[i]);
        if lo.total_cmp(&up).is_eq() {
            sides[i].0 = Some(conic.push(terms, 1.0, up));
        }
    }
    conic.close_cone(SupportedConeT::ZeroConeT);
    for (i, terms) in by_row.iter().enumerate() {
        let (lo, up) = (lp.row_lower[i], lp.row_upper[i]);
        if lo.total_cmp(&up).is_ne() {
            sides[i].0 = up.is_finite().then(|| conic.push(terms, 1.0, up));
            sides[i].1 = lo.is_finite().then(|| conic.push(terms, -1.0, -lo));
        }
    }
    let col_sides = (0..n)
        .map(|j| {
            let (lo, up) = (lp.col_lower[j], lp.col_upper[j]);
            (
                up.is_finite().then(|| conic.push(&[(j, 1.0)], 1.0, up)),
                lo.is_finite().then(|| conic.push(&[(j, 1.0)], -1.0, -lo)),
            )
        })
        .collect();
    conic.close_cone(SupportedConeT::NonnegativeConeT);
    let a = conic.matrix();
    let p = CscMatrix::zeros((n, n));
    let conic_settings = ConicSettings {
        max_threads: Some(settings.threads),
        time_limit_s: settings.time_limit_s.map(f64::from),
        ..ConicSettings::default()
    };
    let done = run_clarabel(&p, &lp.cost, &a, &conic.b, &conic.cones, &conic_settings)?;
    Ok(Run {
        status: done.status,
        objective: done.objective,
        x: done.x,
        z: done.z,
        sides,
        col_sides,
    })
}
