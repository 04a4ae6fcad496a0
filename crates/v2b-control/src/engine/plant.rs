//! The plant: what a charger and a battery can physically do in one slot. The
//! simulator applies it to every request, whatever the policy.

use crate::Charger;
use evmech_milp_model::charging::ChargingCurve;
use serde::{Deserialize, Serialize};

/// One connected battery as the plant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Battery {
    /// Stored energy, kWh.
    pub energy_kwh: f64,
    /// Capacity, kWh.
    pub capacity_kwh: f64,
    /// Discharge floor, kWh.
    pub min_kwh: f64,
    /// Ceiling, kWh.
    pub max_kwh: f64,
}

/// Maximum charging power this slot, kW: the charger, the literal curve and the room left.
pub fn charge_cap_kw(b: &Battery, c: &Charger, curve: ChargingCurve, slot_hours: f64) -> f64 {
    let room = (b.max_kwh - b.energy_kwh).max(0.0) / (c.charge_efficiency * slot_hours);
    curve
        .literal_cap_kw(c.max_charge_kw, b.capacity_kwh, b.energy_kwh)
        .min(room)
}

/// Maximum discharging power this slot, kW: the charger and the energy above the floor (flat in
/// the state of charge, the paper's Appendix F).
pub fn discharge_cap_kw(b: &Battery, c: &Charger, slot_hours: f64) -> f64 {
    let above = (b.energy_kwh - b.min_kwh).max(0.0) * c.discharge_efficiency / slot_hours;
    c.max_discharge_kw.min(above)
}

/// Stored energy after holding `power_kw` (grid side, positive = charging) for one slot.
pub fn integrate(energy_kwh: f64, power_kw: f64, c: &Charger, slot_hours: f64) -> f64 {
    if power_kw >= 0.0 {
        energy_kwh + slot_hours * c.charge_efficiency * power_kw
    } else {
        energy_kwh + slot_hours * power_kw / c.discharge_efficiency
    }
}

/// What the plant applied to one request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The policy's request, kW.
    pub requested_kw: f64,
    /// The power applied, kW.
    pub applied_kw: f64,
}

/// Applies requests: a controlled charger clips to `[-discharge cap, charge cap]`, an
/// uncontrolled one draws its charge cap; under no-export, if the site's net import would be
/// negative, every discharge is scaled by one common factor until it is zero; with an import
/// limit, if the net import would pass `max(building, limit)`, every controlled charge is
/// scaled by one common factor until it does not (uncontrolled chargers cannot be cut).
pub fn apply(
    requests: &[f64],
    caps: &[(f64, f64)],
    controlled: &[bool],
    building_kw: f64,
    no_export: bool,
    import_limit_kw: Option<f64>,
) -> Vec<Applied> {
    let mut applied: Vec<f64> = requests
        .iter()
        .zip(caps)
        .zip(controlled)
        .map(|((&r, &(up, down)), &ctl)| if ctl { r.clamp(-down, up) } else { up })
        .collect();
    let net = building_kw + applied.iter().sum::<f64>();
    if no_export && net < 0.0 {
        let discharge: f64 = applied.iter().filter(|p| **p < 0.0).map(|p| -p).sum();
        let factor = if discharge > 0.0 {
            ((discharge + net) / discharge).max(0.0)
        } else {
            1.0
        };
        for p in applied.iter_mut().filter(|p| **p < 0.0) {
            *p *= factor;
        }
    }
    if let Some(cap) = import_limit_kw {
        let allowed = building_kw.max(cap);
        let net = building_kw + applied.iter().sum::<f64>();
        let cuttable: f64 = applied
            .iter()
            .zip(controlled)
            .filter(|(p, &c)| c && **p > 0.0)
            .map(|(p, _)| p)
            .sum();
        if net > allowed && cuttable > 0.0 {
            let factor = ((cuttable - (net - allowed)) / cuttable).max(0.0);
            for (p, _) in applied
                .iter_mut()
                .zip(controlled)
                .filter(|(p, &c)| c && **p > 0.0)
            {
                *p *= factor;
            }
        }
    }
    requests
        .iter()
        .zip(applied)
        .map(|(&requested_kw, applied_kw)| Applied {
            requested_kw,
            applied_kw,
        })
        .collect()
}

/// Energy reachable by `slots` slots at full power under the LP's concave cap (never above the
/// literal curve), kWh: requests are clipped to it at plug-in, so a plan meeting every
/// target exists and the plant can execute it.
pub fn reachable_kwh(
    b: &Battery,
    c: &Charger,
    curve: ChargingCurve,
    slot_hours: f64,
    slots: usize,
) -> f64 {
    let mut e = b.energy_kwh;
    for _ in 0..slots {
        let room = (b.max_kwh - e).max(0.0) / (c.charge_efficiency * slot_hours);
        let p = curve
            .concave_cap_kw(c.max_charge_kw, b.capacity_kwh, e)
            .min(room);
        e += slot_hours * c.charge_efficiency * p;
    }
    e
}
