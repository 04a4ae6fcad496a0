//! Calendar dates and local timestamps, checked against the real calendar with `jiff`.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A local calendar date. Deserialising checks it against the Gregorian calendar (leap years
/// included), so `{"year": 2019, "month": 2, "day": 31}` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateParts")]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
}

/// The unchecked JSON shape of a [`Date`].
#[derive(Deserialize)]
struct DateParts {
    year: i32,
    month: u32,
    day: u32,
}

impl TryFrom<DateParts> for Date {
    type Error = Error;
    fn try_from(p: DateParts) -> Result<Date> {
        Date::new(p.year, p.month, p.day)
    }
}

impl Date {
    /// A checked date: the error says why `2019-02-31` or `2019-13-01` is not one.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date> {
        let (y, m, d) = (
            i16::try_from(year).ok(),
            i8::try_from(month).ok(),
            i8::try_from(day).ok(),
        );
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => jiff::civil::Date::new(y, m, d)
                .map(Date::from)
                .map_err(|e| e.to_string()),
            _ => Err(format!("{year}-{month}-{day} is out of range")),
        }
        .map_err(|reason| Error::InvalidField {
            field: "date".into(),
            reason,
        })
    }

    /// The same date as a `jiff` civil date (`None` only for a hand-built invalid `Date`).
    pub fn to_civil(&self) -> Option<jiff::civil::Date> {
        jiff::civil::Date::new(
            i16::try_from(self.year).ok()?,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
        )
        .ok()
    }

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

impl From<jiff::civil::Date> for Date {
    fn from(d: jiff::civil::Date) -> Date {
        Date {
            year: i32::from(d.year()),
            month: d.month() as u32,
            day: d.day() as u32,
        }
    }
}

impl std::fmt::Display for Date {
    /// ISO 8601 (`2019-05-14`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A local timestamp: date and wall-clock minutes after local midnight, and the instant when
/// it was read from a timestamp with an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalTime {
    /// Local date.
    pub date: Date,
    /// Wall-clock minutes after local midnight.
    pub minutes: u32,
    /// Seconds since 1970-01-01 UTC, when known (a parsed timestamp): it tells the two
    /// 01:30 of the day clocks fall back apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_seconds: Option<i64>,
}

impl LocalTime {
    /// The wall-clock time of a civil date-time (seconds dropped; no instant).
    pub fn from_civil(t: jiff::civil::DateTime) -> LocalTime {
        LocalTime {
            date: t.date().into(),
            minutes: t.hour() as u32 * 60 + t.minute() as u32,
            utc_seconds: None,
        }
    }

    /// Whether `self` is later than `other`: by the instants when both are known, else by
    /// the wall clock.
    pub fn is_after(&self, other: &LocalTime) -> bool {
        match (self.utc_seconds, other.utc_seconds) {
            (Some(a), Some(b)) => a > b,
            _ => (self.date, self.minutes) > (other.date, other.minutes),
        }
    }
}

/// Parses a timestamp as sessions files write it and returns its local wall-clock time.
///
/// Accepted: ISO 8601 / RFC 3339 with an offset (`2019-05-01T01:18:45-07:00`, `T` or a space
/// between date and time), or RFC 2822 as the ACN-Data API writes it
/// (`Wed, 01 May 2019 08:18:45 GMT`). With `zone`, the instant is converted to that time zone
/// (the site's); without, the wall-clock time as written is kept (the offset only checked).
pub fn parse_local_time(text: &str, zone: Option<&jiff::tz::TimeZone>) -> Option<LocalTime> {
    parse_local_time_and_offset(text, zone).map(|(t, _)| t)
}

/// [`parse_local_time`] and the UTC offset written in the timestamp, in seconds (one parse).
pub(crate) fn parse_local_time_and_offset(
    text: &str,
    zone: Option<&jiff::tz::TimeZone>,
) -> Option<(LocalTime, i32)> {
    let text = text.trim();
    let (instant, written) = match text.parse::<jiff::Timestamp>() {
        Ok(ts) => (ts, written_offset(text)?),
        Err(_) => {
            let z = jiff::fmt::rfc2822::parse(text).ok()?;
            (z.timestamp(), z.offset())
        }
    };
    let zone = zone
        .cloned()
        .unwrap_or_else(|| jiff::tz::TimeZone::fixed(written));
    let civil = instant.to_zoned_datetime(zone).datetime();
    let local = LocalTime {
        utc_seconds: Some(instant.as_second()),
        ..LocalTime::from_civil(civil)
    };
    Some((local, written.seconds()))
}

/// The UTC offset written at the end of an RFC 3339 timestamp (`Z`, `+hh:mm` or `-hh:mm`).
fn written_offset(text: &str) -> Option<jiff::tz::Offset> {
    if text.ends_with('Z') || text.ends_with('z') {
        return Some(jiff::tz::Offset::UTC);
    }
    let tail = text.get(text.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = (
        tail.get(1..3)?.parse::<i32>().ok()?,
        tail.get(4..6)?.parse::<i32>().ok()?,
    );
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}
