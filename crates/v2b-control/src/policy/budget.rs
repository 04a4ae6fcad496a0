//! The sorted allocation under a peak-slot power budget shared by EDF and LLF.

use super::req_charge::req_charge_kw;
use super::{ConnectedEv, Observation};
use crate::plant::{charge_cap_kw, integrate, Battery};

/// The budget of EV charging this slot, kW: `max(0, Theta - building)` in the slots of the
/// tariff's first demand charge with `Theta = max(0.8 * the month's maximum building load so
/// far, that charge's past peak)`; unlimited elsewhere (and without any demand charge). (The papers' baselines read the whole month's maximum, which a live site does not
/// know; this reads the month up to now.)
pub(super) fn budget_kw(obs: &Observation<'_>) -> f64 {
    let slot = obs.slot;
    if !obs.config.tariff.demand_applies(0, obs.date, slot) {
        return f64::INFINITY;
    }
    let past = obs.past_peaks_kw.first().copied().unwrap_or(0.0);
    let theta = (0.8 * obs.month_load_max_kw()).max(past);
    (theta - obs.building_kw).max(0.0)
}

/// Minimum slots to reach the target at full power (forward plant simulation, curve
/// included); `usize::MAX` when it is never reached.
pub(super) fn slots_to_target(obs: &Observation<'_>, ev: &ConnectedEv) -> usize {
    let config = obs.config;
    let charger = config.charger(ev.charger);
    let tau = config.tariff.slot_hours();
    let mut b = Battery {
        energy_kwh: ev.energy_kwh,
        capacity_kwh: ev.battery_kwh,
        min_kwh: ev.min_kwh,
        max_kwh: ev.max_kwh,
    };
    let horizon = config.slots_per_day();
    for n in 0..=horizon {
        if ev.target_kwh - b.energy_kwh <= 1e-6 {
            return n;
        }
        let p = charge_cap_kw(&b, charger, config.curve, tau);
        if p <= 0.0 {
            break;
        }
        b.energy_kwh = integrate(b.energy_kwh, p, charger, tau);
    }
    usize::MAX
}

/// Allocates in `order` (each entry: EV index and whether it is forced): forced EVs get their
/// full request regardless of the budget, the others `min(request, budget left)`.
pub(super) fn allocate(obs: &Observation<'_>, mut order: Vec<(usize, bool)>) -> Vec<f64> {
    let mut left = budget_kw(obs);
    let mut power = vec![0.0; obs.evs.len()];
    order.sort_by_key(|&(_, forced)| !forced);
    for (v, forced) in order {
        let want = req_charge_kw(obs, &obs.evs[v]);
        let p = if forced { want } else { want.min(left) };
        left = (left - p).max(0.0);
        power[v] = p;
    }
    power
}

/// EVs still short of their target.
pub(super) fn eligible(obs: &Observation<'_>) -> Vec<usize> {
    (0..obs.evs.len())
        .filter(|&v| obs.evs[v].target_kwh - obs.evs[v].energy_kwh > 1e-6)
        .collect()
}
