//! Monte-Carlo MPC (the paper's eq. 19 and Algorithm 2) and deterministic MPC
//! (one future).

use super::req_charge::req_charge_kw;
use super::{
    future_blocks, planned_connected, ChargingPolicy, Decision, ForecastMode, FutureQuery,
    FutureUsers, Horizon, Observation,
};
use crate::forecast::{Forecaster, HistoryForecaster};
use crate::{Error, Result};
use evmech_milp_model::charging::{ChargingPlan, ChargingProblem, ChargingWeights, TimeGrid};
use evmech_milp_model::LpBackend;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What to do when the charging model fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// Stop the simulation with the error (the default).
    #[default]
    Error,
    /// Play ReqCharge for the slot and count a fallback.
    ReqCharge,
}

/// How far the refinement may raise an EV's charging.
///
/// The refinement (the paper's eq. 20) fills the import up to the month's peak so far with
/// charging that no demand charge bills. Up to the EV's target that charging is only moved
/// earlier; above the target it is energy the building buys and the car takes away. On the
/// shared May 2019 weekdays, [`RefineLimit::Ceiling`] charges the bidirectional EVs about 640 kWh
/// beyond their targets over the month and costs MC-MPC 1.0 % of the Oracle's bill (causal
/// futures: +2.23 % against +1.18 % with [`RefineLimit::Target`]; `docs/v2b.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefineLimit {
    /// Up to the EV's target on every charger (the default).
    #[default]
    Target,
    /// The paper's eq. 20: up to the target on a unidirectional charger, up to the EV's ceiling
    /// (`e_max`) on a bidirectional one.
    Ceiling,
}

impl RefineLimit {
    /// Both limits, for parsing by name.
    pub const ALL: [RefineLimit; 2] = [RefineLimit::Target, RefineLimit::Ceiling];

    /// `target` or `ceiling`.
    pub fn name(self) -> &'static str {
        match self {
            RefineLimit::Target => "target",
            RefineLimit::Ceiling => "ceiling",
        }
    }
}

impl std::str::FromStr for RefineLimit {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(&RefineLimit::ALL, RefineLimit::name, "refine-to", s)
    }
}

/// Options of [`McMpc`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct McMpcOptions {
    /// Futures per decision (`F`; 30 in the paper, 1 for deterministic MPC).
    pub scenarios: usize,
    /// Seed of the future streams.
    pub seed: u64,
    /// Where the futures come from (default: the causal [`ForecastMode::History`]).
    pub forecast: ForecastMode,
    /// Relative load error per slot of [`ForecastMode::HindsightPool`], standard deviation
    /// (0.0627 = 5 % MAPE).
    pub load_noise_sd: f64,
    /// Objective weights (`None`: [`SiteConfig::default_weights`](crate::SiteConfig::default_weights)).
    pub weights: Option<ChargingWeights>,
    /// Apply the paper's refinement toward the estimated peak (eq. 20).
    pub refinement: bool,
    /// Water-filling instead of the single pass in the refinement.
    pub water_filling: bool,
    /// How far the refinement may charge an EV (default: to its target).
    #[serde(default)]
    pub refine_to: RefineLimit,
    /// How far ahead the model plans (default: a rolling 24 hours; the hindsight forecast modes
    /// always plan to the end of the day, the recorded day holding no next morning).
    #[serde(default)]
    pub horizon: Horizon,
    /// How the futures weigh later arrivals' requests (default: as promises,
    /// [`FutureUsers::Committed`]); with [`FutureUsers::OutsideOption`] at the site's external
    /// charging price.
    #[serde(default, skip_serializing_if = "FutureUsers::is_default")]
    pub future_users: FutureUsers,
    /// Ramp limit on each EV's net power, kW (off by default).
    pub ramp_kw: Option<f64>,
    /// Solver.
    pub backend: LpBackend,
    /// The model's time steps over each future (default: the first hour slot by slot, then
    /// hours, [`TimeGrid::HOURLY_AFTER_FIRST_HOUR`]: ten times faster at `F = 30` than
    /// [`TimeGrid::Slots`], 1.22 % instead of 1.15 % above the Oracle on the shared month).
    #[serde(default = "default_time_grid")]
    pub time_grid: TimeGrid,
    /// Behaviour on a failed or inaccurate solve.
    pub on_failure: OnFailure,
}

fn default_time_grid() -> TimeGrid {
    TimeGrid::HOURLY_AFTER_FIRST_HOUR
}

impl Default for McMpcOptions {
    fn default() -> Self {
        McMpcOptions {
            scenarios: 30,
            seed: 0,
            forecast: ForecastMode::History,
            load_noise_sd: 0.0627,
            weights: None,
            refinement: true,
            water_filling: false,
            refine_to: RefineLimit::Target,
            horizon: Horizon::default(),
            future_users: FutureUsers::Committed,
            ramp_kw: None,
            backend: LpBackend::default(),
            time_grid: default_time_grid(),
            on_failure: OnFailure::Error,
        }
    }
}

