//! An openv2b scenario directory read as an evmech [`Scenario`], so the same scenario runs in
//! both simulators. openv2b (MIT OR Apache-2.0, by the CONSENT paper's first author) counts
//! time in slots from a local midnight and writes series as step functions; evmech needs
//! dates, so the caller gives the date of slot 0.

use crate::domain::csv::{open, read_table, Row};
use crate::domain::sessions::{overlapping_stays, Chain, VehicleLimits};
use crate::{
    Charger, ClockTime, Date, DaySet, DemandCharge, DrEvent, EnergyPeriod, Error, Overnight,
    Penalties, Result, Scenario, ScenarioSpec, Session, Site, SiteSpec, Tariff, TieBreak,
};
use evmech_milp_model::charging::ChargingCurve;
use std::path::Path;

/// A scenario read from openv2b files, and what the reading had to approximate.
#[derive(Debug, Clone)]
pub struct OpenV2bScenario {
    /// The episode.
    pub scenario: Scenario,
    /// Every place where openv2b's model and evmech's differ for this scenario (empty when the
    /// two simulate the same thing). Reported in the CLI's `run.json`.
    pub notes: Vec<String>,
}

/// The keys of openv2b's `scenario.json`.
const KNOWN_KEYS: [&str; 14] = [
    "slot_minutes",
    "horizon_slots",
    "charge_efficiency",
    "discharge_efficiency",
    "site_cap_kw",
    "demand_charge_usd_per_kw",
    "demand_charge_peak_usd_per_kw",
    "persistence",
    "heuristic_threshold_kw",
    "vehicles_file",
    "chargers_file",
    "building_file",
    "prices_file",
    "dr_events_file",
];

fn file_error(file: &Path, field: &str, reason: impl Into<String>) -> Error {
    Error::File {
        file: file.display().to_string(),
        field: field.into(),
        reason: reason.into(),
    }
}

/// `scenario.json`, with defaults.
struct Settings {
    slot_minutes: u32,
    horizon: usize,
    charge_eff: f64,
    discharge_eff: f64,
    site_cap_kw: Option<f64>,
    facility_usd_per_kw: f64,
    peak_usd_per_kw: f64,
    persistence: bool,
    files: [String; 4],
    dr_file: Option<String>,
}

fn read_settings(dir: &Path, notes: &mut Vec<String>) -> Result<Settings> {
    let path = dir.join("scenario.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Read {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| file_error(&path, "scenario", e.to_string()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| file_error(&path, "scenario", "expected a JSON object"))?;
    for key in obj.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
        notes.push(format!("scenario.json: unknown key {key:?} ignored"));
    }
    let num = |key: &str| -> Result<Option<f64>> {
        match obj.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(x) => x
                .as_f64()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .map(Some)
                .ok_or_else(|| file_error(&path, key, "must be a finite number >= 0")),
        }
    };
    let text_key = |key: &str, default: &str| -> Result<String> {
        match obj.get(key) {
            None => Ok(default.into()),
            Some(x) => x
                .as_str()
                .map(String::from)
                .ok_or_else(|| file_error(&path, key, "must be a file name")),
        }
    };
    let slot_minutes =
        num("slot_minutes")?.ok_or_else(|| file_error(&path, "slot_minutes", "is required"))?;
    if !(slot_minutes >= 1.0 && slot_minutes.fract() == 0.0 && 60.0 % slot_minutes == 0.0) {
        return Err(file_error(
            &path,
            "slot_minutes",
            "must be whole minutes dividing the hour",
        ));
    }
    let horizon = num("horizon_slots")?
        .filter(|h| h.fract() == 0.0 && *h >= 1.0)
        .ok_or_else(|| file_error(&path, "horizon_slots", "is required, a positive integer"))?;
    let per_day = 1440.0 / slot_minutes;
    if horizon % per_day != 0.0 {
        return Err(file_error(
            &path,
            "horizon_slots",
            format!("must be whole days of {per_day} slots (evmech simulates whole days)"),
        ));
    }
    let eff = |key: &str| -> Result<f64> {
        let e = num(key)?.unwrap_or(1.0);
        if e > 0.0 && e <= 1.0 {
            Ok(e)
        } else {
            Err(file_error(&path, key, "must lie in (0, 1]"))
        }
    };
    if obj.contains_key("heuristic_threshold_kw") {
        notes.push("scenario.json: heuristic_threshold_kw ignored (evmech's EDF/LLF budget is 0.8 x the month's building maximum so far)".into());
    }
    Ok(Settings {
        slot_minutes: slot_minutes as u32,
        horizon: horizon as usize,
        charge_eff: eff("charge_efficiency")?,
        discharge_eff: eff("discharge_efficiency")?,
        site_cap_kw: num("site_cap_kw")?,
        facility_usd_per_kw: num("demand_charge_usd_per_kw")?.unwrap_or(0.0),
        peak_usd_per_kw: num("demand_charge_peak_usd_per_kw")?.unwrap_or(0.0),
        persistence: obj
            .get("persistence")
            .and_then(|p| p.as_bool())
            .unwrap_or(true),
        files: [
            text_key("vehicles_file", "vehicles.csv")?,
            text_key("chargers_file", "chargers.csv")?,
            text_key("building_file", "building_load.csv")?,
            text_key("prices_file", "grid_prices.csv")?,
        ],
        dr_file: match obj.get("dr_events_file") {
            None | Some(serde_json::Value::Null) => None,
            Some(_) => Some(text_key("dr_events_file", "")?),
        },
    })
}

