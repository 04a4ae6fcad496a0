//! The bridge from simulator state to the charging model's [`PlannedEv`].

use crate::{Scenario, Session};
use evmech_milp_model::charging::PlannedEv;

/// The charging model's view of an EV on charger `charger` present in
/// `[arrival_slot, departure_slot)` with `energy_kwh` stored when the model starts.
#[allow(clippy::too_many_arguments)]
pub fn planned_ev(
    scenario: &Scenario,
    key: u64,
    charger: usize,
    arrival_slot: usize,
    departure_slot: usize,
    energy_kwh: f64,
    target_kwh: f64,
    battery_kwh: f64,
) -> PlannedEv {
    let c = &scenario.site().chargers()[charger];
    PlannedEv {
        key,
        arrival_slot,
        departure_slot,
        energy_kwh,
        target_kwh,
        min_kwh: scenario.soc_floor() * battery_kwh,
        max_kwh: battery_kwh,
        battery_kwh,
        max_charge_kw: c.max_charge_kw,
        max_discharge_kw: c.max_discharge_kw,
        charge_efficiency: c.charge_efficiency,
        discharge_efficiency: c.discharge_efficiency,
        curve: scenario.curve(),
        controlled: c.controlled,
    }
}

/// A session on `charger` from its arrival, with its (clipped) `target_kwh`.
pub fn session_ev(
    scenario: &Scenario,
    key: u64,
    session: &Session,
    charger: usize,
    target_kwh: f64,
) -> PlannedEv {
    planned_ev(
        scenario,
        key,
        charger,
        session.arrival_slot,
        session.departure_slot,
        session.arrival_energy_kwh,
        target_kwh,
        session.battery_kwh,
    )
}
