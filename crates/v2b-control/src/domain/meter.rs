//! Building load from a meter export: timestamped readings at any regular interval.

use crate::domain::csv::{csv_error, read_table};
use crate::domain::ranges::{in_range, MAX_LOAD_KW};
use crate::domain::time::{Date, LocalTime};
use crate::Clock;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// Where the building load of a calendar day comes from: the DOE typical year
/// ([`BuildingLoad`](crate::BuildingLoad), through its documented same-rank mapping) or a
/// real meter ([`MeterLoad`], by date).
pub trait LoadProfile: Send + Sync {
    /// The load of `date`, one value per slot of the date on the site's `clock` (92 or 100
    /// quarter-hours on daylight-saving days), kW.
    fn profile_for_date(&self, date: Date, clock: &Clock) -> Result<Vec<f64>>;
}

/// A meter's readings, each the average demand over `[t, t + interval)`, kW.
///
/// The step between consecutive timestamps must be regular (15 minutes, an hour, five
/// minutes: any that divides a day). With a site clock in a time zone, a day is the real time
/// from its local midnight to the next (23 or 25 hours on daylight-saving days) and readings
/// are placed by the instant they were taken. Without a zone, days are 24 wall-clock hours
/// and readings are placed on their written wall clock: the hour clocks skip has no reading
/// and takes the hour before it, and a repeated hour's two readings are averaged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeterLoad {
    interval_minutes: u32,
    /// (minute since the epoch, UTC; kW), in time order.
    by_instant: Vec<(i64, f64)>,
    /// (wall-clock minute since the epoch as written or converted; kW), sorted.
    by_wall: Vec<(i64, f64)>,
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
        let by_instant = readings
            .iter()
            .map(|(t, _, kw)| (t.as_second().div_euclid(60), *kw))
            .collect();
        let mut by_wall: Vec<(i64, f64)> = readings
            .iter()
            .map(|(_, l, kw)| (l.date.days_since_epoch() * 1440 + i64::from(l.minutes), *kw))
            .collect();
        by_wall.sort_by_key(|r| r.0);
        MeterLoad {
            interval_minutes: interval,
            by_instant,
            by_wall,
        }
    }

    /// The readings' interval, minutes.
    pub fn interval_minutes(&self) -> u32 {
        self.interval_minutes
    }

    /// The first and last local (as written, or converted) dates with a reading.
    pub fn span(&self) -> Option<(Date, Date)> {
        let date = |m: i64| Date::from_days_since_epoch(m.div_euclid(1440));
        Some((date(self.by_wall.first()?.0), date(self.by_wall.last()?.0)))
    }

    /// The mean reading of each minute in `[start, start + len)` of `readings`' line
    /// (`None`: no reading covers it).
    fn minutes(&self, readings: &[(i64, f64)], start: i64, len: usize) -> Vec<Option<f64>> {
        let step = i64::from(self.interval_minutes);
        let mut sums = vec![(0.0, 0u32); len];
        let first = readings.partition_point(|r| r.0 + step <= start);
        for &(t, kw) in &readings[first..] {
            if t >= start + len as i64 {
                break;
            }
            for m in t.max(start)..(t + step).min(start + len as i64) {
                let cell = &mut sums[(m - start) as usize];
                cell.0 += kw;
                cell.1 += 1;
            }
        }
        sums.iter()
            .map(|&(sum, n)| (n > 0).then(|| sum / f64::from(n)))
            .collect()
    }
}

impl LoadProfile for MeterLoad {
    /// The day's slots, each the mean of its minutes. A minute without a reading takes the
    /// last earlier minute of the day that has one (the hour clocks skip in spring, on a clock
    /// without a zone); a slot before the day's first reading, or a day the meter does not
    /// cover at all, is an error naming the date.
    fn profile_for_date(&self, date: Date, clock: &Clock) -> Result<Vec<f64>> {
        let missing = |reason: String| Error::InvalidField {
            field: format!("building[{date}]"),
            reason,
        };
        let minutes = match clock.midnight(date) {
            Some(start) => {
                let len = clock.minutes_on(date).max(0) as usize;
                self.minutes(&self.by_instant, start.as_second().div_euclid(60), len)
            }
            None => self.minutes(
                &self.by_wall,
                date.days_since_epoch() * 1440,
                MINUTES_PER_DAY,
            ),
        };
        if minutes.iter().all(Option::is_none) {
            return Err(missing("the meter file has no reading on this date".into()));
        }
        let mut filled = Vec::with_capacity(minutes.len());
        let mut last = None;
        for (m, v) in minutes.iter().enumerate() {
            last = v.or(last);
            filled.push(last.ok_or_else(|| {
                let s = clock.slot_minutes() as usize;
                let wall = clock.wall_minutes(date, m / s) as usize + m % s;
                missing(format!(
                    "no reading before {:02}:{:02}",
                    wall / 60,
                    wall % 60
                ))
            })?);
        }
        let per_slot = clock.slot_minutes() as usize;
        Ok(filled
            .chunks(per_slot)
            .take(minutes.len() / per_slot)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect())
    }
}

impl LoadProfile for crate::BuildingLoad {
    fn profile_for_date(&self, date: Date, clock: &Clock) -> Result<Vec<f64>> {
        crate::BuildingLoad::profile_for_date(self, date, clock)
    }
}
