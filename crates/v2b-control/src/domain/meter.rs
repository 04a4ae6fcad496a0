//! Building load from a meter export: timestamped readings at any regular interval.

use crate::domain::csv::{csv_error, read_table};
use crate::domain::ranges::{in_range, MAX_LOAD_KW};
use crate::domain::time::{Date, LocalTime};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;

/// Where the building load of a calendar day comes from: the DOE typical year
/// ([`BuildingLoad`](crate::BuildingLoad), through its documented same-rank mapping) or a
/// real meter ([`MeterLoad`], by date).
pub trait LoadProfile: Send + Sync {
    /// The load of `date` in `slots_per_hour` slots per hour over its 24 wall-clock hours, kW.
    fn profile_for_date(&self, date: Date, slots_per_hour: usize) -> Result<Vec<f64>>;
}

/// A meter's average demand per minute of each local day it covers, kW (`None`: no reading).
///
/// A reading of `kw` at time `t` covers `[t, t + interval)`, the interval being the step
/// between consecutive timestamps, which must be regular (15 minutes, an hour, five minutes:
/// any that divides a day). Readings are placed on the local wall clock: on the day clocks
/// spring forward the skipped hour has no reading and takes the hour before it; on the day
/// they fall back the repeated hour's two readings are averaged. (The simulator's days are 24
/// wall-clock hours; true 23- and 25-hour days are still to come, see `docs/v2b.md`.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeterLoad {
    interval_minutes: u32,
    days: BTreeMap<Date, Vec<Option<f64>>>,
}

const MINUTES_PER_DAY: usize = 1440;

impl MeterLoad {
    /// Reads a meter CSV with columns `time` (ISO 8601 with offset, start of the interval) and
    /// `kw` (average demand over the interval), found by name. With `zone`, timestamps are
    /// converted to the site's time zone; without, their written wall clock is kept. Errors name
    /// the file, the line and the column: a bad timestamp, a negative or non-finite reading, a
    /// step that differs from the first one, or time running backwards.
    pub fn from_csv<R: Read>(
        reader: R,
        file: &str,
        zone: Option<&jiff::tz::TimeZone>,
    ) -> Result<Self> {
        let table = read_table(reader, file, &["time", "kw"], &[])?;
        let mut readings: Vec<(jiff::Timestamp, LocalTime, f64)> = Vec::new();
        let mut step: Option<i64> = None;
        for row in table.rows() {
            let text = row.get(0).unwrap_or("");
            let instant: jiff::Timestamp = text.parse().map_err(|_| {
                row.error(
                    "time",
                    format!("not an ISO 8601 timestamp with offset: {text:?}"),
                )
            })?;
            let local = crate::parse_local_time(text, zone)
                .ok_or_else(|| row.error("time", format!("not a timestamp: {text:?}")))?;
            let value = row.get(1).unwrap_or("");
            let kw = value
                .parse::<f64>()
                .ok()
                .filter(|&k| in_range(k, MAX_LOAD_KW))
                .ok_or_else(|| {
                    row.error(
                        "kw",
                        format!("not a number in [0, {MAX_LOAD_KW}]: {value:?}"),
                    )
                })?;
            if let Some(&(previous, _, _)) = readings.last() {
                let gap = instant.as_second() - previous.as_second();
                if gap <= 0 {
                    return Err(row.error("time", "not after the previous reading".into()));
                }
                match step {
                    None => step = Some(gap),
                    Some(s) if s != gap => {
                        return Err(row.error(
                            "time",
                            format!("irregular step: {gap} s after the previous reading, the file's step is {s} s"),
                        ))
                    }
                    Some(_) => {}
                }
            }
            readings.push((instant, local, kw));
        }
        let Some(seconds) = step else {
            return Err(csv_error(
                file,
                2,
                "time",
                "needs at least two readings".into(),
            ));
        };
        if seconds % 60 != 0 || MINUTES_PER_DAY as i64 % (seconds / 60) != 0 {
            return Err(csv_error(
                file,
                3,
                "time",
                format!("the step ({seconds} s) must be whole minutes dividing a day"),
            ));
        }
        Ok(MeterLoad::from_readings(&readings, (seconds / 60) as u32))
    }

    /// [`MeterLoad::from_csv`] of the file at `path`.
    pub fn from_file(path: &std::path::Path, zone: Option<&jiff::tz::TimeZone>) -> Result<Self> {
        MeterLoad::from_csv(
            crate::domain::csv::open(path)?,
            &path.display().to_string(),
            zone,
        )
    }

    fn from_readings(readings: &[(jiff::Timestamp, LocalTime, f64)], interval: u32) -> Self {
        let mut sums: BTreeMap<Date, Vec<(f64, u32)>> = BTreeMap::new();
        for &(_, start, kw) in readings {
            for m in 0..interval {
                let minute = start.minutes + m;
                let (date, minute) = if minute as usize >= MINUTES_PER_DAY {
                    (start.date.plus_days(1), minute - MINUTES_PER_DAY as u32)
                } else {
                    (start.date, minute)
                };
                let day = sums
                    .entry(date)
                    .or_insert_with(|| vec![(0.0, 0); MINUTES_PER_DAY]);
                day[minute as usize].0 += kw;
                day[minute as usize].1 += 1;
            }
        }
        let days = sums
            .into_iter()
            .map(|(date, minutes)| {
                let values = minutes
                    .iter()
                    .map(|&(sum, n)| (n > 0).then(|| sum / f64::from(n)))
                    .collect();
                (date, values)
            })
            .collect();
        MeterLoad {
            interval_minutes: interval,
            days,
        }
    }

    /// The readings' interval, minutes.
    pub fn interval_minutes(&self) -> u32 {
        self.interval_minutes
    }

    /// The first and last local dates with a reading.
    pub fn span(&self) -> Option<(Date, Date)> {
        Some((*self.days.keys().next()?, *self.days.keys().next_back()?))
    }
}

impl LoadProfile for MeterLoad {
    /// The day's slots, each the mean of its minutes. A minute without a reading takes the
    /// last earlier minute of the day that has one (the hour clocks skip in spring); a slot
    /// before the day's first reading, or a day the meter does not cover at all, is an error
    /// naming the date.
    fn profile_for_date(&self, date: Date, slots_per_hour: usize) -> Result<Vec<f64>> {
        let missing = |reason: String| Error::InvalidField {
            field: format!("building[{date}]"),
            reason,
        };
        if slots_per_hour == 0 || 60 % slots_per_hour != 0 {
            return Err(missing(format!(
                "slots per hour must divide 60, got {slots_per_hour}"
            )));
        }
        let day = self
            .days
            .get(&date)
            .ok_or_else(|| missing("the meter file has no reading on this date".into()))?;
        let mut filled = Vec::with_capacity(MINUTES_PER_DAY);
        let mut last = None;
        for (m, v) in day.iter().enumerate() {
            last = v.or(last);
            filled.push(last.ok_or_else(|| {
                missing(format!("no reading before {:02}:{:02}", m / 60, m % 60))
            })?);
        }
        let per_slot = 60 / slots_per_hour;
        Ok(filled
            .chunks(per_slot)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect())
    }
}

impl LoadProfile for crate::BuildingLoad {
    fn profile_for_date(&self, date: Date, slots_per_hour: usize) -> Result<Vec<f64>> {
        crate::BuildingLoad::profile_for_date(self, date, slots_per_hour)
    }
}
