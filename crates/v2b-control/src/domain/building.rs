//! The hourly building base load (DOE reference building CSV) and its calendar.

use crate::domain::csv::read_table;
use crate::domain::ranges::{in_range, MAX_LOAD_KW};
use crate::{Date, Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// Hours in the file's year (365 days).
pub const HOURS_PER_YEAR: usize = 8760;

/// Days before the first of each month in a 365-day year.
const MONTH_START: [usize; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/// Day of the week of a day of the file's year: 0 = Sunday ... 6 = Saturday (1 January is a
/// Sunday in the DOE file's calendar).
pub fn weekday(day_of_year: usize) -> usize {
    day_of_year % 7
}

/// The weekdays (Monday to Friday) of `month` (1-12) in the file's calendar, as days of the year.
pub fn weekdays_of_month(month: usize) -> Result<Vec<usize>> {
    if !(1..=12).contains(&month) {
        return Err(Error::InvalidParameter {
            field: "month",
            reason: format!("must be 1 to 12, got {month}"),
        });
    }
    Ok((MONTH_START[month - 1]..MONTH_START[month])
        .filter(|&d| (1..=5).contains(&weekday(d)))
        .collect())
}

/// One year of hourly building demand, kW (hour `h` of the year covers `[h, h + 1)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildingLoad {
    hourly_kw: Vec<f64>,
}

impl BuildingLoad {
    /// Reads the CSV schema `hour_of_year,month,day,hour,facility_kw` (header required, 8760 rows
    /// in order, hours as starting hours). Every row is checked against the calendar; errors name
    /// the file, the line and the column.
    pub fn from_csv<R: Read>(reader: R, file: &str) -> Result<Self> {
        const COLUMNS: [&str; 5] = ["hour_of_year", "month", "day", "hour", "facility_kw"];
        let table = read_table(reader, file, &COLUMNS, &[])?;
        let mut hourly_kw = Vec::with_capacity(HOURS_PER_YEAR);
        let mut last_line = 1;
        for row in table.rows() {
            last_line = row.line;
            let int = |i: usize| {
                let text = row.get(i).unwrap_or("");
                text.parse::<usize>()
                    .map_err(|_| row.error(COLUMNS[i], format!("not a whole number: {text:?}")))
            };
            let hour_of_year = int(0)?;
            let expected = hourly_kw.len();
            if hour_of_year != expected {
                return Err(row.error(
                    "hour_of_year",
                    format!("expected {expected}, found {hour_of_year}"),
                ));
            }
            let day_of_year = hour_of_year / 24;
            let month = MONTH_START.iter().filter(|&&s| s <= day_of_year).count();
            let calendar = [
                (1, month),
                (2, day_of_year - MONTH_START[month - 1] + 1),
                (3, hour_of_year % 24),
            ];
            for (i, want) in calendar {
                let got = int(i)?;
                if got != want {
                    return Err(row.error(
                        COLUMNS[i],
                        format!(
                            "{got} does not match hour_of_year {hour_of_year} (expected {want})"
                        ),
                    ));
                }
            }
            let text = row.get(4).unwrap_or("");
            let kw: f64 = text
                .parse()
                .map_err(|_| row.error("facility_kw", format!("not a number: {text:?}")))?;
            if !in_range(kw, MAX_LOAD_KW) {
                return Err(row.error(
                    "facility_kw",
                    format!("must be finite, non-negative and at most {MAX_LOAD_KW}, got {kw}"),
                ));
            }
            hourly_kw.push(kw);
        }
        if hourly_kw.len() != HOURS_PER_YEAR {
            return Err(crate::domain::csv::csv_error(
                file,
                last_line + 1,
                "row",
                format!("expected {HOURS_PER_YEAR} rows, found {}", hourly_kw.len()),
            ));
        }
        Ok(BuildingLoad { hourly_kw })
    }

    /// [`BuildingLoad::from_csv`] of the file at `path`.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        BuildingLoad::from_csv(crate::domain::csv::open(path)?, &path.display().to_string())
    }

    /// Hourly demand of the whole year, kW.
    pub fn hourly_kw(&self) -> &[f64] {
        &self.hourly_kw
    }

    /// Demand of one day in slots of `slots_per_hour` per hour, each hour held over its slots.
    pub fn day_profile_kw(&self, day_of_year: usize, slots_per_hour: usize) -> Result<Vec<f64>> {
        if day_of_year >= HOURS_PER_YEAR / 24 || slots_per_hour == 0 {
            return Err(Error::InvalidParameter {
                field: "day_of_year / slots_per_hour",
                reason: format!("day {day_of_year} must be below 365 and slots per hour positive"),
            });
        }
        let hours = &self.hourly_kw[day_of_year * 24..(day_of_year + 1) * 24];
        Ok(hours
            .iter()
            .flat_map(|&kw| std::iter::repeat_n(kw, slots_per_hour))
            .collect())
    }

    /// The load profile the file gives a calendar `date`: the file's day of the same month,
    /// same day type (weekday or weekend) and same rank among those days (wrapping), so the
    /// `k`-th weekday of May 2019 gets the `k`-th weekday of the file's May. The typical year
    /// has no daylight saving: each slot of `date` on the site's `clock` takes the file's hour
    /// at the wall-clock time the slot starts (on the day clocks spring forward the skipped
    /// hour is left out; on the day they fall back the repeated hour is used twice).
    pub fn profile_for_date(&self, date: Date, clock: &crate::Clock) -> Result<Vec<f64>> {
        let hours = self.typical_profile(date, (60 / clock.slot_minutes()) as usize)?;
        let s = clock.slot_minutes() as usize;
        Ok(clock
            .day_wall_minutes(date)
            .iter()
            .map(|&m| hours[(m as usize / s).min(hours.len() - 1)])
            .collect())
    }

    /// The file's day for `date` (see [`BuildingLoad::profile_for_date`]) on a 24-hour day.
    fn typical_profile(&self, date: Date, slots_per_hour: usize) -> Result<Vec<f64>> {
        let month = date.month as usize;
        if !(1..=12).contains(&month) {
            return Err(Error::InvalidParameter {
                field: "month",
                reason: format!("must be 1 to 12, got {month}"),
            });
        }
        let weekend = date.is_weekend();
        let rank = (1..date.day)
            .filter(|&d| Date { day: d, ..date }.is_weekend() == weekend)
            .count();
        let file_days: Vec<usize> = (MONTH_START[month - 1]..MONTH_START[month])
            .filter(|&d| matches!(weekday(d), 0 | 6) == weekend)
            .collect();
        self.day_profile_kw(file_days[rank % file_days.len()], slots_per_hour)
    }
}
