//! ACN session CSV loader and its mapping to V2B sessions.

use crate::domain::csv::read_table;
use crate::domain::ranges::{in_range, MAX_BATTERY_KWH};
use crate::domain::time::parse_local_time_and_offset;
pub use crate::domain::time::{Date, LocalTime};
use crate::{Clock, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;

/// Slots of a 24-hour day (15-minute slots; a daylight-saving day has 92 or 100, see
/// [`Clock`]).
pub const SLOTS_PER_DAY: usize = 96;

/// The longest stay simulated, days: a session's departure is at most this many days after its
/// arrival day's midnight (a longer stay is cut there).
pub const MAX_STAY_DAYS: usize = 7;

/// Battery classes, kWh, smallest first.
pub const BATTERY_CLASSES_KWH: [f64; 4] = [24.0, 40.0, 75.0, 100.0];

/// Which departure the simulated EV uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepartureMode {
    /// The EV leaves at its requested departure (the default).
    #[default]
    Compliant,
    /// The EV leaves when it really left.
    Realised,
}

/// One simulated charging session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// ACN session id.
    pub id: String,
    /// Local arrival date (the session's day).
    pub date: Date,
    /// Arrival slot of the day.
    pub arrival_slot: usize,
    /// Departure slot (exclusive; the EV is present for `arrival_slot <= k < departure_slot`).
    pub departure_slot: usize,
    /// Requested departure slot.
    pub requested_departure_slot: usize,
    /// Battery capacity, kWh.
    pub battery_kwh: f64,
    /// Stored energy on arrival, kWh.
    pub arrival_energy_kwh: f64,
    /// Stored energy requested at departure, kWh.
    pub requested_energy_kwh: f64,
    /// The need came from `delivered_kwh` (unclaimed session: hindsight, not a user input).
    pub hindsight: bool,
    /// The need as reported (before any cut), kWh.
    pub reported_need_kwh: f64,
    /// The need exceeded 80% of the largest battery and was cut to 80 kWh.
    pub need_clipped: bool,
    /// The vehicle's own limits (default: none, the charger's apply).
    #[serde(default, skip_serializing_if = "VehicleLimits::is_none")]
    pub limits: VehicleLimits,
    /// The vehicle whose state of charge this session continues (default: none, the session
    /// arrives with `arrival_energy_kwh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Chain>,
}

/// A session that continues its vehicle's state of charge (openv2b's `persistence`).
///
/// When an earlier session of the same `vehicle` has left in the same simulation, this one
/// arrives with that departure's stored energy less `depletion_kwh` (driven in between),
/// clamped to the battery's floor and the vehicle's ceiling; its `arrival_energy_kwh` is then
/// not used (it is for the vehicle's first session, and for forecasts and hindsight plans made
/// before the earlier session's outcome is known). A requested energy below the chained
/// arrival energy asks for nothing more. A vehicle turned away (no charger, or declined) leaves
/// with the energy it came with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// The vehicle's identity: the sessions sharing it are one car's, in time order.
    pub vehicle: String,
    /// Energy used since the vehicle's previous departure, kWh.
    #[serde(default)]
    pub depletion_kwh: f64,
}

/// The first two stays of one vehicle that overlap in time, `(earlier, later)` by their tags,
/// among `stays` = (vehicle, start, end, tag) on one time axis (end exclusive). Sorted by
/// vehicle and start, an overlap always shows between neighbours.
pub(crate) fn overlapping_stays<V: Ord, T: Copy>(
    mut stays: Vec<(V, i64, i64, T)>,
) -> Option<(T, T)> {
    stays.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
    stays
        .windows(2)
        .find(|w| w[0].0 == w[1].0 && w[1].1 < w[0].2)
        .map(|w| (w[0].3, w[1].3))
}

/// A vehicle's own limits, below its charger's (openv2b's per-vehicle columns). `None`: the
/// charger's power and the site's discharge floor apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleLimits {
    /// Maximum charging power the vehicle accepts, kW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_charge_kw: Option<f64>,
    /// Maximum discharging power the vehicle gives, kW (0: no V2B).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_discharge_kw: Option<f64>,
    /// The vehicle's discharge floor, kWh (the higher of it and the site's floor applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_energy_kwh: Option<f64>,
    /// The vehicle's charging ceiling, kWh (openv2b's `max_soc_kwh`; the battery's capacity
    /// when `None`): no charging beyond it, and a target above it is cut to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_energy_kwh: Option<f64>,
}

