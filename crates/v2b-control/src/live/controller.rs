//! The live controller: state and history in, set-points out.

use super::state::{SiteState, SlottedState};
use crate::engine::step::decide_and_apply;
use crate::policy::{ChargingPolicy, ForecastMode, Observation, OnFailure};
use crate::policy::{FutureUsers, Horizon, PolicyKind, PolicySettings, RefineLimit};
use crate::{Error, History, Result, SiteConfig};
use evmech_milp_model::charging::TimeGrid;
use evmech_milp_model::LpBackend;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// How a [`Controller`] decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveOptions {
    /// The policy (default MC-MPC). The Oracles need the whole month in advance and are
    /// refused.
    pub policy: PolicyKind,
    /// Futures per MC-MPC decision (default 30).
    pub scenarios: usize,
    /// Seed of the futures (mixed with the date and slot).
    pub seed: u64,
    /// LP solver.
    pub backend: LpBackend,
    /// MC-MPC's time grid (default: the first hour slot by slot, then hours).
    pub time_grid: TimeGrid,
    /// The site's IANA time zone (default `America/Los_Angeles`, the paper's site): the day,
    /// the slot and the tariff's windows are read in it, and days have 92 or 100 slots when
    /// its clocks change. A tariff without a `timezone` takes this one; a tariff naming
    /// another zone is refused.
    pub time_zone: String,
    /// How far MPC's and MC-MPC's refinement may charge an EV (default: to its target).
    #[serde(default)]
    pub refine_to: RefineLimit,
    /// How far ahead MPC and MC-MPC plan (default: a rolling 24 hours).
    #[serde(default)]
    pub horizon: Horizon,
    /// How MC-MPC's futures weigh drivers who have not plugged in yet (default: their
    /// requests as promises; `outside-option` where drivers negotiate).
    #[serde(default, skip_serializing_if = "FutureUsers::is_default")]
    pub future_users: FutureUsers,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            policy: PolicyKind::McMpc,
            scenarios: 30,
            seed: 0,
            backend: LpBackend::default(),
            time_grid: TimeGrid::HOURLY_AFTER_FIRST_HOUR,
            time_zone: "America/Los_Angeles".into(),
            refine_to: RefineLimit::Target,
            horizon: Horizon::default(),
            future_users: FutureUsers::Committed,
        }
    }
}

/// One EV's set-point for the coming slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setpoint {
    /// The EV's id from the state.
    pub ev: String,
    /// Its charger.
    pub charger: usize,
    /// Grid-side power for the slot, kW (negative = discharge), after the plant's limits.
    pub power_kw: f64,
    /// What the policy asked for before the charger, battery and no-export limits, kW.
    pub requested_kw: f64,
}

/// One EV's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvPlanOut {
    /// The EV's id from the state.
    pub ev: String,
    /// Its charger.
    pub charger: usize,
    /// Planned grid-side power per slot from the current one to the departure, kW, averaged
    /// over the futures (empty for the heuristics, which plan one slot at a time).
    pub power_kw: Vec<f64>,
}

/// A live decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveDecision {
    /// Start of the slot the decision is for (RFC 3339, in the site's zone).
    pub time: String,
    /// The policy's name.
    pub policy: String,
    /// `optimal` when the optimiser solved; `heuristic` for the policies without a model.
    /// A failed or inaccurate solve is an error, never a silent fallback.
    pub status: String,
    /// One set-point per connected EV, in the state's order.
    pub setpoints: Vec<Setpoint>,
    /// The plan behind the set-points, per EV.
    pub plan: Vec<EvPlanOut>,
    /// Slot length of the plan, minutes.
    pub slot_minutes: f64,
    /// The optimiser's expected cost of the rest of the horizon, USD (energy, demand above
    /// the month's peak, shortfall and degradation at the model's weights); `None` for
    /// heuristics.
    pub expected_cost_usd: Option<f64>,
    /// Where the futures came from: `history`, `history-mean`, or `history (persistence)`
    /// when the history had no usable past day; `None` for heuristics.
    pub forecast: Option<String>,
    /// Seconds inside the solver.
    pub solve_seconds: f64,
    /// Seconds for the whole decision.
    pub decision_seconds: f64,
}

/// The live controller of one site. See the [module docs](super).
pub struct Controller {
    pub(super) config: SiteConfig,
    pub(super) time_zone: TimeZone,
    options: LiveOptions,
    policy: Box<dyn ChargingPolicy>,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("config", &self.config)
            .field("options", &self.options)
            .finish()
    }
}

