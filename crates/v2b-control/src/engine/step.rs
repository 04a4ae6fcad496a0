//! One slot's control step, shared by the simulator and the live controller: ask the policy,
//! check its answer, pass it through the plant's clamps. Both paths call exactly this, which is
//! what makes a simulated episode a replay of the live API.

use crate::plant::{self, Applied};
use crate::policy::{ChargingPolicy, Decision, Observation};
use crate::{Error, Result};

/// The policy's decision for `obs` and the power each charger will actually draw: the request
/// clamped to the charger, the battery's curve and room, and the site's no-export rule
/// (uncontrolled chargers draw their full power).
pub(crate) fn decide_and_apply(
    policy: &mut dyn ChargingPolicy,
    obs: &Observation<'_>,
) -> Result<(Decision, Vec<Applied>)> {
    let decision = policy.decide(obs)?;
    if decision.power_kw.len() != obs.evs.len() {
        return Err(Error::InvalidParameter {
            field: "decision.power_kw",
            reason: format!(
                "policy {} returned {} requests for {} EVs",
                policy.name(),
                decision.power_kw.len(),
                obs.evs.len()
            ),
        });
    }
    if let Some(v) = decision.power_kw.iter().position(|p| !p.is_finite()) {
        return Err(Error::InvalidParameter {
            field: "decision.power_kw",
            reason: format!(
                "policy {} requested {} kW for EV {v}",
                policy.name(),
                decision.power_kw[v]
            ),
        });
    }
    let caps: Vec<(f64, f64)> = obs
        .evs
        .iter()
        .map(|ev| (ev.charge_cap_kw, ev.discharge_cap_kw))
        .collect();
    let controlled: Vec<bool> = obs
        .evs
        .iter()
        .map(|ev| obs.config.charger(ev.charger).controlled)
        .collect();
    let applied = plant::apply(
        &decision.power_kw,
        &caps,
        &controlled,
        obs.building_kw,
        obs.config.site.no_export(),
        obs.config.site.import_limit_kw(),
    );
    Ok((decision, applied))
}
