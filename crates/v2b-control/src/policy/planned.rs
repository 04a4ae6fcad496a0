//! The bridge from a recorded session to the charging model's [`PlannedEv`].

use crate::{EvAt, Session, SiteConfig};
use evmech_milp_model::charging::PlannedEv;

/// Cuts `ev` at slot `end` when it leaves later: its departure becomes `end` and its target
/// drops by what full power (the vehicle's and the charger's, after efficiency) stores between
/// `end` and its real departure, never below what it holds or its floor. A plan over a horizon
/// that ends before an EV leaves asks for no more than it must have by then.
pub fn truncate(ev: &mut PlannedEv, end: usize, slot_hours: f64) {
    if ev.departure_slot <= end {
        return;
    }
    let after = (ev.departure_slot - end) as f64 * slot_hours;
    let deliverable = ev.max_charge_kw * ev.charge_efficiency * after;
    let floor = ev.min_kwh.min(ev.energy_kwh).min(ev.target_kwh);
    ev.target_kwh = (ev.target_kwh - deliverable).max(floor);
    ev.departure_slot = end.max(ev.arrival_slot + 1);
}

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
