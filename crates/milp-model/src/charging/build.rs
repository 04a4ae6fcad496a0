//! Writing a [`ChargingProblem`] as a [`SparseLp`]: each constraint family of the charging model
//! once, for every block.

use super::flex::FlexCols;
use super::grid::{StepData, Steps};
use super::{ChargingCurve, ChargingProblem, CurveForm, PeakCoupling, PlannedEv, Shortfall};
use crate::SparseLp;
use std::collections::HashMap;

/// A stored energy: a known constant (the first slot) or a column.
#[derive(Debug, Clone, Copy)]
pub(super) enum Energy {
    Known(f64),
    Col(usize),
}

/// Where one EV's quantities live in the model.
#[derive(Debug, Clone)]
pub(super) struct EvCols {
    pub first_slot: usize,
    pub charge: Vec<Option<usize>>,
    pub discharge: Vec<Option<usize>>,
    pub energy: Vec<Energy>,
    pub shortfall: usize,
}

/// Where one block's quantities live.
#[derive(Debug, Clone)]
pub(super) struct BlockCols {
    pub peak: usize,
    /// The peak column of each further demand charge.
    pub more_peaks: Vec<usize>,
    pub evs: Vec<EvCols>,
    pub steps: Steps,
}

/// The model and its index.
pub(super) struct Built {
    pub lp: SparseLp,
    pub blocks: Vec<BlockCols>,
    pub flex: Option<FlexCols>,
}

/// Full-power trajectory of an uncontrolled charger: the literal curve from arrival until full.
pub(super) fn uncontrolled_trajectory(ev: &PlannedEv, first_slot: usize, tau: f64) -> Vec<f64> {
    let mut e = ev.energy_kwh;
    (first_slot..ev.departure_slot)
        .map(|_| {
            let room = ((ev.max_kwh - e) / (ev.charge_efficiency * tau)).max(0.0);
            let p = ev
                .curve
                .literal_cap_kw(ev.max_charge_kw, ev.battery_kwh, e)
                .min(room);
            e += tau * ev.charge_efficiency * p;
            p
        })
        .collect()
}

/// One peak column per further demand charge, at `weight` times its rate, bounded below by its
/// past peak.
fn more_peak_cols(lp: &mut SparseLp, problem: &ChargingProblem, weight: f64) -> Vec<usize> {
    problem
        .more_demand
        .iter()
        .map(|d| {
            lp.set_family("peak_kw");
            lp.add_col(d.past_peak_kw, f64::INFINITY, weight * d.usd_per_kw)
        })
        .collect()
}

