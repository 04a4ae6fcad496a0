//! Station-access instances for copositive pricing from a window of a real ACN day.
//!
//! The copositive pricing papers price a station-access MILP on made-up sites. This module turns
//! the sessions of one site, one day and one time window of an ACN session file (Caltech, JPL;
//! `../shared/data/acn/`) into such instances, by a fixed and documented rule, so the pricing can
//! be run on what a real garage saw:
//!
//! - **Stations.** EVSEs are grouped into stations by their id: the prefix up to the first digit
//!   of the id's last run of digits (`CA-305` and `CA-322` form `CA-3`, one garage level at
//!   Caltech; an id without digits is its own group). A station's EVSE count is the number of
//!   distinct EVSE ids of the group in the whole file (the installed chargers, not only those
//!   busy in the window); its power is `power_share x evse x evse_kw` (default `0.3 x 6.6 kW`
//!   per EVSE: a feeder rated well below the sum of its chargers, which is what makes power
//!   scarce on a busy morning).
//! - **EVs.** Every session arriving in `[start, end)` local time. Slot `k` covers
//!   `[start + k slot, start + (k + 1) slot)`; the EV is present from the slot of its arrival to
//!   the slot of its departure (inclusive, clipped to the window; at least one slot). Its
//!   request is `requested_kwh` when the user claimed the session, else `delivered_kwh` (what it
//!   got: hindsight, flagged in [`WindowEv::hindsight`]), capped at what `evse_kw` can deliver
//!   while it is present in the window (flagged in [`WindowEv::capped`]). Its rate is `evse_kw`.
//! - **Values.** `value_per_kwh = value_base + value_urgency x E / (evse_kw x dwell)`, where
//!   `E / (evse_kw x dwell)` in `[0, 1]` is the share of its stay the EV needs to charge: a
//!   driver who needs most of the stay values energy more. Defaults 0.30 and 0.30 $/kWh.
//! - **Access.** A driver parks where it parked: each EV may use only its own station (garage
//!   level), so the groups do not interact and there is one instance per group
//!   ([`GroupInstance`]), each priced on its own. The energy price is flat
//!   (`energy_usd_per_kwh`, default 0.10 $/kWh).
//!
//! Sessions are read with the `csv` crate (columns by name, others ignored) and timestamps with
//! `evmech_v2b_control::parse_local_time` (`jiff`), converted to `time_zone` when given.

use evmech_milp_model::{EvSpec, Instance, InstanceSpec, Station};
use evmech_v2b_control::{parse_local_time, Date};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

/// How a window of an ACN day becomes station-access instances (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct AcnWindow {
    /// Local date of the arrivals.
    pub date: Date,
    /// Start of the window, minutes after local midnight.
    pub start_minute: u32,
    /// End of the window (exclusive), minutes after local midnight; at most 24 h.
    pub end_minute: u32,
    /// Slot length, minutes (must divide the window).
    pub slot_minutes: u32,
    /// The site's time zone (IANA name); `None` keeps each timestamp's wall-clock time.
    pub time_zone: Option<String>,
    /// Rate of every EVSE and EV, kW.
    pub evse_kw: f64,
    /// Station power as a share of the sum of its EVSEs' rates, in `(0, 1]`.
    pub power_share: f64,
    /// Flat energy price, $/kWh.
    pub energy_usd_per_kwh: f64,
    /// Value of energy to an EV that needs none of its stay to charge, $/kWh.
    pub value_base: f64,
    /// Extra value of an EV that needs all of its stay, $/kWh.
    pub value_urgency: f64,
}

impl AcnWindow {
    /// A Caltech-style morning: 06:00-12:00 on `date`, one-hour slots, 6.6 kW EVSEs, stations
    /// at 30 % of their chargers' rates, 0.10 $/kWh energy, values 0.30-0.60 $/kWh.
    pub fn morning(date: Date) -> Self {
        AcnWindow {
            date,
            start_minute: 6 * 60,
            end_minute: 12 * 60,
            slot_minutes: 60,
            time_zone: Some("America/Los_Angeles".into()),
            evse_kw: 6.6,
            power_share: 0.3,
            energy_usd_per_kwh: 0.10,
            value_base: 0.30,
            value_urgency: 0.30,
        }
    }
}