/// Monte-Carlo MPC: at each slot with a connected EV, the sample average over `F` futures of
/// the charging model to the end of the day, one shared first-slot action, the month's past
/// peak carried in; then the refinement toward the past peak.
///
/// The futures come from [`McMpcOptions::forecast`]: by default the policy's [`Forecaster`]
/// ([`HistoryForecaster`] unless replaced with [`McMpc::with_forecaster`]).
#[derive(Debug, Clone)]
pub struct McMpc {
    /// Options.
    pub options: McMpcOptions,
    forecaster: Arc<dyn Forecaster>,
}

impl Default for McMpc {
    fn default() -> Self {
        McMpc::new(McMpcOptions::default())
    }
}

/// One decision's charging problem and the label of its futures' source.
#[derive(Debug, Clone)]
pub struct PlannedProblem {
    /// The charging problem.
    pub problem: ChargingProblem,
    /// Where its futures came from (`history`, `history (persistence)`, `hindsight-pool`).
    pub forecast: String,
}

impl McMpc {
    /// MC-MPC with `options` and the default forecaster: sampled past days for `F > 1`, the
    /// mean past load without future arrivals for `F = 1`.
    pub fn new(options: McMpcOptions) -> Self {
        let forecaster: Arc<dyn Forecaster> = if options.scenarios <= 1 {
            Arc::new(HistoryForecaster::mean())
        } else {
            Arc::new(HistoryForecaster::default())
        };
        McMpc {
            options,
            forecaster,
        }
    }

    /// Replaces the forecaster used by [`ForecastMode::History`].
    pub fn with_forecaster(mut self, forecaster: Arc<dyn Forecaster>) -> Self {
        self.forecaster = forecaster;
        self
    }

    /// The forecaster used by [`ForecastMode::History`].
    pub fn forecaster(&self) -> &dyn Forecaster {
        self.forecaster.as_ref()
    }

    /// Deterministic MPC: one future on the exact slot grid, then the refinement toward the
    /// month's peak. Its future is the default forecaster's point forecast (the mean past load,
    /// no future arrivals).
    ///
    /// The refinement matters most here: a model that sees no future arrival is indifferent
    /// between charging now and later below the month's peak, and later arrivals then stack on
    /// the deferred charging; filling up to the peak now leaves them room. On the first five
    /// weekdays of May 2019 it lowers MPC's energy and demand bill from 4,176 to 3,901 USD
    /// (`docs/v2b.md`).
    pub fn deterministic(seed: u64) -> Self {
        McMpc::new(McMpcOptions {
            scenarios: 1,
            seed,
            refinement: true,
            time_grid: TimeGrid::Slots,
            ..McMpcOptions::default()
        })
    }

    /// The label of the futures' source in reports.
    pub fn forecast_label(&self) -> String {
        match self.options.forecast {
            ForecastMode::History => self.forecaster.name(),
            mode => mode.label().into(),
        }
    }

    /// The charging problem of one decision.
    pub fn problem(&self, obs: &Observation<'_>) -> Result<PlannedProblem> {
        self.options.horizon.validate()?;
        let config = obs.config;
        let mut busy = vec![0usize; config.site.chargers().len()];
        for ev in obs.evs {
            busy[ev.charger] = ev.departure_slot;
        }
        let query = FutureQuery {
            config,
            history: obs.history,
            hindsight: obs.hindsight,
            date: obs.date,
            slot: obs.slot,
            building_kw: obs.building_kw,
            busy_until: busy,
            connected: planned_connected(config, obs.slot, obs.evs),
            hindsight_stream: (
                vec![obs.hindsight.map_or(0, |v| v.day as u64), obs.slot as u64],
                "ch",
            ),
            reach: None,
            horizon: self.options.horizon,
            later_weight: self
                .options
                .future_users
                .weight(config.site.penalties().external_price_usd_per_kwh),
        };
        let (blocks, forecast) = future_blocks(
            &query,
            self.options.forecast,
            self.forecaster.as_ref(),
            self.options.scenarios,
            self.options.seed,
            self.options.load_noise_sd,
        )?;
        let problem = ChargingProblem {
            non_anticipative: true,
            ramp_kw: self.options.ramp_kw,
            time_grid: self.options.time_grid,
            backend: self.options.backend,
            weights: self
                .options
                .weights
                .unwrap_or_else(|| config.default_weights()),
            ..config.charging_problem(blocks, obs.past_peaks_kw)
        };
        Ok(PlannedProblem { problem, forecast })
    }
}

/// The net import this slot that no demand charge bills beyond what the month already owes:
/// the lowest past peak of the charges that apply to the slot (the first charge's past peak
/// when none applies, the paper's `p_hat`).
fn free_level_kw(obs: &Observation<'_>) -> f64 {
    let slot = obs.slot;
    let past = |c: usize| obs.past_peaks_kw.get(c).copied().unwrap_or(0.0);
    (0..obs.config.tariff.demand.len())
        .filter(|&c| obs.config.tariff.demand_applies(c, obs.date, slot))
        .map(past)
        .reduce(f64::min)
        .unwrap_or_else(|| past(0))
}

