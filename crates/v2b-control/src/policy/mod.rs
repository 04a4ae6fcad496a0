//! Charging policies: one trait, one file each.

mod budget;
mod edf;
mod futures;
mod kind;
mod llf;
mod max_charge;
mod mc_mpc;
mod oracle;
mod planned;
mod req_charge;

pub use edf::Edf;
pub(crate) use futures::standard_normal;
pub(crate) use futures::{future_blocks, FutureQuery};
pub use futures::{
    planned_connected, session_key, stream_seed, ForecastMode, FutureSampler, FutureUsers, Horizon,
};
pub use kind::{grid_by_name, grid_name, PolicyKind, PolicySettings, GRIDS};
pub use llf::Llf;
pub use max_charge::MaxCharge;
pub use mc_mpc::{refine, McMpc, McMpcOptions, OnFailure, PlannedProblem, RefineLimit};
pub use oracle::{Oracle, OracleMode, SHORTFALL_WEIGHT_USD_PER_KWH};
pub use planned::{session_ev, truncate};
pub use req_charge::ReqCharge;

use crate::{Date, EvAt, History, Result, Scenario, SiteConfig};
use serde::{Deserialize, Serialize};

/// What a policy may know at the start of a day: the scenario (the Oracle reads all of it;
/// forecasting policies read only past days and the building profile), the day's exogenous
/// charger assignment and the clipped targets.
#[derive(Debug, Clone, Copy)]
pub struct DayView<'a> {
    /// The episode.
    pub scenario: &'a Scenario,
    /// Index of the day in the episode.
    pub day: usize,
    /// Charger of each of the day's sessions (`None`: no charger was free).
    pub assignment: &'a [Option<usize>],
    /// Target energy of each session after clipping to the reachable energy, kWh.
    pub targets_kwh: &'a [f64],
    /// The month's peak so far of each demand charge of the tariff (the highest net import
    /// over its window), kW, in the tariff's order.
    pub past_peaks_kw: &'a [f64],
    /// The EVs plugged in when the day starts (they stayed over midnight), with their state
    /// then (arrival slot 0, departure counted from today's midnight).
    pub connected: &'a [ConnectedEv],
}

/// A connected EV at the start of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConnectedEv {
    /// Index of the session in the day.
    pub session: usize,
    /// Unique key of the session in the episode.
    pub key: u64,
    /// Charger index in the site.
    pub charger: usize,
    /// Arrival slot.
    pub arrival_slot: usize,
    /// Departure slot (exclusive).
    pub departure_slot: usize,
    /// Stored energy, kWh.
    pub energy_kwh: f64,
    /// Target energy at departure, kWh.
    pub target_kwh: f64,
    /// Discharge floor, kWh.
    pub min_kwh: f64,
    /// Ceiling, kWh.
    pub max_kwh: f64,
    /// Battery capacity, kWh.
    pub battery_kwh: f64,
    /// The plant's charging cap this slot, kW.
    pub charge_cap_kw: f64,
    /// The plant's discharging cap this slot, kW.
    pub discharge_cap_kw: f64,
    /// The vehicle's own limits.
    pub limits: crate::VehicleLimits,
}

impl ConnectedEv {
    /// The EV's identity, slots and energies.
    pub fn at(&self) -> EvAt {
        EvAt {
            key: self.key,
            charger: self.charger,
            arrival_slot: self.arrival_slot,
            departure_slot: self.departure_slot,
            energy_kwh: self.energy_kwh,
            target_kwh: self.target_kwh,
            battery_kwh: self.battery_kwh,
            limits: self.limits,
        }
    }
}

/// What a policy observes at the start of a slot: the site, the clock, the building load now,
/// the month's billed peak so far, the connected EVs and the site's history. This is all a live
/// site has; the simulator builds exactly this from its state (and may add the recorded day as
/// `hindsight` for the policies that are allowed to cheat, such as the Oracle).
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// The site, tariff, curve and floor.
    pub config: &'a SiteConfig,
    /// Today's date, local to the site.
    pub date: Date,
    /// Slot of the day.
    pub slot: usize,
    /// Building load this slot (measured), kW.
    pub building_kw: f64,
    /// The month's peak so far of each demand charge of the tariff, kW, in the tariff's order.
    pub past_peaks_kw: &'a [f64],
    /// Connected EVs.
    pub evs: &'a [ConnectedEv],
    /// What the site recorded before now.
    pub history: &'a History,
    /// The recorded day, for policies and forecasts that use hindsight (the Oracle,
    /// [`ForecastMode::HindsightPool`], [`ForecastMode::HindsightPerfect`]); `None` for a live
    /// site.
    pub hindsight: Option<&'a DayView<'a>>,
}

impl Observation<'_> {
    /// The recorded day, or an error naming `what` needs it.
    pub fn hindsight_view(&self, what: &str) -> Result<&DayView<'_>> {
        self.hindsight
            .ok_or_else(|| crate::Error::InvalidParameter {
                field: "forecast",
                reason: format!(
                    "{what} reads the recorded episode (hindsight); a live decision has none"
                ),
            })
    }

    /// The largest building load of the month so far, now included, kW.
    pub fn month_load_max_kw(&self) -> f64 {
        self.history
            .month_load_max_before(self.date, self.slot)
            .max(self.building_kw)
    }
}

/// A policy's requests for one slot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Requested grid-side power per connected EV (same order), kW; negative = discharge.
    pub power_kw: Vec<f64>,
    /// Optimisation models solved for this decision.
    pub lp_solves: usize,
    /// Seconds spent inside solvers.
    pub solver_seconds: f64,
    /// The policy's optimiser failed and an explicit fallback produced the requests.
    pub fallback: bool,
    /// The plan behind the requests: per connected EV (same order), its planned net power per
    /// slot from now to its departure, averaged over the futures, kW (empty for heuristics).
    #[serde(default)]
    pub plan_kw: Vec<Vec<f64>>,
    /// The optimiser's expected cost of the rest of the horizon (energy, demand above the past
    /// peak, shortfall and degradation at the model's weights), USD; `None` for heuristics.
    #[serde(default)]
    pub expected_cost_usd: Option<f64>,
    /// Where the futures came from (`history`, `hindsight-pool`, ...); `None` without futures.
    #[serde(default)]
    pub forecast: Option<String>,
}

impl Decision {
    /// Requests without any solve.
    pub fn heuristic(power_kw: Vec<f64>) -> Self {
        Decision {
            power_kw,
            ..Decision::default()
        }
    }
}

/// A charging policy.
pub trait ChargingPolicy {
    /// Short name (`"mc-mpc"`).
    fn name(&self) -> String;

    /// Called before each simulated day.
    fn begin_day(&mut self, _view: &DayView<'_>) -> Result<()> {
        Ok(())
    }

    /// Requests a power per connected EV.
    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision>;

    /// Called by the simulator at the start of every slot, once that slot's departures are
    /// settled and before any decision, with the building's cost so far (USD, what the
    /// episode's `building_cost_usd` would be if it ended now). A learning policy takes its
    /// reward from the differences ([`crate::env::StepEnv`] does); the default ignores it.
    fn billed(&mut self, _cost_to_date_usd: f64) {}
}