fn cell_f64(row: &Row<'_>, i: usize, name: &str, default: Option<f64>) -> Result<f64> {
    match (row.get(i), default) {
        (None, Some(d)) if !row.present(i) => Ok(d),
        (Some(text), _) => text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| row.error(name, format!("not a number >= 0: {text:?}"))),
        _ => Err(row.error(name, "empty cell".into())),
    }
}

fn cell_usize(row: &Row<'_>, i: usize, name: &str) -> Result<usize> {
    let text = row.get(i).unwrap_or("");
    text.parse::<usize>()
        .map_err(|_| row.error(name, format!("not a whole number: {text:?}")))
}

fn read_chargers(path: &Path, s: &Settings) -> Result<Vec<Charger>> {
    let table = read_table(
        open(path)?,
        &path.display().to_string(),
        &["charger_id", "max_kw"],
        &["bidirectional"],
    )?;
    let mut chargers = Vec::new();
    for row in table.rows() {
        let id = cell_usize(&row, 0, "charger_id")?;
        let kw = cell_f64(&row, 1, "max_kw", None)?;
        let bidirectional = match row.get(2) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(row.error(
                    "bidirectional",
                    format!("expected true or false, got {other:?}"),
                ))
            }
        };
        chargers.push(Charger {
            id: format!("{id}"),
            max_charge_kw: kw,
            max_discharge_kw: if bidirectional { kw } else { 0.0 },
            controlled: true,
            charge_efficiency: s.charge_eff,
            discharge_efficiency: s.discharge_eff,
        });
    }
    // openv2b's ports are taken lowest id first; evmech's order is the same only among equal
    // powers: sort by numeric id so the string ids tie-break the same way.
    chargers.sort_by_key(|c| c.id.parse::<usize>().unwrap_or(usize::MAX));
    for c in &mut chargers {
        c.id = format!("{:06}", c.id.parse::<usize>().unwrap_or(0));
    }
    Ok(chargers)
}