/// The paper's action refinement (eq. 20): with `gap = p_hat - (building + sum
/// planned)`, if positive each EV gets `min(gap / n, headroom)` more (single pass), or the gap
/// is water-filled over the headrooms.
pub fn refine(
    p_hat_kw: f64,
    building_kw: f64,
    planned_kw: &[f64],
    headroom_kw: &[f64],
    water_filling: bool,
) -> Vec<f64> {
    let mut power = planned_kw.to_vec();
    let gap = p_hat_kw - (building_kw + planned_kw.iter().sum::<f64>());
    if gap <= 0.0 || power.is_empty() {
        return power;
    }
    if !water_filling {
        let share = gap / power.len() as f64;
        for (p, h) in power.iter_mut().zip(headroom_kw) {
            *p += share.min(h.max(0.0));
        }
        return power;
    }
    let mut left = gap;
    let mut room: Vec<f64> = headroom_kw.iter().map(|h| h.max(0.0)).collect();
    while left > 1e-12 {
        let open: Vec<usize> = (0..room.len()).filter(|&v| room[v] > 1e-12).collect();
        if open.is_empty() {
            break;
        }
        let share = left / open.len() as f64;
        for v in open {
            let add = share.min(room[v]);
            power[v] += add;
            room[v] -= add;
            left -= add;
        }
    }
    power
}

impl ChargingPolicy for McMpc {
    fn name(&self) -> String {
        if self.options.scenarios == 1 {
            "mpc".into()
        } else {
            "mc-mpc".into()
        }
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        let PlannedProblem { problem, forecast } = self.problem(obs)?;
        let outcome = problem.solve();
        let plan = match outcome {
            Ok(plan) if plan.status.is_optimal() => plan,
            failed => {
                if self.options.on_failure == OnFailure::ReqCharge {
                    let mut d = Decision::heuristic(
                        obs.evs.iter().map(|ev| req_charge_kw(obs, ev)).collect(),
                    );
                    d.fallback = true;
                    d.lp_solves = 1;
                    d.forecast = Some(forecast);
                    return Ok(d);
                }
                return Err(match failed {
                    Err(source) => Error::Solver {
                        policy: self.name(),
                        source,
                    },
                    Ok(_) => Error::InaccurateSolve {
                        policy: self.name(),
                    },
                });
            }
        };
        let planned: Vec<f64> = obs
            .evs
            .iter()
            .map(|ev| plan.first_action_kw(ev.key, obs.slot).unwrap_or(0.0))
            .collect();
        let plan_kw = obs
            .evs
            .iter()
            .map(|ev| expected_trajectory(&problem, &plan, ev.key, obs.slot))
            .collect();
        let power_kw = if self.options.refinement {
            let tau = obs.config.tariff.slot_hours();
            let headroom: Vec<f64> = obs
                .evs
                .iter()
                .zip(&planned)
                .map(|(ev, &p)| {
                    let c = obs.config.charger(ev.charger);
                    let limit =
                        if c.is_bidirectional() && self.options.refine_to == RefineLimit::Ceiling {
                            ev.max_kwh
                        } else {
                            ev.target_kwh
                        };
                    let to_limit = (limit - ev.energy_kwh).max(0.0) / (c.charge_efficiency * tau);
                    (ev.charge_cap_kw.min(to_limit) - p).max(0.0)
                })
                .collect();
            refine(
                free_level_kw(obs),
                obs.building_kw,
                &planned,
                &headroom,
                self.options.water_filling,
            )
        } else {
            planned
        };
        Ok(Decision {
            power_kw,
            lp_solves: 1,
            solver_seconds: plan.solve_seconds,
            fallback: false,
            plan_kw,
            expected_cost_usd: Some(plan.objective_usd),
            forecast: Some(forecast),
        })
    }
}

/// The planned net power of the EV with `key` per slot from `slot` to its departure,
/// averaged over the futures with their weights, kW.
fn expected_trajectory(
    problem: &ChargingProblem,
    plan: &ChargingPlan,
    key: u64,
    slot: usize,
) -> Vec<f64> {
    let mut mean: Vec<f64> = Vec::new();
    for (block, bp) in problem.blocks.iter().zip(&plan.blocks) {
        let Some(ev) = bp.evs.iter().find(|e| e.key == key && e.first_slot == slot) else {
            continue;
        };
        if mean.len() < ev.charge_kw.len() {
            mean.resize(ev.charge_kw.len(), 0.0);
        }
        for (i, m) in mean.iter_mut().enumerate().take(ev.charge_kw.len()) {
            *m += block.weight * ev.net_kw(i);
        }
    }
    mean
}