impl VehicleLimits {
    /// Whether no limit is set.
    pub fn is_none(&self) -> bool {
        *self == VehicleLimits::default()
    }

    /// Checks each limit against its range and a battery of `battery_kwh`; errors name
    /// `{path}.limits.<field>`.
    pub fn validate(&self, battery_kwh: f64, path: &str) -> Result<()> {
        use crate::domain::ranges::check_range;
        let f = |name: &str| format!("{path}.limits.{name}");
        for (name, v, max) in [
            ("max_charge_kw", self.max_charge_kw, crate::MAX_CHARGER_KW),
            (
                "max_discharge_kw",
                self.max_discharge_kw,
                crate::MAX_CHARGER_KW,
            ),
            ("min_energy_kwh", self.min_energy_kwh, battery_kwh),
            ("max_energy_kwh", self.max_energy_kwh, battery_kwh),
        ] {
            if let Some(v) = v {
                check_range(f(name), v, max)?;
            }
        }
        if let (Some(lo), Some(hi)) = (self.min_energy_kwh, self.max_energy_kwh) {
            if hi < lo {
                return Err(crate::Error::InvalidField {
                    field: f("max_energy_kwh"),
                    reason: format!("{hi} kWh is below min_energy_kwh {lo}"),
                });
            }
        }
        Ok(())
    }
}

/// FNV-1a, a stable hash of the session id (the seed of its arrival state of charge).
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A Beta(4, 4) draw: the 4th smallest of 7 uniforms.
fn beta_4_4(rng: &mut ChaCha8Rng) -> f64 {
    let mut u: [f64; 7] = std::array::from_fn(|_| rng.random::<f64>());
    u.sort_by(f64::total_cmp);
    u[3]
}

/// Slots from `day`'s midnight to `t` on `clock` (negative times clamp to 0): real time
/// from the local midnight when the clock has a zone and `t` its instant, else wall-clock.
fn slot_of(t: LocalTime, day: Date, clock: &Clock) -> usize {
    let real = match (clock.zone(), t.utc_seconds) {
        (Some(_), Some(s)) => jiff::Timestamp::from_second(s)
            .ok()
            .and_then(|at| clock.slots_since_midnight(day, at)),
        _ => None,
    };
    if let Some(slots) = real {
        return slots.max(0) as usize;
    }
    let days = (t.date.days_since_epoch() - day.days_since_epoch()).max(0) as usize;
    days.saturating_mul(clock.nominal_slots()) + (t.minutes / clock.slot_minutes()) as usize
}

/// What happens to a session still plugged in at midnight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overnight {
    /// It stays, over midnight and weekends, up to [`MAX_STAY_DAYS`] (the default).
    #[default]
    Continue,
    /// It is cut at midnight: the CONSENT paper's workplace days, each simulated alone.
    CutAtMidnight,
}

/// Which days of the week a loader keeps (by the local arrival date).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DaysOfWeek {
    /// Every day (the default).
    #[default]
    All,
    /// Monday to Friday (the CONSENT paper's workplace setting).
    Weekdays,
}

impl DaysOfWeek {
    /// Whether `date` is kept.
    pub fn keeps(self, date: Date) -> bool {
        match self {
            DaysOfWeek::All => true,
            DaysOfWeek::Weekdays => !date.is_weekend(),
        }
    }

    /// Parses `all` or `weekdays`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "all" => Ok(DaysOfWeek::All),
            "weekdays" => Ok(DaysOfWeek::Weekdays),
            other => Err(crate::Error::InvalidParameter {
                field: "days_of_week",
                reason: format!("expected all or weekdays, got {other:?}"),
            }),
        }
    }
}

/// How recorded sessions become simulated ones.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionOptions {
    /// Which departure the simulated EV uses (default: the requested one).
    pub departure: DepartureMode,
    /// Stations kept: those with the most sessions, ties by id (default 15, the paper's site).
    pub stations: usize,
    /// Days of the week kept, by local arrival date (default: all).
    pub days_of_week: DaysOfWeek,
    /// The site's time zone: timestamps are converted to it and slots are counted in real time
    /// from its local midnights (92 or 100 on daylight-saving days): give the tariff's
    /// [`timezone`](crate::Tariff::timezone), the scenario's clock. `None` (the default) keeps
    /// each timestamp's wall-clock time as written, on days of 24 wall-clock hours.
    pub time_zone: Option<jiff::tz::TimeZone>,
    /// Sessions over midnight stay (the default) or are cut there.
    pub overnight: Overnight,
}

