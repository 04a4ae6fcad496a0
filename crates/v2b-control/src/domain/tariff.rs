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
    /// What exported energy earns when the site allows export, $/kWh (`None`: the slot's energy
    /// price). At most the off-peak and the peak price.
    #[serde(default)]
    pub export_usd_per_kwh: Option<f64>,
    /// A price window on top of the TOU levels (the stress test "prices x1.2 over 12-16 h").
    #[serde(default)]
    pub surcharge: Option<Surcharge>,
}

/// Energy prices multiplied by `factor` in the slots `start_slot..end_slot` of every day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Surcharge {
    /// First slot of the day in the window.
    pub start_slot: usize,
    /// First slot of the day after the window (exclusive).
    pub end_slot: usize,
    /// Multiplier, finite and positive.
    pub factor: f64,
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
            export_usd_per_kwh: None,
            surcharge: None,
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
        if let Some(w) = self.surcharge {
            if !(w.start_slot <= w.end_slot && w.end_slot <= self.slots_per_day()) {
                return Err(bad(
                    "tariff.surcharge.end_slot",
                    "the window must lie inside the day".into(),
                ));
            }
            if !(w.factor.is_finite() && w.factor > 0.0) {
                return Err(bad(
                    "tariff.surcharge.factor",
                    format!("must be finite and positive, got {}", w.factor),
                ));
            }
        }
        if let Some(e) = self.export_usd_per_kwh {
            let cheapest = (0..self.slots_per_day())
                .map(|k| self.energy_price(k))
                .fold(f64::INFINITY, f64::min);
            if !(e.is_finite() && e >= 0.0 && e <= cheapest) {
                return Err(bad(
                    "tariff.export_usd_per_kwh",
                    format!("must be finite, >= 0 and at most the cheaper energy price {cheapest}, got {e}"),
                ));
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
        let level = if self.is_peak(slot) {
            self.peak_usd_per_kwh
        } else {
            self.offpeak_usd_per_kwh
        };
        match self.surcharge {
            Some(w) if (w.start_slot..w.end_slot).contains(&slot) => level * w.factor,
            _ => level,
        }
    }

    /// Energy cost of `grid_kw` of net grid power in a slot of the day, $: imports pay the
    /// slot's price, exports (negative power, only possible where the site allows export) earn
    /// the export price.
    pub fn grid_cost(&self, slot: usize, grid_kw: f64) -> f64 {
        let rate = if grid_kw < 0.0 {
            self.export_usd_per_kwh
                .unwrap_or_else(|| self.energy_price(slot))
        } else {
            self.energy_price(slot)
        };
        rate * self.slot_hours * grid_kw
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
                energy += self.grid_cost(k, kw);
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
