//! Tariffs as data: energy prices by period (days of the week, months, local times), any number
//! of demand charges each on its own window, an export price; and the monthly bill.

use super::clock::{zone_named, Clock};
use super::tariff_window::{ClockTime, DaySet, Window};
use crate::domain::ranges::{
    check_range, in_range, MAX_DEMAND_USD_PER_KW, MAX_ENERGY_USD_PER_KWH, MAX_SURCHARGE_FACTOR,
};
use crate::{Date, Error, Result};
use serde::{Deserialize, Serialize};

/// An energy price over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyPeriod {
    /// Days of the week (default: all).
    #[serde(default)]
    pub days: DaySet,
    /// Months 1-12 (absent: every month; seasonal rates list theirs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<Vec<u32>>,
    /// Local start `"HH:MM"`, inclusive (absent with `to`: the whole day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ClockTime>,
    /// Local end `"HH:MM"`, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<ClockTime>,
    /// Price, $/kWh.
    pub usd_per_kwh: f64,
}

/// A demand charge: `usd_per_kw` times the month's highest net import over its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandCharge {
    /// Name, unique in the tariff (`facility`, `on-peak`); reports key the charge by it.
    pub name: String,
    /// Days of the week (default: all).
    #[serde(default)]
    pub days: DaySet,
    /// Months 1-12 (absent: every month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<Vec<u32>>,
    /// Local start `"HH:MM"`, inclusive (absent with `to`: every slot, a facility charge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ClockTime>,
    /// Local end `"HH:MM"`, exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<ClockTime>,
    /// Rate, $/kW of the month's peak over the window.
    pub usd_per_kw: f64,
}

macro_rules! window_of {
    ($t:ty) => {
        impl $t {
            /// When the entry applies.
            pub fn window(&self) -> Window<'_> {
                Window {
                    days: self.days,
                    months: self.months.as_deref(),
                    from: self.from,
                    to: self.to,
                }
            }
        }
    };
}
window_of!(EnergyPeriod);
window_of!(DemandCharge);

/// Energy prices multiplied by `factor` in the slots `start_slot..end_slot` of every day (the
/// stress test "prices x1.2 over 12-16 h").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Surcharge {
    /// First slot of the day in the window.
    pub start_slot: usize,
    /// First slot of the day after the window (exclusive).
    pub end_slot: usize,
    /// Multiplier, finite and positive.
    pub factor: f64,
}

/// A tariff. JSON (the `--tariff` file):
///
/// ```json
/// {"name": "Example TOU", "timezone": "America/Los_Angeles",
///  "energy": [{"days": "weekdays", "from": "12:00", "to": "18:00", "usd_per_kwh": 0.33},
///             {"days": "weekdays", "from": "18:00", "to": "12:00", "usd_per_kwh": 0.15},
///             {"days": "weekends", "usd_per_kwh": 0.12}],
///  "demand": [{"name": "facility", "usd_per_kw": 8.5},
///             {"name": "on-peak", "days": "weekdays", "from": "12:00", "to": "18:00", "usd_per_kw": 12.0}],
///  "export_usd_per_kwh": 0.0}
/// ```
///
/// Every slot of every day of every month must be priced by exactly one `energy` entry; an
/// overlap or a gap is refused naming the entry. Times are local and `to` is exclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// Name (for reports).
    #[serde(default = "unnamed")]
    pub name: String,
    /// IANA time zone of the site's clock: days are laid into slots on it (92 or 100
    /// quarter-hours on daylight-saving days) and periods are read on its wall clock. Absent:
    /// every day is 24 wall-clock hours. See [`Clock`](crate::Clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Slot length, minutes (default 15; must divide the hour).
    #[serde(default = "fifteen")]
    pub slot_minutes: u32,
    /// Energy prices.
    pub energy: Vec<EnergyPeriod>,
    /// Demand charges (none is allowed).
    #[serde(default)]
    pub demand: Vec<DemandCharge>,
    /// What exported energy earns when the site allows export, $/kWh (absent: the slot's
    /// energy price). At most the cheapest energy price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_usd_per_kwh: Option<f64>,
    /// A price window on top of the periods (stress tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surcharge: Option<Surcharge>,
}

