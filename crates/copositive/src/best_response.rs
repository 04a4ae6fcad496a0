//! The best-response checker: each user's largest gain from deviating, with the others held at the optimum.
//!
//! For user `n`, tariff `P` and every choice `sigma` in {opt out} + stations, the user's best plan
//! with the binaries fixed by `sigma` is a concave QP in its energy profile (and, for CMP-B, the
//! auxiliary `r_k >= D_k - s*_k`), solved with Clarabel. The candidate plans are then re-evaluated
//! with the exact payment formula, so the reported gain does not inherit the QP's tolerance.

use crate::conic::{run_clarabel, ConicData, ConicOutcome};
use crate::{ConeSettings, Pricing, Result, SolveStatus, Tariff};
use clarabel::algebra::CscMatrix;
use clarabel::solver::SupportedConeT;
use evmech_milp_model::{RowName, Sense, Units, VarName};
use serde::{Deserialize, Serialize};

/// A user's best deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestResponse {
    /// The user.
    pub ev: usize,
    /// Net utility of the assigned plan.
    pub assigned_utility: f64,
    /// Net utility of the best plan found.
    pub best_utility: f64,
    /// `best_utility - assigned_utility` (0 up to solver accuracy when the tariff supports `x*`).
    pub gain: f64,
    /// Station of the best plan (`None` = opt out).
    pub best_station: Option<usize>,
    /// Energy per slot of the best plan, kWh.
    pub best_energy_kwh: Vec<f64>,
    /// Stations where the solver could not decide whether the user has a plan at all (it
    /// reported infeasibility only at reduced accuracy). A plan there was not searched, so the
    /// true gain may be larger than [`BestResponse::gain`]; empty when every station was decided.
    pub undecided_stations: Vec<usize>,
}

impl BestResponse {
    /// Whether every station was decided, so that [`BestResponse::gain`] is the user's best gain
    /// and not only a lower bound on it.
    pub fn is_complete(&self) -> bool {
        self.undecided_stations.is_empty()
    }
}

/// The user's best plan at one station.
enum AtStation {
    /// The best plan (the full column vector).
    Plan(Vec<f64>),
    /// No plan satisfies the user's own rows (certified).
    NoPlan,
    /// The solver reported infeasibility at reduced accuracy: unknown.
    Undecided,
}

/// The pricing and tariff the QPs are solved with: in the instance's normalising units, so that
/// no magnitude of the input meets the solver's absolute tolerances.
struct Scaled {
    pricing: Pricing,
    tariff: Tariff,
    back: Units,
}

impl Scaled {
    fn of(pricing: &Pricing, tariff: &Tariff) -> Scaled {
        let units = Units::normalizing(pricing.model.instance());
        Scaled {
            pricing: pricing.in_units(&units),
            tariff: tariff.in_units(pricing, &units),
            back: units.inverse(),
        }
    }
}

/// The best response of EV `ev` under `tariff`, all others at the optimum.
///
/// The QPs are solved in the instance's normalising units (`Units::normalizing` of
/// `evmech-milp-model`); their plans are converted back and evaluated in USD.
pub fn best_response(pricing: &Pricing, tariff: &Tariff, ev: usize) -> Result<BestResponse> {
    best_response_with(pricing, tariff, &Scaled::of(pricing, tariff), ev)
}

fn best_response_with(
    pricing: &Pricing,
    tariff: &Tariff,
    scaled: &Scaled,
    ev: usize,
) -> Result<BestResponse> {
    let x_star = &pricing.plan.x;
    let assigned = pricing.net_utility(tariff, ev, x_star);
    let out = pricing.opted_out(ev);
    let mut best = (pricing.net_utility(tariff, ev, &out), None, out);
    let mut undecided_stations = Vec::new();
    for s in 0..pricing.model.instance().stations().len() {
        match best_plan_at(&scaled.pricing, &scaled.tariff, ev, s)? {
            AtStation::Plan(x) => {
                let x = scaled.back.columns(scaled.pricing.model.model(), &x);
                let u = pricing.net_utility(tariff, ev, &x);
                if u > best.0 {
                    best = (u, Some(s), x);
                }
            }
            AtStation::NoPlan => {}
            AtStation::Undecided => undecided_stations.push(s),
        }
    }
    let plan = pricing.model.plan(&best.2);
    Ok(BestResponse {
        ev,
        assigned_utility: assigned,
        best_utility: best.0,
        gain: best.0 - assigned,
        best_station: best.1,
        best_energy_kwh: plan.energy_kwh[ev].clone(),
        undecided_stations,
    })
}

/// Best responses of every user.
pub fn best_responses(pricing: &Pricing, tariff: &Tariff) -> Result<Vec<BestResponse>> {
    let scaled = Scaled::of(pricing, tariff);
    (0..pricing.model.instance().evs().len())
        .map(|n| best_response_with(pricing, tariff, &scaled, n))
        .collect()
}

