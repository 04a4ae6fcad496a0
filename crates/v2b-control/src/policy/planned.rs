//! The bridge from a recorded session to the charging model's [`PlannedEv`].

use crate::{Session, SiteConfig};
use evmech_milp_model::charging::PlannedEv;

/// A session on `charger` from its arrival, with its (clipped) `target_kwh`.
pub fn session_ev(
    config: &SiteConfig,
    key: u64,
    session: &Session,
    charger: usize,
    target_kwh: f64,
) -> PlannedEv {
    config.planned_ev(
        key,
        charger,
        session.arrival_slot,
        session.departure_slot,
        session.arrival_energy_kwh,
        target_kwh,
        session.battery_kwh,
    )
}