/// A step function `slot,value` (and optional third column) densified to `horizon` slots.
fn read_steps(path: &Path, horizon: usize, third: Option<&str>) -> Result<(Vec<f64>, Vec<String>)> {
    let optional: Vec<&str> = third.into_iter().collect();
    let table = read_table(
        open(path)?,
        &path.display().to_string(),
        &["slot", "value"],
        &optional,
    )?;
    let mut values = vec![0.0; horizon];
    let mut classes = vec!["off-peak".to_string(); horizon];
    let mut last_slot: Option<usize> = None;
    for row in table.rows() {
        let slot = cell_usize(&row, 0, "slot")?;
        if last_slot.is_some_and(|l| slot <= l) {
            return Err(row.error(
                "slot",
                "slots must increase (a repeated slot is refused)".into(),
            ));
        }
        last_slot = Some(slot);
        let v = cell_f64(&row, 1, "value", None)?;
        if slot >= horizon {
            continue;
        }
        let class = row.get(2).map(String::from);
        if let Some(c) = &class {
            if !["peak", "off-peak", "super-off-peak"].contains(&c.as_str()) {
                return Err(row.error(third.unwrap_or("tou"), format!("unknown TOU class {c:?}")));
            }
        }
        for k in slot..horizon {
            values[k] = v;
            if let Some(c) = &class {
                classes[k] = c.clone();
            }
        }
    }
    Ok((values, classes))
}

const VEHICLE_COLUMNS: [&str; 7] = [
    "vehicle_id",
    "arrival_slot",
    "departure_slot",
    "battery_kwh",
    "soc_arrival_kwh",
    "soc_target_kwh",
    "max_charge_kw",
];
const VEHICLE_OPTIONAL: [&str; 4] = [
    "max_discharge_kw",
    "min_soc_kwh",
    "max_soc_kwh",
    "depletion_kwh",
];

/// One openv2b vehicle row.
struct VehicleRow {
    /// Its line in the file, for errors.
    line: usize,
    id: usize,
    arrival: usize,
    departure: usize,
    battery: f64,
    soc_arrival: f64,
    soc_target: f64,
    depletion: f64,
    limits: VehicleLimits,
}

/// With persistence, one vehicle's sessions must not overlap in time (openv2b's rule): the
/// state of charge passes from one to the next.
fn check_no_overlap(path: &Path, rows: &[VehicleRow]) -> Result<()> {
    let stays = rows
        .iter()
        .map(|r| (r.id, r.arrival as i64, r.departure as i64, r))
        .collect();
    match overlapping_stays(stays) {
        Some((a, b)) => Err(crate::domain::csv::csv_error(
            &path.display().to_string(),
            b.line,
            "vehicle_id",
            format!(
                "vehicle {} has overlapping sessions (slots {}..{} and {}..{}); with persistence one car's sessions must not overlap",
                a.id, a.arrival, a.departure, b.arrival, b.departure
            ),
        )),
        None => Ok(()),
    }
}

