//! The state a building operator sends each slot, and its validation against the site.

use crate::domain::ranges::{check_range, in_range, MAX_BATTERY_KWH, MAX_LOAD_KW};
use crate::{Clock, Date, Error, Result, SiteConfig, VehicleLimits};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One connected EV as the site reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveEv {
    /// The operator's id of the session (echoed in the set-points).
    pub id: String,
    /// Index of the charger in the site.
    pub charger: usize,
    /// When the EV plugged in (RFC 3339 with offset, `2019-05-14T07:58:00-07:00`).
    pub arrival: String,
    /// When the EV will leave (RFC 3339 with offset).
    pub departure: String,
    /// Energy stored now, kWh.
    pub energy_kwh: f64,
    /// Energy wanted at departure, kWh.
    pub target_kwh: f64,
    /// Battery capacity, kWh.
    pub battery_kwh: f64,
    /// The vehicle's own limits, when the site knows them (`{"max_charge_kw": 11}`; default:
    /// the charger's power and the site's floor).
    #[serde(default, skip_serializing_if = "VehicleLimits::is_none")]
    pub limits: VehicleLimits,
}

/// The site's state now: what a live controller is called with every slot.
///
/// ```json
/// {"time": "2019-05-14T10:00:00-07:00", "building_kw": 131.2, "month_peak_kw": 160.4,
///  "evs": [{"id": "s1", "charger": 3, "arrival": "2019-05-14T07:58:00-07:00",
///           "departure": "2019-05-14T17:30:00-07:00", "energy_kwh": 21.5,
///           "target_kwh": 52.0, "battery_kwh": 75.0}]}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteState {
    /// Now (RFC 3339 with offset); the decision is for the slot that contains it.
    pub time: String,
    /// Building load measured now, kW.
    pub building_kw: f64,
    /// The month's billed peak so far of the tariff's first demand charge (the highest net
    /// import over its window), kW.
    pub month_peak_kw: f64,
    /// The month's peak so far of each further demand charge of the tariff, keyed by its name
    /// (`{"facility": 182.0}`); required for every such charge, empty for a one-charge tariff.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub month_peaks_kw: std::collections::BTreeMap<String, f64>,
    /// The connected EVs.
    #[serde(default)]
    pub evs: Vec<LiveEv>,
}

/// A [`LiveEv`] on the controller's slot grid.
#[derive(Debug, Clone, PartialEq)]
pub struct SlottedEv {
    /// Arrival slot of today (0 if it arrived before today).
    pub arrival_slot: usize,
    /// Departure slot counted from today's midnight (may pass `slots_per_day`).
    pub departure_slot: usize,
}

/// A [`SiteState`] checked against the site and placed on the slot grid.
#[derive(Debug, Clone, PartialEq)]
pub struct SlottedState {
    /// Today's local date.
    pub date: Date,
    /// The slot of the day that contains `time`.
    pub slot: usize,
    /// The start of that slot.
    pub slot_start: Timestamp,
    /// Each EV's slots, in the state's order.
    pub evs: Vec<SlottedEv>,
    /// The month's peak so far of every demand charge, in the tariff's order, kW.
    pub past_peaks_kw: Vec<f64>,
}

fn bad(field: String, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        field,
        reason: reason.into(),
    }
}

fn parse_time(field: &str, text: &str) -> Result<Timestamp> {
    text.parse::<Timestamp>().map_err(|e| {
        bad(
            field.into(),
            format!("not an RFC 3339 timestamp with offset ({text:?}): {e}"),
        )
    })
}

/// Local date and minutes after local midnight of `t` in `tz`.
fn local(t: Timestamp, tz: &TimeZone) -> (Date, i64) {
    let dt = t.to_zoned_datetime(tz.clone()).datetime();
    let date = Date {
        year: i32::from(dt.year()),
        month: dt.month() as u32,
        day: dt.day() as u32,
    };
    let minutes = i64::from(dt.hour()) * 60 + i64::from(dt.minute());
    (date, minutes)
}

impl LiveEv {
    /// Battery, energy now and target: finite, non-negative, within the battery.
    fn check_energies(&self, i: usize) -> Result<()> {
        let f = |name: &str| format!("evs[{i}].{name}");
        if !(in_range(self.battery_kwh, MAX_BATTERY_KWH) && self.battery_kwh > 0.0) {
            return Err(bad(
                f("battery_kwh"),
                format!("must be positive and at most {MAX_BATTERY_KWH}"),
            ));
        }
        for (name, kwh) in [
            ("energy_kwh", self.energy_kwh),
            ("target_kwh", self.target_kwh),
        ] {
            check_range(f(name), kwh, MAX_BATTERY_KWH)?;
            if kwh > self.battery_kwh {
                return Err(bad(
                    f(name),
                    format!("{kwh} kWh is above the battery's {} kWh", self.battery_kwh),
                ));
            }
        }
        self.limits.validate(self.battery_kwh, &format!("evs[{i}]"))
    }
}

