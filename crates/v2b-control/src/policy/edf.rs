//! Earliest deadline first under a peak-slot budget (V1G only).

use super::budget::{allocate, eligible, slots_to_target};
use super::{ChargingPolicy, Decision, Observation};
use crate::Result;

/// EDF: eligible EVs sorted by departure (then arrival, then key) share the budget; an EV with
/// no slack left (laxity `<= 0`) is forced to full power.
#[derive(Debug, Clone, Copy, Default)]
pub struct Edf;

impl ChargingPolicy for Edf {
    fn name(&self) -> String {
        "edf".into()
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        let mut order = eligible(obs);
        order.sort_by_key(|&v| {
            let ev = &obs.evs[v];
            (ev.departure_slot, ev.arrival_slot, ev.key)
        });
        let order = order
            .into_iter()
            .map(|v| {
                let ev = &obs.evs[v];
                let left = ev.departure_slot - obs.slot;
                (v, slots_to_target(obs, ev) >= left)
            })
            .collect();
        Ok(Decision::heuristic(allocate(obs, order)))
    }
}
