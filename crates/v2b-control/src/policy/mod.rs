//! Charging policies: one trait, one file each.

mod budget;
mod edf;
mod futures;
mod llf;
mod max_charge;
mod mc_mpc;
mod oracle;
mod planned;
mod req_charge;

pub use edf::Edf;
pub(crate) use futures::standard_normal;
pub use futures::{planned_connected, session_key, stream_seed, ForecastMode, FutureSampler};
pub use llf::Llf;
pub use max_charge::MaxCharge;
pub use mc_mpc::{refine, McMpc, McMpcOptions, OnFailure};
pub use oracle::{default_weights, Oracle, OracleMode, SHORTFALL_WEIGHT_USD_PER_KWH};
pub use planned::{planned_ev, session_ev};
pub use req_charge::ReqCharge;

use crate::{Result, Scenario};
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
    /// The month's peak-slot maximum of the site's net import so far, kW.
    pub past_peak_kw: f64,
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
}

/// What a policy observes at the start of a slot.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// The day.
    pub view: &'a DayView<'a>,
    /// Slot of the day.
    pub slot: usize,
    /// Building load this slot (known), kW.
    pub building_kw: f64,
    /// The month's peak-slot maximum so far, kW.
    pub past_peak_kw: f64,
    /// Connected EVs.
    pub evs: &'a [ConnectedEv],
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
}