/// Why a window could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcnError {
    /// A window option is out of range; `field` names it.
    #[error("{field}: {reason}")]
    Option {
        /// The option.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A row of the file cannot be read; `line` is 1-based (the header is line 1).
    #[error("{file}, line {line}: {reason}")]
    Row {
        /// The file's name as given.
        file: String,
        /// The line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The instance of a group failed validation.
    #[error("station {station}: {source}")]
    Instance {
        /// The station group.
        station: String,
        /// The model's error.
        source: evmech_milp_model::Error,
    },
}

/// One EV of a window: where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowEv {
    /// The ACN session id (also the EV's id in the instance).
    pub session_id: String,
    /// The EVSE it used.
    pub evse_id: String,
    /// The request came from `delivered_kwh` (the session was not claimed).
    pub hindsight: bool,
    /// The request was cut to what its EVSE can deliver in the window.
    pub capped: bool,
}

/// The instance of one station group.
#[derive(Debug, Clone)]
pub struct GroupInstance {
    /// The group's id (the station's id in the instance).
    pub station: String,
    /// The instance: one station, the group's EVs in arrival order.
    pub instance: Instance,
    /// Where each EV came from, in the instance's order.
    pub evs: Vec<WindowEv>,
}

/// One row of an ACN session file (columns by name; others ignored).
#[derive(Debug, Deserialize)]
struct AcnRow {
    session_id: String,
    station_id: String,
    arrival: String,
    departure: String,
    #[serde(default, deserialize_with = "csv::invalid_option")]
    requested_kwh: Option<f64>,
    delivered_kwh: f64,
    #[serde(default)]
    user_claimed: Option<String>,
}

/// The group of an EVSE id: the prefix up to the first digit of its last run of digits.
pub fn station_group(evse_id: &str) -> String {
    let bytes = evse_id.as_bytes();
    let Some(last_digit) = bytes.iter().rposition(u8::is_ascii_digit) else {
        return evse_id.to_string();
    };
    let first = bytes[..=last_digit]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    evse_id[..=first].to_string()
}

/// The station-access instances of `window` from an ACN session file (`file` names it in
/// errors), one per station group with at least one arrival, ordered by group id.
pub fn acn_window_instances<R: Read>(
    reader: R,
    file: &str,
    window: &AcnWindow,
) -> Result<Vec<GroupInstance>, AcnError> {
    check_window(window)?;
    let zone = match &window.time_zone {
        Some(name) => Some(jiff::tz::TimeZone::get(name).map_err(|e| AcnError::Option {
            field: "time_zone",
            reason: format!("{name:?}: {e}"),
        })?),
        None => None,
    };
    let mut evses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut arrivals: BTreeMap<String, Vec<(u32, u32, AcnRow)>> = BTreeMap::new();
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    for (k, row) in csv.deserialize::<AcnRow>().enumerate() {
        let line = k as u64 + 2;
        let bad = |reason: String| AcnError::Row {
            file: file.to_string(),
            line,
            reason,
        };
        let row = row.map_err(|e| bad(e.to_string()))?;
        let group = station_group(&row.station_id);
        evses
            .entry(group.clone())
            .or_default()
            .insert(row.station_id.clone());
        let time = |text: &str, name: &str| {
            parse_local_time(text, zone.as_ref())
                .ok_or_else(|| bad(format!("{name}: not an ISO 8601 timestamp: {text:?}")))
        };
        let arrival = time(&row.arrival, "arrival")?;
        let departure = time(&row.departure, "departure")?;
        if arrival.date != window.date
            || !(window.start_minute..window.end_minute).contains(&arrival.minutes)
        {
            continue;
        }
        // Minutes after the window's date's midnight (a departure may be on a later day).
        let days =
            (departure.date.days_since_epoch() - window.date.days_since_epoch()).clamp(0, 7) as u32;
        let leave = departure
            .minutes
            .saturating_add(days.saturating_mul(24 * 60));
        arrivals
            .entry(group)
            .or_default()
            .push((arrival.minutes, leave, row));
    }
    arrivals
        .into_iter()
        .map(|(group, rows)| group_instance(&group, evses[&group].len(), rows, window))
        .collect()
}