fn read_vehicles(path: &Path, s: &Settings) -> Result<Vec<VehicleRow>> {
    let table = read_table(
        open(path)?,
        &path.display().to_string(),
        &VEHICLE_COLUMNS,
        &VEHICLE_OPTIONAL,
    )?;
    let mut rows = Vec::new();
    for row in table.rows() {
        let id = cell_usize(&row, 0, "vehicle_id")?;
        let arrival = cell_usize(&row, 1, "arrival_slot")?;
        let departure = cell_usize(&row, 2, "departure_slot")?;
        if departure <= arrival || departure > s.horizon {
            return Err(row.error(
                "departure_slot",
                format!("must be in (arrival_slot, horizon_slots = {}]", s.horizon),
            ));
        }
        let battery = cell_f64(&row, 3, "battery_kwh", None)?;
        if battery <= 0.0 {
            return Err(row.error("battery_kwh", "must be positive".into()));
        }
        let soc_arrival = cell_f64(&row, 4, "soc_arrival_kwh", None)?;
        let soc_target = cell_f64(&row, 5, "soc_target_kwh", None)?;
        for (name, v) in [
            ("soc_arrival_kwh", soc_arrival),
            ("soc_target_kwh", soc_target),
        ] {
            if v > battery {
                return Err(row.error(name, format!("{v} kWh is above battery_kwh {battery}")));
            }
        }
        let min_soc = cell_f64(&row, 8, "min_soc_kwh", Some(0.0))?;
        if soc_arrival < min_soc {
            return Err(row.error("soc_arrival_kwh", "is below min_soc_kwh".into()));
        }
        let max_soc = match row.get(9) {
            Some(_) => Some(cell_f64(&row, 9, "max_soc_kwh", None)?),
            None => None,
        };
        if let Some(m) = max_soc {
            if m > battery || m < min_soc {
                return Err(row.error(
                    "max_soc_kwh",
                    format!("{m} kWh is outside [min_soc_kwh {min_soc}, battery_kwh {battery}]"),
                ));
            }
            if soc_arrival > m {
                return Err(row.error("soc_arrival_kwh", "is above max_soc_kwh".into()));
            }
        }
        let depletion = cell_f64(&row, 10, "depletion_kwh", Some(0.0))?;
        if depletion > battery {
            return Err(row.error(
                "depletion_kwh",
                format!("{depletion} kWh is above battery_kwh {battery}"),
            ));
        }
        rows.push(VehicleRow {
            line: row.line,
            id,
            arrival,
            departure,
            battery,
            soc_arrival,
            soc_target,
            depletion,
            limits: VehicleLimits {
                max_charge_kw: Some(cell_f64(&row, 6, "max_charge_kw", None)?),
                max_discharge_kw: Some(cell_f64(&row, 7, "max_discharge_kw", Some(0.0))?),
                min_energy_kwh: Some(min_soc),
                max_energy_kwh: max_soc,
            },
        });
    }
    if s.persistence {
        check_no_overlap(path, &rows)?;
    }
    Ok(rows)
}

/// The vehicles as evmech sessions. A session past midnight stays whole up to
/// [`MAX_STAY_DAYS`](crate::MAX_STAY_DAYS) ([`Overnight::Continue`]) or is cut at its arrival
/// day's midnight ([`Overnight::CutAtMidnight`]); a cut is reported in `notes`.
fn sessions(
    rows: &[VehicleRow],
    start: Date,
    per_day: usize,
    (overnight, persistence): (Overnight, bool),
    notes: &mut Vec<String>,
) -> Vec<Session> {
    let last = match overnight {
        Overnight::Continue => per_day * crate::MAX_STAY_DAYS,
        Overnight::CutAtMidnight => per_day,
    };
    let mut cut = 0;
    let mut raised = 0;
    let mut out: Vec<Session> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let day = r.arrival / per_day;
            let arrival = r.arrival % per_day;
            let departure = (r.departure - day * per_day).min(last);
            cut += usize::from(r.departure - day * per_day > last);
            raised += usize::from(r.soc_target < r.soc_arrival);
            let target = r.soc_target.max(r.soc_arrival);
            Session {
                id: format!("{:06}-{k}", r.id),
                date: start.plus_days(day as i64),
                arrival_slot: arrival,
                departure_slot: departure,
                requested_departure_slot: departure,
                battery_kwh: r.battery,
                arrival_energy_kwh: r.soc_arrival,
                requested_energy_kwh: target,
                hindsight: false,
                reported_need_kwh: target - r.soc_arrival,
                need_clipped: false,
                limits: r.limits,
                chain: persistence.then(|| Chain {
                    vehicle: r.id.to_string(),
                    depletion_kwh: r.depletion,
                }),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.date, a.arrival_slot, &a.id).cmp(&(b.date, b.arrival_slot, &b.id)));
    if cut > 0 {
        notes.push(match overnight {
            Overnight::CutAtMidnight => {
                format!("{cut} sessions run past midnight and are cut there (--overnight cut)")
            }
            Overnight::Continue => format!(
                "{cut} sessions stay longer than {} days and are cut there",
                crate::MAX_STAY_DAYS
            ),
        });
    }
    if raised > 0 {
        notes.push(format!("{raised} sessions have soc_target_kwh below soc_arrival_kwh: the target is the arrival energy (openv2b may discharge down to the lower target)"));
    }
    out
}

