//! Time-of-use energy prices with a monthly demand charge, and the monthly bill.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A two-level TOU tariff with a demand charge on the monthly peak over the peak window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tariff {
    /// Slot length, hours.
    pub slot_hours: f64,
    /// Energy price inside the peak window, $/kWh.
    pub peak_usd_per_kwh: f64,
    /// Energy price outside it, $/kWh.
    pub offpeak_usd_per_kwh: f64,
    /// First slot of the day in the peak window.
    pub peak_start_slot: usize,
    /// First slot of the day after the peak window (exclusive).
    pub peak_end_slot: usize,
    /// Demand charge on the monthly maximum grid power inside the peak window, $/kW.
    pub demand_usd_per_kw: f64,
}

/// A monthly bill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bill {
    /// Energy cost, $.
    pub energy_usd: f64,
    /// Monthly peak grid power inside the peak window, kW.
    pub peak_kw: f64,
    /// Demand charge, $.
    pub demand_usd: f64,
}

impl Bill {
    /// Energy cost plus demand charge, $.
    pub fn total_usd(&self) -> f64 {
        self.energy_usd + self.demand_usd
    }
}

impl Tariff {
    /// Silicon Valley Power as calibrated in the CONSENT paper: 15-minute slots, 0.178 $/kWh from
    /// 06:00 to 22:00 (slots 24-87), 0.137 $/kWh otherwise, 11.67 $/kW of monthly peak demand.
    pub fn silicon_valley_power() -> Self {
        Tariff {
            slot_hours: 0.25,
            peak_usd_per_kwh: 0.178,
            offpeak_usd_per_kwh: 0.137,
            peak_start_slot: 24,
            peak_end_slot: 88,
            demand_usd_per_kw: 11.67,
        }
    }

    /// Checks every field: a slot length dividing the hour, a peak window inside the day,
    /// finite non-negative prices and demand charge.
    pub fn validate(&self) -> Result<()> {
        let bad = |field: &'static str, reason: String| Error::InvalidParameter { field, reason };
        let per_hour = 1.0 / self.slot_hours;
        if !(self.slot_hours.is_finite()
            && self.slot_hours > 0.0
            && (per_hour - per_hour.round()).abs() < 1e-9)
        {
            return Err(bad(
                "tariff.slot_hours",
                format!("must divide the hour, got {}", self.slot_hours),
            ));
        }
        if self.peak_start_slot > self.peak_end_slot || self.peak_end_slot > self.slots_per_day() {
            return Err(bad(
                "tariff.peak_end_slot",
                "the peak window must lie inside the day".into(),
            ));
        }
        for (field, v) in [
            ("tariff.peak_usd_per_kwh", self.peak_usd_per_kwh),
            ("tariff.offpeak_usd_per_kwh", self.offpeak_usd_per_kwh),
            ("tariff.demand_usd_per_kw", self.demand_usd_per_kw),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad(field, format!("must be finite and >= 0, got {v}")));
            }
        }
        Ok(())
    }

    /// Slots per day.
    pub fn slots_per_day(&self) -> usize {
        (24.0 / self.slot_hours).round() as usize
    }

    /// Whether a slot of the day is in the peak window.
    pub fn is_peak(&self, slot: usize) -> bool {
        (self.peak_start_slot..self.peak_end_slot).contains(&slot)
    }

    /// Energy price of a slot of the day, $/kWh.
    pub fn energy_price(&self, slot: usize) -> f64 {
        if self.is_peak(slot) {
            self.peak_usd_per_kwh
        } else {
            self.offpeak_usd_per_kwh
        }
    }

    /// The monthly bill of daily grid-power profiles (kW per slot, one profile per billed day).
    pub fn bill(&self, days: &[Vec<f64>]) -> Result<Bill> {
        let n = self.slots_per_day();
        let mut energy = 0.0;
        let mut peak: f64 = 0.0;
        for (d, day) in days.iter().enumerate() {
            if day.len() != n {
                return Err(Error::InvalidParameter {
                    field: "days",
                    reason: format!("day {d} has {} slots, the tariff has {n}", day.len()),
                });
            }
            for (k, &kw) in day.iter().enumerate() {
                energy += self.energy_price(k) * kw * self.slot_hours;
                if self.is_peak(k) {
                    peak = peak.max(kw);
                }
            }
        }
        Ok(Bill {
            energy_usd: energy,
            peak_kw: peak,
            demand_usd: self.demand_usd_per_kw * peak,
        })
    }
}