/// Every option in its range.
fn check_window(w: &AcnWindow) -> Result<(), AcnError> {
    let bad = |field, reason: &str| {
        Err(AcnError::Option {
            field,
            reason: reason.to_string(),
        })
    };
    if w.slot_minutes == 0 || w.end_minute <= w.start_minute || w.end_minute > 24 * 60 {
        return bad(
            "end_minute",
            "the window must be non-empty, slots positive, within one day",
        );
    }
    if !(w.end_minute - w.start_minute).is_multiple_of(w.slot_minutes) {
        return bad("slot_minutes", "must divide the window");
    }
    if !(w.evse_kw.is_finite() && w.evse_kw > 0.0 && w.evse_kw <= 1_000.0) {
        return bad("evse_kw", "must be in (0, 1000] kW");
    }
    if !(w.power_share > 0.0 && w.power_share <= 1.0) {
        return bad("power_share", "must be in (0, 1]");
    }
    for (field, v) in [
        ("energy_usd_per_kwh", w.energy_usd_per_kwh),
        ("value_base", w.value_base),
        ("value_urgency", w.value_urgency),
    ] {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            return bad(field, "must be in [0, 100] $/kWh");
        }
    }
    Ok(())
}

/// The instance of one group from its arrivals `(arrival minute, departure minute, row)`.
fn group_instance(
    group: &str,
    evse: usize,
    mut rows: Vec<(u32, u32, AcnRow)>,
    w: &AcnWindow,
) -> Result<GroupInstance, AcnError> {
    rows.sort_by(|a, b| (a.0, &a.2.session_id).cmp(&(b.0, &b.2.session_id)));
    let slots = ((w.end_minute - w.start_minute) / w.slot_minutes) as usize;
    let slot_hours = f64::from(w.slot_minutes) / 60.0;
    let slot_of = |minute: u32| ((minute.saturating_sub(w.start_minute)) / w.slot_minutes) as usize;
    let mut evs = Vec::new();
    let mut origin = Vec::new();
    for (arrive, leave, row) in rows {
        let a = slot_of(arrive).min(slots - 1);
        let d = (slot_of(leave.saturating_sub(1)) + 1).clamp(a + 1, slots);
        let claimed = row
            .user_claimed
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("true"));
        let (wanted, hindsight) = match (claimed, row.requested_kwh) {
            (true, Some(r)) if r.is_finite() && r > 0.0 => (r, false),
            _ => (row.delivered_kwh, true),
        };
        let most = w.evse_kw * slot_hours * (d - a) as f64;
        let energy = wanted.clamp(0.0, most);
        evs.push(EvSpec {
            id: row.session_id.clone(),
            arrival_slot: a,
            departure_slot: d,
            energy_kwh: energy,
            max_kw: w.evse_kw,
            value_per_kwh: w.value_base + w.value_urgency * energy / most,
            access_cost: BTreeMap::new(),
        });
        origin.push(WindowEv {
            session_id: row.session_id,
            evse_id: row.station_id,
            hindsight,
            capped: wanted > most,
        });
    }
    let station = Station {
        id: group.to_string(),
        evse: u32::try_from(evse).unwrap_or(u32::MAX),
        power_kw: w.power_share * evse as f64 * w.evse_kw,
    };
    let instance = Instance::new(InstanceSpec {
        slot_hours,
        energy_price: vec![w.energy_usd_per_kwh; slots],
        stations: vec![station],
        evs,
    })
    .map_err(|source| AcnError::Instance {
        station: group.to_string(),
        source,
    })?;
    Ok(GroupInstance {
        station: group.to_string(),
        instance,
        evs: origin,
    })
}