/// The slot-of-day series of a horizon's values, if every day repeats the first.
fn daily<T: Clone + PartialEq>(values: &[T], per_day: usize) -> Option<Vec<T>> {
    let first = &values[..per_day];
    values
        .chunks(per_day)
        .all(|d| d == first)
        .then(|| first.to_vec())
}

fn clock(slot: usize, slot_minutes: u32) -> Option<ClockTime> {
    Some(ClockTime {
        minutes: slot as u32 * slot_minutes,
    })
}

/// Runs of equal values over the day, as `(from slot, to slot, value)`.
fn runs<T: Clone + PartialEq>(day: &[T]) -> Vec<(usize, usize, T)> {
    let mut out: Vec<(usize, usize, T)> = Vec::new();
    for (k, v) in day.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == *v => last.1 = k + 1,
            _ => out.push((k, k + 1, v.clone())),
        }
    }
    out
}

fn tariff(path: &Path, s: &Settings) -> Result<Tariff> {
    let per_day = 1440 / s.slot_minutes as usize;
    let (prices, classes) = read_steps(path, s.horizon, Some("tou"))?;
    let not_daily = |what: &str| {
        file_error(
            path,
            what,
            "differs between days: evmech's tariffs repeat every day (give a one-day pattern)",
        )
    };
    let prices = daily(&prices, per_day).ok_or_else(|| not_daily("value"))?;
    let classes = daily(&classes, per_day).ok_or_else(|| not_daily("tou"))?;
    let energy = runs(&prices)
        .into_iter()
        .map(|(a, b, p)| EnergyPeriod {
            days: DaySet::All,
            months: None,
            from: clock(a, s.slot_minutes),
            to: clock(b, s.slot_minutes),
            usd_per_kwh: p,
        })
        .collect();
    let mut demand = Vec::new();
    if s.facility_usd_per_kw > 0.0 {
        demand.push(DemandCharge {
            name: "facilities".into(),
            days: DaySet::All,
            months: None,
            from: None,
            to: None,
            usd_per_kw: s.facility_usd_per_kw,
        });
    }
    if s.peak_usd_per_kw > 0.0 {
        let peak: Vec<(usize, usize, String)> = runs(&classes)
            .into_iter()
            .filter(|r| r.2 == "peak")
            .collect();
        match peak.as_slice() {
            [] => {}
            [(a, b, _)] => demand.push(DemandCharge {
                name: "peak-tou".into(),
                days: DaySet::All,
                months: None,
                from: clock(*a, s.slot_minutes),
                to: clock(*b, s.slot_minutes),
                usd_per_kw: s.peak_usd_per_kw,
            }),
            _ => {
                return Err(file_error(
                    path,
                    "tou",
                    "the peak class must be one window per day for the peak-TOU demand charge",
                ))
            }
        }
    }
    let tariff = Tariff {
        name: format!("openv2b {}", path.display()),
        timezone: None,
        slot_minutes: s.slot_minutes,
        energy,
        demand,
        export_usd_per_kwh: Some(0.0),
        surcharge: None,
    };
    tariff.validate()?;
    Ok(tariff)
}

fn dr_events(path: &Path, start: Date, s: &Settings) -> Result<Vec<DrEvent>> {
    let per_day = 1440 / s.slot_minutes as usize;
    let table = read_table(
        open(path)?,
        &path.display().to_string(),
        &["start_slot", "end_slot", "fsl_kw", "penalty_usd_per_kwh"],
        &["incentive_usd_per_kw", "baseline_kw"],
    )?;
    let mut events = Vec::new();
    for row in table.rows() {
        // openv2b's window covers start < s <= end.
        let (a, b) = (
            cell_usize(&row, 0, "start_slot")? + 1,
            cell_usize(&row, 1, "end_slot")? + 1,
        );
        if b <= a || b > s.horizon {
            return Err(row.error(
                "end_slot",
                "the window must be non-empty and end before the horizon".into(),
            ));
        }
        let day = a / per_day;
        if (b - 1) / per_day != day {
            return Err(row.error(
                "end_slot",
                "the window crosses midnight (evmech keeps an event within one day)".into(),
            ));
        }
        let optional = |i: usize, name: &str| -> Result<Option<f64>> {
            match row.get(i) {
                None => Ok(None),
                Some(_) => cell_f64(&row, i, name, None).map(Some),
            }
        };
        events.push(DrEvent {
            date: start.plus_days(day as i64),
            from: ClockTime {
                minutes: ((a - day * per_day) as u32) * s.slot_minutes,
            },
            to: ClockTime {
                minutes: ((b - day * per_day) as u32) * s.slot_minutes,
            },
            firm_kw: cell_f64(&row, 2, "fsl_kw", None)?,
            penalty_usd_per_kwh: cell_f64(&row, 3, "penalty_usd_per_kwh", None)?,
            incentive_usd_per_kw: optional(4, "incentive_usd_per_kw")?,
            baseline_kw: optional(5, "baseline_kw")?,
        });
    }
    Ok(events)
}