impl SiteState {
    /// Checks every field against the site and places the state on the slot grid of `tz`.
    /// Errors name the field: `time`, `building_kw`, `month_peak_kw`, `evs[i].charger` (missing
    /// or shared), `evs[i].id` (repeated), `evs[i].arrival` (after `time`), `evs[i].departure`
    /// (not after `time`, or past the end of tomorrow), `evs[i].energy_kwh` (above the battery),
    /// `evs[i].target_kwh`, `evs[i].battery_kwh`.
    pub fn slotted(&self, config: &SiteConfig, tz: &TimeZone) -> Result<SlottedState> {
        let now = parse_time("time", &self.time)?;
        check_range("building_kw", self.building_kw, MAX_LOAD_KW)?;
        check_range("month_peak_kw", self.month_peak_kw, MAX_LOAD_KW)?;
        let past_peaks_kw = self.past_peaks(config)?;
        // Slots counted in real time from the local midnight (92 or 100 on daylight-saving days).
        let clock = Clock::new(Some(tz.clone()), config.tariff.slot_minutes);
        let slot_minutes = i64::from(clock.slot_minutes());
        let (date, _) = local(now, tz);
        let n = clock.slots_on(date) as i64;
        let since = |t: Timestamp| {
            clock
                .slots_since_midnight(date, t)
                .ok_or_else(|| bad("time".into(), format!("{date} has no midnight in {tz:?}")))
        };
        let slot = since(now)?.clamp(0, n - 1);
        let midnight = clock
            .midnight(date)
            .ok_or_else(|| bad("time".into(), format!("{date} has no midnight in {tz:?}")))?;
        let slot_start = Timestamp::from_second(midnight.as_second() + slot * slot_minutes * 60)
            .map_err(|e| bad("time".into(), e.to_string()))?;
        let two_days = clock.slots_between(date, date.plus_days(2)) as i64;
        let chargers = config.site.chargers().len();
        let mut holder: Vec<Option<usize>> = vec![None; chargers];
        let mut evs = Vec::with_capacity(self.evs.len());
        let mut ids = std::collections::HashMap::with_capacity(self.evs.len());
        for (i, ev) in self.evs.iter().enumerate() {
            let f = |name: &str| format!("evs[{i}].{name}");
            if let Some(j) = ids.insert(ev.id.as_str(), i) {
                return Err(bad(f("id"), format!("repeats evs[{j}].id {:?}", ev.id)));
            }
            if ev.charger >= chargers {
                return Err(bad(
                    f("charger"),
                    format!("the site has chargers 0..{chargers}, got {}", ev.charger),
                ));
            }
            if let Some(j) = holder[ev.charger] {
                return Err(bad(
                    f("charger"),
                    format!("charger {} already holds evs[{j}]", ev.charger),
                ));
            }
            holder[ev.charger] = Some(i);
            ev.check_energies(i)?;
            let arrival = parse_time(&f("arrival"), &ev.arrival)?;
            if arrival > now {
                return Err(bad(f("arrival"), "is after time"));
            }
            let departure = parse_time(&f("departure"), &ev.departure)?;
            if departure <= now {
                return Err(bad(f("departure"), "is not after time"));
            }
            let arrival_slot = since(arrival)?.max(0) as usize;
            let departure_slot = since(departure)?.max(slot + 1);
            if departure_slot > two_days {
                return Err(bad(
                    f("departure"),
                    "is after the end of tomorrow, beyond the controller's horizon",
                ));
            }
            evs.push(SlottedEv {
                arrival_slot,
                departure_slot: departure_slot as usize,
            });
        }
        Ok(SlottedState {
            date,
            slot: slot as usize,
            slot_start,
            evs,
            past_peaks_kw,
        })
    }

    /// `month_peak_kw` for the first demand charge, then `month_peaks_kw[name]` for each other;
    /// errors name `month_peaks_kw.<name>` (missing, unknown or negative).
    fn past_peaks(&self, config: &SiteConfig) -> Result<Vec<f64>> {
        let charges = &config.tariff.demand;
        for (name, &kw) in &self.month_peaks_kw {
            let field = format!("month_peaks_kw.{name}");
            if !charges.iter().skip(1).any(|c| &c.name == name) {
                let names: Vec<&str> = charges.iter().skip(1).map(|c| c.name.as_str()).collect();
                return Err(bad(
                    field,
                    format!("not a further demand charge of the tariff (those are {names:?}; the first is month_peak_kw)"),
                ));
            }
            check_range(field, kw, MAX_LOAD_KW)?;
        }
        let mut peaks = vec![self.month_peak_kw];
        for c in charges.iter().skip(1) {
            let kw = self.month_peaks_kw.get(&c.name).ok_or_else(|| {
                bad(
                    format!("month_peaks_kw.{}", c.name),
                    "missing: the tariff bills this demand charge",
                )
            })?;
            peaks.push(*kw);
        }
        Ok(peaks)
    }
}