pub(super) fn build(problem: &ChargingProblem) -> Built {
    let tau = problem.slot_hours;
    let w = problem.weights;
    let mut lp = SparseLp::default();
    let inf = f64::INFINITY;
    let shared_peak = match problem.peak_coupling {
        PeakCoupling::Shared => {
            lp.set_family("peak_kw");
            Some(lp.add_col(problem.past_peak_kw, inf, w.demand_usd_per_kw))
        }
        PeakCoupling::PerBlock => None,
    };
    let shared_more: Option<Vec<usize>> = (problem.peak_coupling == PeakCoupling::Shared)
        .then(|| more_peak_cols(&mut lp, problem, 1.0));
    let flex = problem.flexibility.as_ref().map(|f| f.add_columns(&mut lp));
    let mut first_actions: HashMap<u64, (Option<usize>, Option<usize>)> = HashMap::new();
    let mut blocks = Vec::with_capacity(problem.blocks.len());
    for block in &problem.blocks {
        let omega = block.weight;
        let steps = problem
            .time_grid
            .steps(block.start_slot, block.building_kw.len());
        let data: Vec<StepData> = steps
            .steps
            .iter()
            .map(|&s| StepData::of(block, s))
            .collect();
        let peak = shared_peak.unwrap_or_else(|| {
            lp.set_family("peak_kw");
            lp.add_col(problem.past_peak_kw, inf, omega * w.demand_usd_per_kw)
        });
        let more_peaks = shared_more
            .clone()
            .unwrap_or_else(|| more_peak_cols(&mut lp, problem, omega));
        lp.cost_constant += block
            .building_kw
            .iter()
            .zip(&block.price_usd_per_kwh)
            .map(|(b, p)| omega * p * tau * b)
            .sum::<f64>();
        let mut grid_terms: Vec<Vec<(usize, f64)>> = vec![Vec::new(); steps.steps.len()];
        // Power the uncontrolled chargers draw in each step (the import limit cannot cut it).
        let mut fixed_kw = vec![0.0; steps.steps.len()];
        let mut evs = Vec::with_capacity(block.evs.len());
        for ev in &block.evs {
            let s0 = ev.arrival_slot.max(block.start_slot);
            let (a, b) = (s0 - block.start_slot, ev.departure_slot - block.start_slot);
            let k0 = steps.of_slot[a];
            let len = steps.of_slot[b - 1] + 1 - k0;
            let fixed = (!ev.controlled).then(|| {
                let traj = uncontrolled_trajectory(ev, s0, tau);
                steps.steps[k0..k0 + len]
                    .iter()
                    .map(|st| st.within(a, b).map(|o| traj[o - a]).sum::<f64>() / st.len as f64)
                    .collect::<Vec<f64>>()
            });
            let e_lo = ev.min_kwh.min(ev.energy_kwh);
            let bidirectional = ev.max_discharge_kw > 0.0 && ev.controlled;
            // Without discharge, energy above the target only costs: the LP may stop there.
            let e_hi = if bidirectional || fixed.is_some() {
                ev.max_kwh.max(ev.energy_kwh)
            } else {
                ev.target_kwh.min(ev.max_kwh).max(ev.energy_kwh)
            };
            let mut cols = EvCols {
                first_slot: s0,
                charge: Vec::with_capacity(len),
                discharge: Vec::with_capacity(len),
                energy: vec![Energy::Known(ev.energy_kwh)],
                shortfall: 0,
            };
            for i in 0..len {
                let k = k0 + i;
                let step = steps.steps[k];
                let share = step.share(a, b);
                let tau_k = tau * step.len as f64;
                let price = data[k].price;
                let shared = (problem.non_anticipative && i == 0 && s0 == block.start_slot)
                    .then(|| first_actions.get(&ev.key).copied())
                    .flatten();
                let (charge, discharge) = match shared {
                    Some(pair) => pair,
                    None => {
                        let charge = (ev.max_charge_kw > 0.0).then(|| {
                            let (lo, up) = match &fixed {
                                Some(traj) => (traj[i], traj[i]),
                                None => (0.0, first_slot_cap(problem, ev, i) * share),
                            };
                            lp.set_family("charge_kw");
                            lp.add_col(lo, up, 0.0)
                        });
                        let discharge = (ev.max_discharge_kw > 0.0 && ev.controlled).then(|| {
                            lp.set_family("discharge_kw");
                            lp.add_col(0.0, ev.max_discharge_kw * share, 0.0)
                        });
                        if problem.non_anticipative && i == 0 && s0 == block.start_slot {
                            first_actions.insert(ev.key, (charge, discharge));
                        }
                        (charge, discharge)
                    }
                };
                lp.set_family("energy_kwh");
                let e_next = lp.add_col(e_lo, e_hi, 0.0);
                let mut dynamics = vec![(e_next, 1.0)];
                let mut rhs = 0.0;
                match cols.energy[i] {
                    Energy::Known(e) => rhs = e,
                    Energy::Col(j) => dynamics.push((j, -1.0)),
                }
                if let (Some(traj), None) = (&fixed, shared) {
                    fixed_kw[k] += traj[i];
                }
                if let Some(j) = charge {
                    lp.cost[j] += omega * price * tau_k;
                    dynamics.push((j, -tau_k * ev.charge_efficiency));
                    grid_terms[k].push((j, 1.0));
                }
                if let Some(j) = discharge {
                    lp.cost[j] += omega * tau_k * (w.degradation_usd_per_kwh - price);
                    dynamics.push((j, tau_k / ev.discharge_efficiency));
                    grid_terms[k].push((j, -1.0));
                }
                lp.set_family("soc_dynamics");
                lp.add_row(rhs, rhs, &dynamics);
                if let Some(fc) = &flex {
                    fc.gate(
                        &mut lp,
                        ev,
                        block.start_slot + step.offset,
                        charge,
                        discharge,
                    );
                }
                if let (Some(j), None) = (charge, &fixed) {
                    let scale = step.scale(a, b);
                    if let Energy::Col(e) = cols.energy[i] {
                        curve_rows(&mut lp, problem.curve_form, ev, (j, scale), e, e_hi);
                    }
                    if step.within(a, b).len() > 1 {
                        let last = LastSlot {
                            charge: j,
                            discharge,
                            energy_end: e_next,
                            scale,
                            tau,
                        };
                        last_slot_curve_rows(&mut lp, ev, &last, e_hi);
                    }
                }
                if let (Some(r), true) = (problem.ramp_kw, i > 0) {
                    let mut terms = Vec::new();
                    for (col, sign) in [
                        (charge, 1.0),
                        (discharge, -1.0),
                        (cols.charge[i - 1], -1.0),
                        (cols.discharge[i - 1], 1.0),
                    ] {
                        if let Some(j) = col {
                            terms.push((j, sign));
                        }
                    }
                    lp.set_family("ramp");
                    lp.add_row(-r, r, &terms);
                }
                cols.charge.push(charge);
                cols.discharge.push(discharge);
                cols.energy.push(Energy::Col(e_next));
            }
            lp.set_family("shortfall_kwh");
            let z = lp.add_col(0.0, inf, omega * ev.shortfall_weight(&w));
            if let Energy::Col(last) = cols.energy[len] {
                let mut row = vec![(z, 1.0), (last, 1.0)];
                if let Some(fc) = flex.as_ref().filter(|fc| fc.key == ev.key) {
                    row.push((fc.sigma, 1.0));
                }
                lp.set_family("target");
                lp.add_row(ev.target_kwh, inf, &row);
                if problem.shortfall == Shortfall::TwoSided {
                    let above: Vec<(usize, f64)> = row
                        .iter()
                        .map(|&(j, a)| if j == z { (j, a) } else { (j, -a) })
                        .collect();
                    lp.set_family("target_above");
                    lp.add_row(-ev.target_kwh, inf, &above);
                }
            }
            cols.shortfall = z;
            evs.push(cols);
        }
        for (k, ((terms, d), step)) in grid_terms.iter().zip(&data).zip(&steps.steps).enumerate() {
            if problem.no_export && !terms.is_empty() {
                lp.set_family("no_export");
                lp.add_row(-d.building, inf, terms);
            }
            let markdown = problem
                .export_price_usd_per_kwh
                .map_or(0.0, |e| d.price - e);
            if !problem.no_export && markdown > 0.0 && !terms.is_empty() {
                // y >= max(-G, 0) at cost (price - export) tau: exports earn the export price.
                lp.set_family("export_kw");
                let y = lp.add_col(0.0, inf, omega * markdown * tau * step.len as f64);
                let mut row = terms.clone();
                row.push((y, 1.0));
                lp.set_family("export");
                lp.add_row(-d.building, inf, &row);
            }
            if let Some(building) = d.peak_building {
                let mut row: Vec<(usize, f64)> = terms.iter().map(|&(j, a)| (j, -a)).collect();
                row.push((peak, 1.0));
                lp.set_family("demand_peak");
                lp.add_row(building, inf, &row);
            }
            if let (Some(dr), false) = (d.dr, terms.is_empty()) {
                // y >= G - F, y >= 0 at the penalty: each kWh above the firm level costs it.
                lp.set_family("dr_excess_kw");
                let y = lp.add_col(
                    0.0,
                    inf,
                    omega * dr.penalty_usd_per_kwh * tau * step.len as f64,
                );
                let mut row: Vec<(usize, f64)> = terms.iter().map(|&(j, a)| (j, -a)).collect();
                row.push((y, 1.0));
                lp.set_family("dr_excess");
                lp.add_row(d.building - dr.firm_kw, inf, &row);
            }
            if let (Some(cap), false) = (problem.import_limit_kw, terms.is_empty()) {
                lp.set_family("import_limit");
                let room = (cap - d.building).max(0.0) + fixed_kw[k];
                lp.add_row(-inf, room, terms);
            }
            for (&col, building) in more_peaks.iter().zip(&d.more_peak_building) {
                if let Some(building) = *building {
                    let mut row: Vec<(usize, f64)> = terms.iter().map(|&(j, a)| (j, -a)).collect();
                    row.push((col, 1.0));
                    lp.set_family("demand_peak");
                    lp.add_row(building, inf, &row);
                }
            }
        }
        blocks.push(BlockCols {
            peak,
            more_peaks,
            evs,
            steps,
        });
    }
    Built { lp, blocks, flex }
}

