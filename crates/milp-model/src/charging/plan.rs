//! The solved plan of a [`ChargingProblem`](super::ChargingProblem).

use super::build::{BlockCols, Energy};
use super::flex::FlexCols;
use super::ChargingProblem;
use super::FlexChoice;
use crate::{LpBackend, ModelSize, Solution, SolveStatus};
use serde::{Deserialize, Serialize};

/// One EV's planned trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvPlan {
    /// The EV's key.
    pub key: u64,
    /// Absolute slot of `charge_kw[0]`.
    pub first_slot: usize,
    /// Charging power per slot, kW.
    pub charge_kw: Vec<f64>,
    /// Discharging power per slot, kW.
    pub discharge_kw: Vec<f64>,
    /// Stored energy at the start of each slot and at departure (one more entry), kWh.
    pub energy_kwh: Vec<f64>,
    /// Energy short of the target at departure, kWh.
    pub shortfall_kwh: f64,
}

impl EvPlan {
    /// Net power (charge minus discharge) in slot `i` of the plan, kW.
    pub fn net_kw(&self, i: usize) -> f64 {
        self.charge_kw[i] - self.discharge_kw[i]
    }
}

/// One block's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockPlan {
    /// The block's peak variable `M` (the shared one under `PeakCoupling::Shared`), kW.
    pub peak_kw: f64,
    /// The peak variable of each further demand charge (`ChargingProblem::more_demand`), kW.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_peaks_kw: Vec<f64>,
    /// Site net import per slot, kW.
    pub grid_kw: Vec<f64>,
    /// The EVs, in the block's order.
    pub evs: Vec<EvPlan>,
    /// The block's own objective terms, unweighted, USD (energy, its demand term, shortfall and
    /// degradation at the problem's weights).
    pub cost_usd: f64,
}

/// An optimal charging plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingPlan {
    /// How the solve ended: [`SolveStatus::Optimal`] or [`SolveStatus::Inaccurate`] (the
    /// interior-point backend's reduced accuracy; callers decide whether to accept it).
    pub status: SolveStatus,
    /// The backend that solved it.
    pub backend: LpBackend,
    /// Optimal objective, USD (weighted over blocks), without the flexibility's tie-break.
    pub objective_usd: f64,
    /// The flexible EV's chosen deviation, when the problem has one.
    pub flex: Option<FlexChoice>,
    /// Per-block plans.
    pub blocks: Vec<BlockPlan>,
    /// Model size.
    pub size: ModelSize,
    /// Seconds spent writing the model.
    pub build_seconds: f64,
    /// Seconds spent in the solver.
    pub solve_seconds: f64,
    /// Largest `min(charge, discharge)` in any slot, kW: above `1e-6` the split is not exact
    /// and a plant would execute the net power.
    pub simultaneous_kw: f64,
}

impl ChargingPlan {
    /// The net first-slot action of the EV with `key` in block 0, if it is present at the
    /// block's first slot: what a receding-horizon controller applies.
    pub fn first_action_kw(&self, key: u64, start_slot: usize) -> Option<f64> {
        self.blocks
            .first()?
            .evs
            .iter()
            .find(|ev| ev.key == key && ev.first_slot == start_slot)
            .map(|ev| ev.net_kw(0))
    }
}

pub(super) fn extract(
    problem: &ChargingProblem,
    cols: &[BlockCols],
    flex: Option<&FlexCols>,
    point: &Solution,
    size: ModelSize,
    build_seconds: f64,
) -> ChargingPlan {
    let x = &point.x;
    let value = |j: Option<usize>| j.map_or(0.0, |j| x[j]);
    let tau = problem.slot_hours;
    let w = problem.weights;
    let mut simultaneous: f64 = 0.0;
    let blocks = problem
        .blocks
        .iter()
        .zip(cols)
        .map(|(block, bc)| {
            let mut grid = block.building_kw.clone();
            let mut cost = 0.0;
            let evs = bc
                .evs
                .iter()
                .zip(&block.evs)
                .map(|(ec, ev)| {
                    let energy: Vec<f64> = ec
                        .energy
                        .iter()
                        .map(|e| match *e {
                            Energy::Known(v) => v,
                            Energy::Col(j) => x[j],
                        })
                        .collect();
                    let (a, b) = (
                        ec.first_slot - block.start_slot,
                        ev.departure_slot - block.start_slot,
                    );
                    let mut plan = EvPlan {
                        key: ev.key,
                        first_slot: ec.first_slot,
                        charge_kw: Vec::with_capacity(b - a),
                        discharge_kw: Vec::with_capacity(b - a),
                        energy_kwh: Vec::with_capacity(b - a + 1),
                        shortfall_kwh: x[ec.shortfall],
                    };
                    let first_step = bc.steps.of_slot[a];
                    for (i, (&c, &d)) in ec.charge.iter().zip(&ec.discharge).enumerate() {
                        let step = bc.steps.steps[first_step + i];
                        let present = step.within(a, b);
                        // A step's power is its average: the EV draws it over the slots it is there.
                        let scale = step.scale(a, b);
                        let (charge, discharge) = (value(c) * scale, value(d) * scale);
                        simultaneous = simultaneous.max(charge.min(discharge));
                        for (t, k) in present.clone().enumerate() {
                            let along = t as f64 / present.len() as f64;
                            plan.energy_kwh
                                .push(energy[i] + along * (energy[i + 1] - energy[i]));
                            plan.charge_kw.push(charge);
                            plan.discharge_kw.push(discharge);
                            grid[k] += charge - discharge;
                            cost += w.degradation_usd_per_kwh * tau * discharge;
                        }
                    }
                    plan.energy_kwh.push(energy[energy.len() - 1]);
                    cost += ev.shortfall_weight(&w) * plan.shortfall_kwh;
                    plan
                })
                .collect();
            let peak_kw = x[bc.peak];
            let more_peaks_kw: Vec<f64> = bc.more_peaks.iter().map(|&c| x[c]).collect();
            cost += problem.demand_usd(peak_kw, &more_peaks_kw);
            cost += block
                .dr
                .iter()
                .zip(&grid)
                .filter_map(|(d, &g)| {
                    d.map(|d| d.penalty_usd_per_kwh * tau * (g - d.firm_kw).max(0.0))
                })
                .sum::<f64>();
            cost += grid
                .iter()
                .zip(&block.price_usd_per_kwh)
                .map(|(&g, &p)| problem.grid_cost_usd(g, p))
                .sum::<f64>();
            BlockPlan {
                peak_kw,
                more_peaks_kw,
                grid_kw: grid,
                evs,
                cost_usd: cost,
            }
        })
        .collect();
    let flex = flex.map(|f| f.choice(x));
    ChargingPlan {
        status: point.status,
        backend: problem.backend,
        objective_usd: point.objective - flex.map_or(0.0, |f| f.tie_break_usd),
        flex,
        blocks,
        size,
        build_seconds,
        solve_seconds: point.seconds,
        simultaneous_kw: simultaneous,
    }
}
