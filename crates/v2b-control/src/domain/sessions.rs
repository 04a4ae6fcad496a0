//! ACN session CSV loader and its mapping to V2B sessions.

use crate::domain::csv::{csv_error, read_rows};
use crate::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::BufRead;

/// Slots per day (15-minute slots).
pub const SLOTS_PER_DAY: usize = 96;

/// Battery classes, kWh, smallest first.
pub const BATTERY_CLASSES_KWH: [f64; 4] = [24.0, 40.0, 75.0, 100.0];

/// A local calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian).
    pub fn days_since_epoch(&self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (the inverse of [`Date::days_since_epoch`]).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date `days` days later (earlier when negative).
    pub fn plus_days(&self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Whether the date is a Saturday or a Sunday.
    pub fn is_weekend(&self) -> bool {
        matches!(self.weekday(), 0 | 6)
    }

    /// Day of the week: 0 = Sunday ... 6 = Saturday.
    pub fn weekday(&self) -> usize {
        (self.days_since_epoch() + 4).rem_euclid(7) as usize
    }
}

impl std::fmt::Display for Date {
    /// ISO 8601 (`2019-05-14`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A local timestamp: date and minutes after midnight (the UTC offset is dropped: the file's
/// timestamps are local wall-clock times).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalTime {
    /// Local date.
    pub date: Date,
    /// Minutes after local midnight.
    pub minutes: u32,
}

fn parse_time(text: &str) -> Option<LocalTime> {
    // 2019-05-01T01:18:45-07:00
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    let date = Date {
        year: i32::try_from(num(0..4)?).ok()?,
        month: num(5..7).filter(|m| (1..=12).contains(m))?,
        day: num(8..10).filter(|d| (1..=31).contains(d))?,
    };
    let (h, m) = (num(11..13)?, num(14..16)?);
    (h < 24 && m < 60).then_some(LocalTime {
        date,
        minutes: h * 60 + m,
    })
}

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

fn slot_of(t: LocalTime, day: Date) -> usize {
    if t.date > day {
        SLOTS_PER_DAY
    } else {
        (t.minutes / 15) as usize
    }
}

/// [`load_acn_sessions`] of the file at `path`.
pub fn load_acn_file(
    path: &std::path::Path,
    mode: DepartureMode,
    keep_stations: usize,
) -> Result<Vec<Session>> {
    load_acn_sessions(
        crate::domain::csv::open(path)?,
        &path.display().to_string(),
        mode,
        keep_stations,
    )
}

/// Loads the ACN session CSV (`session_id, site, station_id, arrival, departure, requested_kwh,
/// delivered_kwh, estimated_departure, user_claimed`) and maps it as follows:
/// weekday arrivals only; slots from local minutes; the requested departure is
/// `estimated_departure` if claimed, else `departure`, clipped to `[a + 1, 96]`; the need is
/// `requested_kwh` if claimed, else `delivered_kwh` (flagged); the battery is the smallest class
/// with `0.8 B >= E` (else 100 kWh with the need cut to 80); arrival energy
/// `clamp(s_a B, 0.1 B, 0.95 B - E)` with `s_a ~ Beta(4, 4)` seeded by a hash of the session id;
/// only the `keep_stations` stations with the most sessions (ties by id) are kept.
/// Errors name the file, the line and the column.
pub fn load_acn_sessions<R: BufRead>(
    reader: R,
    file: &str,
    mode: DepartureMode,
    keep_stations: usize,
) -> Result<Vec<Session>> {
    let err = |line: usize, field: &str, reason: String| csv_error(file, line, field, reason);
    const COLUMNS: [&str; 9] = [
        "session_id",
        "site",
        "station_id",
        "arrival",
        "departure",
        "requested_kwh",
        "delivered_kwh",
        "estimated_departure",
        "user_claimed",
    ];
    let mut rows = Vec::new();
    for (line, c) in read_rows(reader, file, &COLUMNS)? {
        let time = |i: usize| {
            parse_time(&c[i]).ok_or_else(|| {
                err(
                    line,
                    COLUMNS[i],
                    format!("not an ISO 8601 timestamp: {:?}", c[i]),
                )
            })
        };
        let kwh = |i: usize| {
            c[i].parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| {
                    err(
                        line,
                        COLUMNS[i],
                        format!("not a non-negative number: {:?}", c[i]),
                    )
                })
        };
        let claimed = match c[8].as_str() {
            "true" => true,
            "false" => false,
            other => {
                return Err(err(
                    line,
                    "user_claimed",
                    format!("expected true or false, got {other:?}"),
                ))
            }
        };
        let (arrival, departure, estimated) = (time(3)?, time(4)?, time(7)?);
        if departure <= arrival {
            return Err(err(line, "departure", "not after the arrival".into()));
        }
        rows.push((
            c[0].to_string(),
            c[2].to_string(),
            arrival,
            departure,
            kwh(5)?,
            kwh(6)?,
            estimated,
            claimed,
        ));
    }
    rows.retain(|r| (1..=5).contains(&r.2.date.weekday()));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *counts.entry(r.1.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let kept: Vec<String> = ranked
        .iter()
        .take(keep_stations)
        .map(|(s, _)| s.to_string())
        .collect();
    Ok(rows
        .iter()
        .filter(|r| kept.contains(&r.1))
        .map(
            |(id, _, arrival, departure, requested, delivered, estimated, claimed)| {
                let day = arrival.date;
                let a = slot_of(*arrival, day).min(SLOTS_PER_DAY - 1);
                let clip = |t: LocalTime| slot_of(t, day).clamp(a + 1, SLOTS_PER_DAY);
                let requested_departure = clip(if *claimed { *estimated } else { *departure });
                let need = if *claimed { *requested } else { *delivered };
                let battery = BATTERY_CLASSES_KWH
                    .iter()
                    .copied()
                    .find(|b| 0.8 * b >= need)
                    .unwrap_or(100.0);
                let reported_need = need;
                let need_clipped = need > 0.8 * battery;
                let need = need.min(0.8 * battery);
                let mut rng = ChaCha8Rng::seed_from_u64(stable_hash(id));
                let s_a = beta_4_4(&mut rng);
                let e_arr = (s_a * battery).clamp(0.1 * battery, 0.95 * battery - need);
                Session {
                    id: id.clone(),
                    date: day,
                    arrival_slot: a,
                    departure_slot: match mode {
                        DepartureMode::Compliant => requested_departure,
                        DepartureMode::Realised => clip(*departure),
                    },
                    requested_departure_slot: requested_departure,
                    battery_kwh: battery,
                    arrival_energy_kwh: e_arr,
                    requested_energy_kwh: e_arr + need,
                    hindsight: !claimed,
                    reported_need_kwh: reported_need,
                    need_clipped,
                }
            },
        )
        .collect())
}