fn unnamed() -> String {
    "custom".into()
}

fn fifteen() -> u32 {
    15
}

/// One demand charge of a monthly bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandBill {
    /// The charge's name.
    pub name: String,
    /// The month's highest net import over its window, kW.
    pub peak_kw: f64,
    /// Rate times peak, $.
    pub usd: f64,
}

/// A monthly bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bill {
    /// Energy cost (exports credited), $.
    pub energy_usd: f64,
    /// The first demand charge's peak, kW (0 without demand charges).
    pub peak_kw: f64,
    /// All demand charges, $.
    pub demand_usd: f64,
    /// Each demand charge.
    pub demand: Vec<DemandBill>,
}

impl Bill {
    /// Energy cost plus demand charges, $.
    pub fn total_usd(&self) -> f64 {
        self.energy_usd + self.demand_usd
    }
}

fn bad(field: String, reason: String) -> Error {
    Error::InvalidField { field, reason }
}

impl Tariff {
    /// Silicon Valley Power as calibrated in the CONSENT paper: 15-minute slots, 0.178 $/kWh from
    /// 06:00 to 22:00, 0.137 $/kWh otherwise, every day; 11.67 $/kW of the month's highest import
    /// from 06:00 to 22:00 (the charge named `peak`).
    pub fn silicon_valley_power() -> Self {
        let t = |h: u32| Some(ClockTime { minutes: h * 60 });
        Tariff {
            name: "Silicon Valley Power (CONSENT calibration)".into(),
            timezone: Some("America/Los_Angeles".into()),
            slot_minutes: 15,
            energy: vec![
                EnergyPeriod {
                    days: DaySet::All,
                    months: None,
                    from: t(6),
                    to: t(22),
                    usd_per_kwh: 0.178,
                },
                EnergyPeriod {
                    days: DaySet::All,
                    months: None,
                    from: t(22),
                    to: t(6),
                    usd_per_kwh: 0.137,
                },
            ],
            demand: vec![DemandCharge {
                name: "peak".into(),
                days: DaySet::All,
                months: None,
                from: t(6),
                to: t(22),
                usd_per_kw: 11.67,
            }],
            export_usd_per_kwh: None,
            surcharge: None,
        }
    }

    /// Slot length, hours.
    pub fn slot_hours(&self) -> f64 {
        f64::from(self.slot_minutes) / 60.0
    }

    /// Slots of a 24-hour day (96 of 15 minutes): a daylight-saving day has
    /// [`Tariff::slots_on`] instead.
    pub fn slots_per_day(&self) -> usize {
        (1440 / self.slot_minutes.max(1)) as usize
    }

    /// The site's clock: the tariff's time zone (if it names one the database knows) and slot
    /// length.
    pub fn clock(&self) -> Clock {
        let zone = self.timezone.as_deref().and_then(zone_named);
        Clock::new(zone, self.slot_minutes.max(1))
    }

    /// Slots in `date` on the site's clock (96, or 92 / 100 on daylight-saving days).
    pub fn slots_on(&self, date: Date) -> usize {
        self.clock().slots_on(date)
    }

    /// The local wall-clock minute at which slot `slot` of `date` starts.
    pub fn wall_minutes(&self, date: Date, slot: usize) -> u32 {
        self.clock().wall_minutes(date, slot)
    }