/// The columns of a step of several slots whose last slot's curve is written.
struct LastSlot {
    charge: usize,
    discharge: Option<usize>,
    energy_end: usize,
    scale: f64,
    tau: f64,
}

/// The concave cap at the start of the step's last present slot, whose energy is the step's end
/// energy less that slot's own charge (linear in the columns). With the start's rows this is
/// every slot's cap: the energy is linear in time within the step.
fn last_slot_curve_rows(lp: &mut SparseLp, ev: &PlannedEv, last: &LastSlot, e_hi: f64) {
    let rate = last.scale * last.tau;
    lp.set_family("curve_last_slot");
    for piece in binding_pieces(ev, e_hi) {
        let mut row = vec![
            (
                last.charge,
                last.scale + piece.slope * rate * ev.charge_efficiency,
            ),
            (last.energy_end, -piece.slope),
        ];
        if let Some(d) = last.discharge {
            row.push((d, -piece.slope * rate / ev.discharge_efficiency));
        }
        lp.add_row(f64::NEG_INFINITY, piece.intercept, &row);
    }
}

/// Upper bound of the charge column of slot `i`: the charger, and at the first slot (known
/// energy) the curve's cap at that energy.
fn first_slot_cap(problem: &ChargingProblem, ev: &PlannedEv, i: usize) -> f64 {
    if i > 0 {
        return ev.max_charge_kw;
    }
    let e = ev.energy_kwh;
    match problem.curve_form {
        CurveForm::ConcaveCap => ev.curve.concave_cap_kw(ev.max_charge_kw, ev.battery_kwh, e),
        CurveForm::Literal => ev.curve.literal_cap_kw(ev.max_charge_kw, ev.battery_kwh, e),
    }
}

