//! Least laxity first under a peak-slot budget (V1G only).

use super::budget::{allocate, eligible, slots_to_target};
use super::{ChargingPolicy, Decision, Observation};
use crate::Result;

/// LLF: eligible EVs sorted by laxity `(d - k) - n` (slots left minus the minimum slots to
/// reach the target at full power), ties by deadline, arrival, key; laxity `<= 0` is forced.
///
/// `reference_compat` reproduces the open reference implementations the paper's baselines
/// follow: sort by time left and force EVs departing within 4 slots.
#[derive(Debug, Clone, Copy, Default)]
pub struct Llf {
    /// Sort by time left and force departures within 4 slots.
    pub reference_compat: bool,
}

impl ChargingPolicy for Llf {
    fn name(&self) -> String {
        "llf".into()
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        let mut keyed: Vec<(i64, usize, usize, u64, usize, bool)> = eligible(obs)
            .into_iter()
            .map(|v| {
                let ev = &obs.evs[v];
                let left = (ev.departure_slot - obs.slot) as i64;
                let need = slots_to_target(obs, ev).min(10 * left as usize + 1000) as i64;
                let (key, forced) = if self.reference_compat {
                    (left, left <= 4)
                } else {
                    (left - need, left - need <= 0)
                };
                (key, ev.departure_slot, ev.arrival_slot, ev.key, v, forced)
            })
            .collect();
        keyed.sort_by_key(|k| (k.0, k.1, k.2, k.3));
        let order = keyed.into_iter().map(|k| (k.4, k.5)).collect();
        Ok(Decision::heuristic(allocate(obs, order)))
    }
}