/// The user's best plan at station `s`, whether none satisfies its own rows, or undecided.
fn best_plan_at(pricing: &Pricing, tariff: &Tariff, ev: usize, s: usize) -> Result<AtStation> {
    let model = &pricing.model;
    let lm = model.model();
    let inst = model.instance();
    // Base point: x* with this EV plugged in at s and no energy.
    let mut base = pricing.plan.x.clone();
    for j in pricing.columns_of(ev) {
        base[j] = match lm.columns[j].name {
            VarName::Serve { station, .. } if station == s => 1.0,
            _ => 0.0,
        };
    }
    let e_cols: Vec<usize> = inst.evs()[ev]
        .window()
        .filter_map(|t| model.energy_column(ev, s, t))
        .collect();
    let w = e_cols.len();
    let pos = |j: usize| e_cols.iter().position(|&c| c == j);
    let touched = pricing.touched_rows(ev);
    let prices = pricing.prices_for(ev, Some(s));
    let now = pricing.usage(ev, &base);
    let opt = pricing.usage(ev, &pricing.plan.x);
    // D_k = c_k + g_k . e
    let rows_g: Vec<(f64, Vec<(usize, f64)>)> = touched
        .iter()
        .map(|&k| {
            let row = &lm.rows[prices[k].model_row];
            let g = row
                .terms
                .iter()
                .filter_map(|&(j, a)| pos(j).map(|p| (p, a)))
                .collect();
            (now[k] - opt[k], g)
        })
        .collect();
    let n_r = if matches!(tariff, Tariff::CmpB) {
        touched.len()
    } else {
        0
    };
    let nvar = w + n_r;
    let mut q = vec![0.0; nvar];
    for (p, &j) in e_cols.iter().enumerate() {
        q[p] = -lm.objective[j];
    }
    let (mut pi, mut pj, mut pv) = (Vec::new(), Vec::new(), Vec::new());
    match tariff {
        Tariff::CmpA => {
            for (idx, &k) in touched.iter().enumerate() {
                let price = &prices[k];
                let (c, g) = &rows_g[idx];
                for &(a, ga) in g {
                    q[a] += (price.rho + 2.0 * price.eta * c) * ga;
                    for &(b, gb) in g {
                        if a <= b {
                            pi.push(a);
                            pj.push(b);
                            pv.push(2.0 * price.eta * ga * gb);
                        }
                    }
                }
            }
        }
        Tariff::CmpB => {
            for (idx, &k) in touched.iter().enumerate() {
                let price = &prices[k];
                q[w + idx] = price.rho;
                if price.eta > 0.0 {
                    pi.push(w + idx);
                    pj.push(w + idx);
                    pv.push(2.0 * price.eta);
                }
            }
        }
        Tariff::Linear { rho, credit } => {
            for (idx, &k) in touched.iter().enumerate() {
                for &(a, ga) in &rows_g[idx].1 {
                    q[a] += rho[k] * ga;
                }
            }
            for (p, &j) in e_cols.iter().enumerate() {
                q[p] -= credit[j];
            }
        }
    }
    // Constraints: the EV's own rows with the binaries fixed, e >= 0, and r_k >= D_k - s*_k.
    let mut eq: Vec<(Vec<(usize, f64)>, f64)> = Vec::new();
    let mut le: Vec<(Vec<(usize, f64)>, f64)> = Vec::new();
    for row in &lm.rows {
        let own = matches!(row.name, RowName::Assign { ev: n } | RowName::Rate { ev: n, .. } | RowName::Demand { ev: n } if n == ev);
        if !own {
            continue;
        }
        let terms: Vec<(usize, f64)> = row
            .terms
            .iter()
            .filter_map(|&(j, a)| pos(j).map(|p| (p, a)))
            .collect();
        let fixed: f64 = row
            .terms
            .iter()
            .filter(|&&(j, _)| pos(j).is_none())
            .map(|&(j, a)| a * base[j])
            .sum();
        let rhs = row.rhs - fixed;
        if terms.is_empty() {
            let violated = match row.sense {
                Sense::Eq => rhs.abs() > 1e-9,
                Sense::Le => rhs < -1e-9,
            };
            if violated {
                return Ok(AtStation::NoPlan);
            }
            continue;
        }
        match row.sense {
            Sense::Eq => eq.push((terms, rhs)),
            Sense::Le => le.push((terms, rhs)),
        }
    }
    for p in 0..w {
        le.push((vec![(p, -1.0)], 0.0));
    }
    if n_r > 0 {
        for (idx, &k) in touched.iter().enumerate() {
            let (c, g) = &rows_g[idx];
            let mut terms = g.clone();
            terms.push((w + idx, -1.0));
            le.push((terms, prices[k].slack - c));
        }
    }
    let mut data = ConicData::new(nvar);
    data.push_block(eq, SupportedConeT::ZeroConeT);
    data.push_block(le, SupportedConeT::NonnegativeConeT);
    let a = data.matrix();
    let p = CscMatrix::new_from_triplets(nvar, nvar, pi, pj, pv);
    Ok(
        match run_clarabel(&p, &q, &a, &data.b, &data.cones, &ConeSettings::default())? {
            ConicOutcome::Point(point) => {
                let mut x = base;
                for (pos, &j) in e_cols.iter().enumerate() {
                    x[j] = point.x[pos].max(0.0);
                }
                AtStation::Plan(x)
            }
            ConicOutcome::Infeasible {
                status: SolveStatus::Infeasible,
            } => AtStation::NoPlan,
            ConicOutcome::Infeasible { .. } => AtStation::Undecided,
        },
    )
}