impl SessionOptions {
    /// The CONSENT paper's mapping: weekdays only, each session cut at midnight, the requested
    /// departure, the 15 busiest stations.
    pub fn paper() -> Self {
        SessionOptions {
            days_of_week: DaysOfWeek::Weekdays,
            overnight: Overnight::CutAtMidnight,
            ..SessionOptions::default()
        }
    }
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            departure: DepartureMode::Compliant,
            stations: 15,
            days_of_week: DaysOfWeek::All,
            time_zone: None,
            overnight: Overnight::Continue,
        }
    }
}

/// One recorded session before the mapping (times local).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordedSession {
    pub id: String,
    pub station: String,
    pub arrival: LocalTime,
    pub departure: LocalTime,
    /// The driver's inputs: requested kWh and estimated departure (`None`: unclaimed).
    pub user: Option<(f64, LocalTime)>,
    pub delivered_kwh: f64,
}

/// [`load_acn_sessions`] of the file at `path`.
pub fn load_acn_file(path: &std::path::Path, options: &SessionOptions) -> Result<Vec<Session>> {
    load_acn_sessions(
        crate::domain::csv::open(path)?,
        &path.display().to_string(),
        options,
    )
}

const COLUMNS: [&str; 6] = [
    "session_id",
    "station_id",
    "arrival",
    "departure",
    "delivered_kwh",
    "user_claimed",
];
const USER_COLUMNS: [&str; 2] = ["requested_kwh", "estimated_departure"];

/// Loads an ACN session CSV and maps it to V2B sessions.
///
/// Columns are found by header name (order free, others such as `site` ignored; quoting, a
/// byte-order mark and CRLF are handled): `session_id, station_id, arrival, departure,
/// delivered_kwh, user_claimed` and, for claimed sessions, `requested_kwh,
/// estimated_departure` (an unclaimed row may leave them empty). Timestamps are ISO 8601 with
/// an offset (see [`parse_local_time`](crate::parse_local_time)).
///
/// The mapping: arrivals on the kept days of the week only; slots counted on the site's
/// clock (`options.time_zone`: real time from the local midnight, so a daylight-saving day has
/// 92 or 100; without a zone, wall-clock minutes over 96 slots a day); the
/// requested departure is `estimated_departure` if claimed, else `departure`, in slots from the
/// arrival day's midnight, clipped to `[a + 1, the slots of 7 days]` (or to `[a + 1, the day's
/// slots]`, midnight, with [`Overnight::CutAtMidnight`]); the need is `requested_kwh` if
/// claimed, else `delivered_kwh` (flagged as hindsight); the battery is the smallest class with
/// `0.8 B >= E` (else 100 kWh with the need cut to 80); arrival energy `clamp(s_a B, 0.1 B,
/// 0.95 B - E)` with `s_a ~ Beta(4, 4)` seeded by a hash of the session id; only the
/// `options.stations` stations with the most sessions (ties by id) are kept.
/// Errors name the file, the line and the column.
pub fn load_acn_sessions<R: Read>(
    reader: R,
    file: &str,
    options: &SessionOptions,
) -> Result<Vec<Session>> {
    let table = read_table(reader, file, &COLUMNS, &USER_COLUMNS)?;
    let zone = options.time_zone.as_ref();
    // Without a zone each timestamp keeps its wall-clock time as written, which is right only
    // if the whole file was written in one zone: its offsets may then differ by the one hour of
    // a daylight-saving change, no more (a stray UTC or +05:30 row would shift silently).
    let offsets = std::cell::Cell::new(None::<(i32, i32)>);
    let mut rows = Vec::new();
    for row in table.rows() {
        let cell = |i: usize, name: &str| {
            row.get(i)
                .ok_or_else(|| row.error(name, "empty cell".into()))
        };
        let time = |i: usize, name: &str| {
            let text = cell(i, name)?;
            let (t, off) = parse_local_time_and_offset(text, zone).ok_or_else(|| {
                row.error(
                    name,
                    format!("not an ISO 8601 timestamp with offset: {text:?}"),
                )
            })?;
            if zone.is_none() {
                let (lo, hi) = offsets.get().unwrap_or((off, off));
                let (lo, hi) = (lo.min(off), hi.max(off));
                if hi - lo > 3600 {
                    return Err(row.error(
                        name,
                        format!(
                            "{text:?} is written at a UTC offset more than one hour from \
                             the file's others (a file in one zone differs by at most a \
                             daylight-saving hour); give the site's time zone \
                             (--time-zone) to convert every timestamp to it"
                        ),
                    ));
                }
                offsets.set(Some((lo, hi)));
            }
            Ok(t)
        };
        let kwh = |i: usize, name: &str| {
            let text = cell(i, name)?;
            text.parse::<f64>()
                .ok()
                .filter(|&x| in_range(x, MAX_BATTERY_KWH))
                .ok_or_else(|| {
                    row.error(
                        name,
                        format!("not a number of kWh in [0, {MAX_BATTERY_KWH}]: {text:?}"),
                    )
                })
        };
        let claimed = match cell(5, "user_claimed")? {
            "true" | "True" | "TRUE" => true,
            "false" | "False" | "FALSE" => false,
            other => {
                return Err(row.error(
                    "user_claimed",
                    format!("expected true or false, got {other:?}"),
                ))
            }
        };
        let (arrival, departure) = (time(2, "arrival")?, time(3, "departure")?);
        if !departure.is_after(&arrival) {
            return Err(row.error("departure", "not after the arrival".into()));
        }
        let user = if claimed {
            Some((kwh(6, "requested_kwh")?, time(7, "estimated_departure")?))
        } else {
            None
        };
        rows.push(RecordedSession {
            id: cell(0, "session_id")?.to_string(),
            station: cell(1, "station_id")?.to_string(),
            arrival,
            departure,
            user,
            delivered_kwh: kwh(4, "delivered_kwh")?,
        });
    }
    Ok(map_sessions(rows, options))
}