    /// Checks every field; errors name the entry (`tariff.energy[2].to`, `tariff.demand[1].name`)
    /// and, for a gap or an overlap, the days, month and time where it happens.
    pub fn validate(&self) -> Result<()> {
        if !(self.slot_minutes > 0 && 60 % self.slot_minutes == 0) {
            return Err(bad(
                "tariff.slot_minutes".into(),
                format!("must divide the hour, got {}", self.slot_minutes),
            ));
        }
        if let Some(zone) = &self.timezone {
            jiff::tz::TimeZone::get(zone)
                .map_err(|e| bad("tariff.timezone".into(), format!("{zone:?}: {e}")))?;
        }
        for (i, e) in self.energy.iter().enumerate() {
            let path = format!("tariff.energy[{i}]");
            e.window().validate(&path, self.slot_minutes)?;
            check_range(
                format!("{path}.usd_per_kwh"),
                e.usd_per_kwh,
                MAX_ENERGY_USD_PER_KWH,
            )?;
        }
        let mut names = std::collections::HashSet::with_capacity(self.demand.len());
        for (i, d) in self.demand.iter().enumerate() {
            let path = format!("tariff.demand[{i}]");
            if d.name.trim().is_empty() || !names.insert(d.name.as_str()) {
                return Err(bad(
                    format!("{path}.name"),
                    format!("must be non-empty and unique, got {:?}", d.name),
                ));
            }
            d.window().validate(&path, self.slot_minutes)?;
            check_range(
                format!("{path}.usd_per_kw"),
                d.usd_per_kw,
                MAX_DEMAND_USD_PER_KW,
            )?;
        }
        self.check_coverage()?;
        self.check_extras()
    }

