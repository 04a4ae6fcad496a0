//! The bridge from a recorded session to the charging model's [`PlannedEv`].

use crate::{EvAt, Session, SiteConfig};
use evmech_milp_model::charging::PlannedEv;

/// A session on `charger` from its arrival, with its (clipped) `target_kwh`.
pub fn session_ev(
    config: &SiteConfig,
    key: u64,
    session: &Session,
    charger: usize,
    target_kwh: f64,
) -> PlannedEv {
    config.planned_ev(&EvAt {
        key,
        charger,
        arrival_slot: session.arrival_slot,
        departure_slot: session.departure_slot,
        energy_kwh: session.arrival_energy_kwh,
        target_kwh,
        battery_kwh: session.battery_kwh,
        limits: session.limits,
    })
}