/// The concave cap's pieces that can bind below `e_hi` (the energy's upper bound).
fn binding_pieces(ev: &PlannedEv, e_hi: f64) -> impl Iterator<Item = super::CurvePiece> {
    let c = ev.max_charge_kw;
    ev.curve
        .concave_pieces(c, ev.battery_kwh)
        .into_iter()
        .filter(move |piece| !(piece.at(e_hi) >= c && piece.slope <= 0.0))
}

/// The curve's constraints on the charge column `p` given the energy column `e` at the step's
/// start. `p` enters with the given scale: a step's power is its average, the EV draws `scale`
/// times it in the slots it is present.
fn curve_rows(
    lp: &mut SparseLp,
    form: CurveForm,
    ev: &PlannedEv,
    (p, scale): (usize, f64),
    e: usize,
    e_hi: f64,
) {
    let (c, b) = (ev.max_charge_kw, ev.battery_kwh);
    match form {
        CurveForm::ConcaveCap => {
            lp.set_family("curve");
            for piece in binding_pieces(ev, e_hi) {
                lp.add_row(
                    f64::NEG_INFINITY,
                    piece.intercept,
                    &[(p, scale), (e, -piece.slope)],
                );
            }
        }
        CurveForm::Literal => {
            if ev.curve == ChargingCurve::Flat || ev.curve.literal_cap_kw(c, b, e_hi) >= c {
                return;
            }
            let segments = ev.curve.literal_segments(c, b);
            let mut pick = Vec::with_capacity(segments.len());
            for seg in segments {
                lp.set_family("curve_segment");
                let y = lp.add_binary(0.0);
                lp.set_family("curve_literal");
                pick.push((y, 1.0));
                lp.add_row(f64::NEG_INFINITY, seg.upper_kwh + b, &[(e, 1.0), (y, b)]);
                lp.add_row(seg.lower_kwh - b, f64::INFINITY, &[(e, 1.0), (y, -b)]);
                let big = c - seg.at(0.0).min(seg.at(b));
                lp.add_row(
                    f64::NEG_INFINITY,
                    seg.intercept + big,
                    &[(p, 1.0), (e, -seg.slope), (y, big)],
                );
            }
            lp.set_family("curve_pick");
            lp.add_row(1.0, 1.0, &pick);
        }
    }
}
