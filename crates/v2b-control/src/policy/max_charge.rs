//! MaxCharge: full power until full, never discharging (the paper's Appendix G).

use super::{ChargingPolicy, Decision, Observation};
use crate::Result;

/// Requests the plant's charging cap (the charger, the curve and the room up to the ceiling).
#[derive(Debug, Clone, Copy, Default)]
pub struct MaxCharge;

impl ChargingPolicy for MaxCharge {
    fn name(&self) -> String {
        "maxcharge".into()
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        Ok(Decision::heuristic(
            obs.evs.iter().map(|ev| ev.charge_cap_kw).collect(),
        ))
    }
}