    /// Every slot of a weekday and a weekend day of each month priced exactly once.
    fn check_coverage(&self) -> Result<()> {
        // The windows depend only on the month and the day type: check one weekday and one
        // weekend day of each month (of 2024; any year would do).
        for month in 1..=12 {
            let first = Date {
                year: 2024,
                month,
                day: 1,
            };
            let weekday = (0..7).map(|i| first.plus_days(i)).find(|d| !d.is_weekend());
            let weekend = (0..7).map(|i| first.plus_days(i)).find(Date::is_weekend);
            for (date, kind) in [(weekday, "weekdays"), (weekend, "weekends")] {
                let date = date.expect("a week has both day types");
                for k in 0..self.slots_per_day() {
                    let hits: Vec<usize> = (0..self.energy.len())
                        .filter(|&i| {
                            let start = k as u32 * self.slot_minutes;
                            self.energy[i].window().contains(date, start)
                        })
                        .collect();
                    let when = || {
                        let m = k as u32 * self.slot_minutes;
                        format!("{kind} at {:02}:{:02} in month {month}", m / 60, m % 60)
                    };
                    match hits.as_slice() {
                        [_] => {}
                        [] => {
                            return Err(bad(
                                "tariff.energy".into(),
                                format!("no entry prices {}", when()),
                            ))
                        }
                        [a, b, ..] => {
                            return Err(bad(
                                format!("tariff.energy[{b}]"),
                                format!(
                                    "overlaps tariff.energy[{a}] ({}) on {}",
                                    self.energy[*a].window().describe(),
                                    when()
                                ),
                            ))
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn check_extras(&self) -> Result<()> {
        if let Some(w) = self.surcharge {
            if !(w.start_slot <= w.end_slot && w.end_slot <= self.slots_per_day()) {
                return Err(bad(
                    "tariff.surcharge.end_slot".into(),
                    "the window must lie inside the day".into(),
                ));
            }
            if !(in_range(w.factor, MAX_SURCHARGE_FACTOR) && w.factor > 0.0) {
                return Err(bad(
                    "tariff.surcharge.factor".into(),
                    format!(
                        "must be positive and at most {MAX_SURCHARGE_FACTOR}, got {}",
                        w.factor
                    ),
                ));
            }
        }
        if let Some(e) = self.export_usd_per_kwh {
            let cheapest = self.cheapest_energy_price();
            if !(e.is_finite() && e >= 0.0 && e <= cheapest) {
                return Err(bad(
                    "tariff.export_usd_per_kwh".into(),
                    format!("must be finite, >= 0 and at most the cheapest energy price {cheapest}, got {e}"),
                ));
            }
        }
        Ok(())
    }

    fn cheapest_energy_price(&self) -> f64 {
        let factor = self.surcharge.map_or(1.0, |s| s.factor.min(1.0));
        self.energy
            .iter()
            .map(|e| e.usd_per_kwh * factor)
            .fold(f64::INFINITY, f64::min)
    }

    /// Energy price of slot `slot` of `date`, $/kWh (0 if no entry prices it, which
    /// [`Tariff::validate`] refuses).
    pub fn energy_price(&self, date: Date, slot: usize) -> f64 {
        self.energy_price_at(date, self.wall_minutes(date, slot))
    }

    /// Energy price at the local wall-clock minute `start` of `date`, $/kWh.
    pub fn energy_price_at(&self, date: Date, start: u32) -> f64 {
        let level = self
            .energy
            .iter()
            .find(|e| e.window().contains(date, start))
            .map_or(0.0, |e| e.usd_per_kwh);
        let wall_slot = (start / self.slot_minutes.max(1)) as usize;
        match self.surcharge {
            Some(w) if (w.start_slot..w.end_slot).contains(&wall_slot) => level * w.factor,
            _ => level,
        }
    }

    /// Whether demand charge `charge` applies to slot `slot` of `date`.
    pub fn demand_applies(&self, charge: usize, date: Date, slot: usize) -> bool {
        self.demand_applies_at(charge, date, self.wall_minutes(date, slot))
    }

    /// Whether demand charge `charge` applies at the local wall-clock minute `start` of `date`.
    pub fn demand_applies_at(&self, charge: usize, date: Date, start: u32) -> bool {
        self.demand
            .get(charge)
            .is_some_and(|d| d.window().contains(date, start))
    }

    /// Energy cost of `grid_kw` of net grid power in slot `slot` of `date`, $: imports pay the
    /// slot's price, exports (negative power, only where the site allows export) earn the
    /// export price.
    pub fn grid_cost(&self, date: Date, slot: usize, grid_kw: f64) -> f64 {
        self.grid_cost_at(date, self.wall_minutes(date, slot), grid_kw)
    }

    /// [`Tariff::grid_cost`] of a slot starting at the local wall-clock minute `start`.
    pub fn grid_cost_at(&self, date: Date, start: u32, grid_kw: f64) -> f64 {
        let price = self.energy_price_at(date, start);
        let rate = if grid_kw < 0.0 {
            self.export_usd_per_kwh.unwrap_or(price)
        } else {
            price
        };
        rate * self.slot_hours() * grid_kw
    }

    /// The bill of one month's days (date and net grid power per slot).
    pub fn bill(&self, days: &[(Date, Vec<f64>)]) -> Result<Bill> {
        let clock = self.clock();
        let mut energy = 0.0;
        let mut peaks = vec![0.0_f64; self.demand.len()];
        for (date, day) in days {
            let n = clock.slots_on(*date);
            if day.len() != n {
                return Err(Error::InvalidParameter {
                    field: "days",
                    reason: format!("{date} has {} slots, the site's clock has {n}", day.len()),
                });
            }
            let walls = clock.day_wall_minutes(*date);
            for (&kw, &start) in day.iter().zip(&walls) {
                energy += self.grid_cost_at(*date, start, kw);
                for (c, peak) in peaks.iter_mut().enumerate() {
                    if self.demand_applies_at(c, *date, start) {
                        *peak = peak.max(kw);
                    }
                }
            }
        }
        let demand: Vec<DemandBill> = self
            .demand
            .iter()
            .zip(&peaks)
            .map(|(d, &peak_kw)| DemandBill {
                name: d.name.clone(),
                peak_kw,
                usd: d.usd_per_kw * peak_kw,
            })
            .collect();
        Ok(Bill {
            energy_usd: energy,
            peak_kw: peaks.first().copied().unwrap_or(0.0),
            demand_usd: demand.iter().map(|d| d.usd).sum(),
            demand,
        })
    }
}