/// The mapping of [`load_acn_sessions`], shared by every session source.
pub(crate) fn map_sessions(
    mut rows: Vec<RecordedSession>,
    options: &SessionOptions,
) -> Vec<Session> {
    rows.retain(|r| options.days_of_week.keeps(r.arrival.date));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *counts.entry(r.station.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let kept: Vec<String> = ranked
        .iter()
        .take(options.stations)
        .map(|(s, _)| s.to_string())
        .collect();
    rows.iter()
        .filter(|r| kept.contains(&r.station))
        .map(|r| map_one(r, options))
        .collect()
}

fn map_one(r: &RecordedSession, options: &SessionOptions) -> Session {
    let mode = options.departure;
    let day = r.arrival.date;
    let clock = Clock::new(options.time_zone.clone(), 15);
    let n = clock.slots_on(day);
    let a = slot_of(r.arrival, day, &clock).min(n.saturating_sub(1));
    let last = match options.overnight {
        Overnight::Continue => clock.slots_between(day, day.plus_days(MAX_STAY_DAYS as i64)),
        Overnight::CutAtMidnight => n,
    };
    let clip = |t: LocalTime| slot_of(t, day, &clock).clamp(a + 1, last);
    let (need, estimated) = r.user.unwrap_or((r.delivered_kwh, r.departure));
    let requested_departure = clip(estimated);
    let battery = BATTERY_CLASSES_KWH
        .iter()
        .copied()
        .find(|b| 0.8 * b >= need)
        .unwrap_or(100.0);
    let need_clipped = need > 0.8 * battery;
    let clipped_need = need.min(0.8 * battery);
    let mut rng = ChaCha8Rng::seed_from_u64(stable_hash(&r.id));
    let s_a = beta_4_4(&mut rng);
    let e_arr = (s_a * battery).clamp(0.1 * battery, 0.95 * battery - clipped_need);
    Session {
        id: r.id.clone(),
        date: day,
        arrival_slot: a,
        departure_slot: match mode {
            DepartureMode::Compliant => requested_departure,
            DepartureMode::Realised => clip(r.departure),
        },
        requested_departure_slot: requested_departure,
        battery_kwh: battery,
        arrival_energy_kwh: e_arr,
        requested_energy_kwh: e_arr + clipped_need,
        hindsight: r.user.is_none(),
        reported_need_kwh: need,
        need_clipped,
        limits: VehicleLimits::default(),
        chain: None,
    }
}