#[cfg(test)]
mod tests {
    use super::{acn_window_instances, station_group, AcnWindow};
    use evmech_v2b_control::Date;

    #[test]
    fn evse_ids_group_by_their_leading_digit() {
        assert_eq!(station_group("CA-305"), "CA-3");
        assert_eq!(station_group("CA-3"), "CA-3");
        assert_eq!(station_group("AG-1F01"), "AG-1F0");
        assert_eq!(station_group("north"), "north");
    }

    const FILE: &str =
        "session_id,site,station_id,arrival,departure,requested_kwh,delivered_kwh,user_claimed
a,caltech,CA-305,2019-05-22T06:30:00-07:00,2019-05-22T09:10:00-07:00,10,9,true
b,caltech,CA-312,2019-05-22T07:00:00-07:00,2019-05-22T18:00:00-07:00,,25,false
c,caltech,CA-401,2019-05-22T08:00:00-07:00,2019-05-22T08:30:00-07:00,50,3,true
d,caltech,CA-402,2019-05-22T13:00:00-07:00,2019-05-22T15:00:00-07:00,5,5,true
e,caltech,CA-306,2019-05-21T07:00:00-07:00,2019-05-21T09:00:00-07:00,5,5,true
";

    /// The documented rule on a small file: groups, slots, requests, caps and values.
    #[test]
    fn a_window_follows_the_documented_rule() {
        let date = Date::new(2019, 5, 22).unwrap();
        let groups =
            acn_window_instances(FILE.as_bytes(), "test", &AcnWindow::morning(date)).unwrap();
        assert_eq!(groups.len(), 2);
        let g3 = &groups[0];
        assert_eq!(g3.station, "CA-3");
        // Three CA-3 EVSEs in the file (305, 312, 306), two busy in the window.
        let st = &g3.instance.stations()[0];
        assert_eq!(st.evse, 3);
        assert!((st.power_kw - 0.3 * 3.0 * 6.6).abs() < 1e-9);
        let evs = g3.instance.evs();
        assert_eq!(evs.len(), 2);
        // a: 06:30-09:10 -> slots 0..4 (06, 07, 08, 09), claimed 10 kWh.
        assert_eq!((evs[0].arrival_slot, evs[0].departure_slot), (0, 4));
        assert!((evs[0].energy_kwh - 10.0).abs() < 1e-9);
        assert!(!g3.evs[0].hindsight && !g3.evs[0].capped);
        // b: unclaimed, 25 kWh delivered (hindsight), to the window's end.
        assert_eq!((evs[1].arrival_slot, evs[1].departure_slot), (1, 6));
        assert!(g3.evs[1].hindsight);
        // c: wants 50 kWh in one slot: capped at 6.6, value at the top of the range.
        let c = &groups[1];
        assert_eq!(c.instance.evs().len(), 1);
        assert!((c.instance.evs()[0].energy_kwh - 6.6).abs() < 1e-9);
        assert!(c.evs[0].capped);
        assert!((c.instance.evs()[0].value_usd_per_kwh - 0.6).abs() < 1e-9);
    }

    #[test]
    fn bad_rows_and_options_are_named() {
        let date = Date::new(2019, 5, 22).unwrap();
        let broken = FILE.replace(
            "2019-05-22T07:00:00-07:00,2019-05-22T18",
            "yesterday,2019-05-22T18",
        );
        let err = acn_window_instances(broken.as_bytes(), "f.csv", &AcnWindow::morning(date))
            .unwrap_err();
        assert!(err.to_string().contains("f.csv, line 3: arrival"), "{err}");
        let mut w = AcnWindow::morning(date);
        w.slot_minutes = 7;
        let err = acn_window_instances(FILE.as_bytes(), "f.csv", &w).unwrap_err();
        assert!(err.to_string().starts_with("slot_minutes"), "{err}");
    }
}