/// Reads the openv2b scenario in `dir` (`scenario.json`, vehicles, chargers, building load,
/// prices with TOU classes, optional demand-response events), slot 0 being local midnight of
/// `start`. Prices become a tariff (one energy period per run of equal prices; the facilities
/// demand charge on every slot, the peak-TOU one on the `peak` class's window), the site cap
/// the site's import limit, efficiencies the chargers', vehicles sessions with their own power
/// limits and floors (a session past midnight kept whole: [`load_openv2b_with`] can cut it), on
/// a flat charging curve and no site-wide floor, same-slot arrivals in ascending vehicle id.
/// What evmech cannot reproduce exactly is listed in
/// [`OpenV2bScenario::notes`]; what it cannot represent at all (prices that differ between
/// days, a non-whole-day horizon) is an error naming the file and field.
pub fn load_openv2b(dir: &Path, start: Date) -> Result<OpenV2bScenario> {
    load_openv2b_with(dir, start, Overnight::default())
}

/// [`load_openv2b`] with sessions past midnight kept whole ([`Overnight::Continue`], the
/// default: up to [`MAX_STAY_DAYS`](crate::MAX_STAY_DAYS)) or cut at their arrival day's midnight
/// ([`Overnight::CutAtMidnight`]).
pub fn load_openv2b_with(dir: &Path, start: Date, overnight: Overnight) -> Result<OpenV2bScenario> {
    let mut notes = Vec::new();
    let s = read_settings(dir, &mut notes)?;
    let per_day = 1440 / s.slot_minutes as usize;
    let [vehicles_file, chargers_file, building_file, prices_file] = &s.files;
    let chargers = read_chargers(&dir.join(chargers_file), &s)?;
    let rows = read_vehicles(&dir.join(vehicles_file), &s)?;
    let sessions = sessions(
        &rows,
        start,
        per_day,
        (overnight, s.persistence),
        &mut notes,
    );
    let (building, _) = read_steps(&dir.join(building_file), s.horizon, None)?;
    let tariff = tariff(&dir.join(prices_file), &s)?;
    let demand_response = match &s.dr_file {
        Some(f) => dr_events(&dir.join(f), start, &s)?,
        None => Vec::new(),
    };
    let site = Site::new(SiteSpec {
        chargers,
        no_export: true,
        penalties: Penalties::default(),
        import_limit_kw: s.site_cap_kw,
        demand_response,
    })?;
    let days = building
        .chunks(per_day)
        .enumerate()
        .map(|(d, load)| {
            let date = start.plus_days(d as i64);
            crate::Day {
                date,
                building_kw: load.to_vec(),
                sessions: sessions
                    .iter()
                    .filter(|x| x.date == date)
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    let scenario = Scenario::new(ScenarioSpec {
        site,
        tariff,
        curve: ChargingCurve::Flat,
        soc_floor: 0.0,
        tie_break: TieBreak::ById,
        days,
        history: crate::History::default(),
        history_records: Default::default(),
    })?;
    Ok(OpenV2bScenario { scenario, notes })
}