impl Controller {
    /// A controller for `config` deciding with `options`. Errors name the field:
    /// `time_zone` (unknown, or not the tariff's), `policy` (an Oracle), `scenarios` (0), or
    /// the site's.
    pub fn new(mut config: SiteConfig, options: LiveOptions) -> Result<Self> {
        let time_zone = TimeZone::get(&options.time_zone).map_err(|e| Error::InvalidField {
            field: "time_zone".into(),
            reason: format!("{:?}: {e}", options.time_zone),
        })?;
        match &config.tariff.timezone {
            None => config.tariff.timezone = Some(options.time_zone.clone()),
            Some(zone) if *zone != options.time_zone => {
                return Err(Error::InvalidField {
                    field: "time_zone".into(),
                    reason: format!(
                        "{:?} is not the tariff's time zone {zone:?}: the controller's clock and the tariff's must agree",
                        options.time_zone
                    ),
                })
            }
            Some(_) => {}
        }
        config.validate()?;
        options.horizon.validate()?;
        if matches!(options.policy, PolicyKind::Oracle | PolicyKind::OracleDaily) {
            return Err(Error::InvalidField {
                field: "policy".into(),
                reason: format!(
                    "{} plans with the whole month's recorded data (hindsight); live policies: \
                     mc-mpc, mpc, llf, edf, reqcharge, maxcharge",
                    options.policy.name()
                ),
            });
        }
        if options.scenarios == 0 {
            return Err(Error::InvalidField {
                field: "scenarios".into(),
                reason: "must be at least 1".into(),
            });
        }
        let policy = options.policy.build(&PolicySettings {
            scenarios: options.scenarios,
            seed: options.seed,
            backend: options.backend,
            on_failure: OnFailure::Error,
            time_grid: options.time_grid,
            forecast: ForecastMode::History,
            refine_to: options.refine_to,
            horizon: options.horizon,
            future_users: options.future_users,
        });
        Ok(Controller {
            config,
            time_zone,
            options,
            policy,
        })
    }

    /// The site.
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// The options.
    pub fn options(&self) -> &LiveOptions {
        &self.options
    }

    /// The time `slots` slots after the start of the current slot, RFC 3339 in the site's zone.
    pub(super) fn time_after(&self, s: &SlottedState, slots: usize) -> String {
        let minutes = (slots as f64 * self.config.tariff.slot_hours() * 60.0).round() as i64;
        let t: jiff::Timestamp = s
            .slot_start
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .unwrap_or(s.slot_start);
        t.to_zoned_datetime(self.time_zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// Checks `state` against the site and places it on the slot grid (what
    /// [`Controller::decide`] does first).
    pub fn slotted(&self, state: &SiteState) -> Result<SlottedState> {
        state.slotted(&self.config, &self.time_zone)
    }

    /// The decision for the slot that contains `state.time`, reading only `history` recorded
    /// before it. Errors: an invalid state (the field is named), a failed or inaccurate solve.
    pub fn decide(&mut self, state: &SiteState, history: &History) -> Result<LiveDecision> {
        let started = Instant::now();
        let slotted = self.slotted(state)?;
        history.validate(&self.config.clock())?;
        let evs = self.connected(state, &slotted);
        let obs = Observation {
            config: &self.config,
            date: slotted.date,
            slot: slotted.slot,
            building_kw: state.building_kw,
            past_peaks_kw: &slotted.past_peaks_kw,
            evs: &evs,
            history,
            hindsight: None,
        };
        let (decision, applied) = decide_and_apply(self.policy.as_mut(), &obs)?;
        let setpoints = state
            .evs
            .iter()
            .zip(&applied)
            .map(|(ev, a)| Setpoint {
                ev: ev.id.clone(),
                charger: ev.charger,
                power_kw: a.applied_kw,
                requested_kw: a.requested_kw,
            })
            .collect();
        let plan = state
            .evs
            .iter()
            .enumerate()
            .map(|(i, ev)| EvPlanOut {
                ev: ev.id.clone(),
                charger: ev.charger,
                power_kw: decision.plan_kw.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        let time = self.time_after(&slotted, 0);
        Ok(LiveDecision {
            time,
            policy: self.policy.name(),
            status: if decision.expected_cost_usd.is_some() {
                "optimal".into()
            } else {
                "heuristic".into()
            },
            setpoints,
            plan,
            slot_minutes: self.config.tariff.slot_hours() * 60.0,
            expected_cost_usd: decision.expected_cost_usd,
            forecast: decision.forecast,
            solve_seconds: decision.solver_seconds,
            decision_seconds: started.elapsed().as_secs_f64(),
        })
    }
}
