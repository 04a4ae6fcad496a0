//! When a tariff entry applies: days of the week, months, and a local time window.

use crate::{Date, Error, Result};
use serde::{Deserialize, Serialize};

/// Which days of the week a tariff entry applies on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DaySet {
    /// Every day (the default).
    #[default]
    All,
    /// Monday to Friday.
    Weekdays,
    /// Saturday and Sunday.
    Weekends,
}

impl DaySet {
    /// Whether `date` is one of these days.
    pub fn contains(self, date: Date) -> bool {
        match self {
            DaySet::All => true,
            DaySet::Weekdays => !date.is_weekend(),
            DaySet::Weekends => date.is_weekend(),
        }
    }
}

/// A local wall-clock time of day, `"HH:MM"` in JSON (`"24:00"` is the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime {
    /// Minutes after local midnight, 0 to 1440.
    pub minutes: u32,
}

impl TryFrom<String> for ClockTime {
    type Error = String;
    fn try_from(text: String) -> std::result::Result<Self, String> {
        let parsed = text.split_once(':').and_then(|(h, m)| {
            let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
            if !(digits(h) && digits(m)) {
                return None;
            }
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
        });
        parsed
            .map(|minutes| ClockTime { minutes })
            .ok_or_else(|| format!("expected a time \"HH:MM\" from 00:00 to 24:00, got {text:?}"))
    }
}

impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        format!("{:02}:{:02}", t.minutes / 60, t.minutes % 60)
    }
}

/// When an entry applies: on `days`, in `months` (every month when `None`), from `from` to `to`
/// (exclusive; a window with `to` before `from` runs past midnight, each calendar day's slots
/// judged by that day's own date). No times: the whole day. A borrowed view of the fields every
/// tariff entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window<'a> {
    /// Days of the week.
    pub days: DaySet,
    /// Months 1-12 (`None`: every month).
    pub months: Option<&'a [u32]>,
    /// Local start, inclusive.
    pub from: Option<ClockTime>,
    /// Local end, exclusive.
    pub to: Option<ClockTime>,
}

impl Window<'_> {
    /// Checks months, both-or-neither times, and that the times fall on slot boundaries.
    pub(crate) fn validate(&self, path: &str, slot_minutes: u32) -> Result<()> {
        let bad = |field: &str, reason: String| Error::InvalidField {
            field: format!("{path}.{field}"),
            reason,
        };
        if let Some(months) = self.months {
            if months.is_empty() {
                return Err(bad(
                    "months",
                    "must not be empty (leave it out for every month)".into(),
                ));
            }
            if let Some(m) = months.iter().find(|m| !(1..=12).contains(*m)) {
                return Err(bad("months", format!("{m} is not a month 1-12")));
            }
        }
        match (self.from, self.to) {
            (None, None) => {}
            (Some(from), Some(to)) => {
                for (name, t) in [("from", from), ("to", to)] {
                    if t.minutes % slot_minutes != 0 {
                        return Err(bad(
                            name,
                            format!(
                                "{} is not on a {slot_minutes}-minute slot boundary",
                                String::from(t)
                            ),
                        ));
                    }
                }
                if from == to {
                    return Err(bad("to", "equals from: the window is empty".into()));
                }
            }
            _ => return Err(bad("to", "give both from and to, or neither".into())),
        }
        Ok(())
    }

    /// Whether the local wall-clock minute `start` (0-1439) of `date` is inside the window
    /// (a slot is inside when the minute it starts at is; see [`Clock::wall_minutes`](crate::Clock::wall_minutes)).
    pub fn contains(&self, date: Date, start: u32) -> bool {
        if !self.days.contains(date) {
            return false;
        }
        if let Some(months) = self.months {
            if !months.contains(&date.month) {
                return false;
            }
        }
        match (self.from, self.to) {
            (Some(from), Some(to)) if from < to => (from.minutes..to.minutes).contains(&start),
            (Some(from), Some(to)) => start >= from.minutes || start < to.minutes,
            _ => true,
        }
    }

    /// Words for errors: `weekdays 12:00-18:00 in months [6, 7]`.
    pub(crate) fn describe(&self) -> String {
        let days = match self.days {
            DaySet::All => "every day",
            DaySet::Weekdays => "weekdays",
            DaySet::Weekends => "weekends",
        };
        let time = match (self.from, self.to) {
            (Some(f), Some(t)) => format!(" {}-{}", String::from(f), String::from(t)),
            _ => String::new(),
        };
        let months = self
            .months
            .map_or(String::new(), |m| format!(" in months {m:?}"));
        format!("{days}{time}{months}")
    }
}
