//! ReqCharge: full power until the target, then idle (the paper's Appendix G).

use super::{ChargingPolicy, ConnectedEv, Decision, Observation};
use crate::Result;

/// Requests `min(cap, (target - e)+ / (eta_c tau))`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReqCharge;

/// ReqCharge's request for one EV, kW (also the explicit fallback of the optimising policies).
pub(crate) fn req_charge_kw(obs: &Observation<'_>, ev: &ConnectedEv) -> f64 {
    let eta = obs.config.charger(ev.charger).charge_efficiency;
    let tau = obs.config.tariff.slot_hours();
    ev.charge_cap_kw
        .min((ev.target_kwh - ev.energy_kwh).max(0.0) / (eta * tau))
}

impl ChargingPolicy for ReqCharge {
    fn name(&self) -> String {
        "reqcharge".into()
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        Ok(Decision::heuristic(
            obs.evs.iter().map(|ev| req_charge_kw(obs, ev)).collect(),
        ))
    }
}
