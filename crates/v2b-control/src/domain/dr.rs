//! Demand-response events: a window in which the site committed to keep its net import at or
//! below a firm level, with a penalty per kWh above it and an optional incentive.

use crate::domain::ranges::{check_range, MAX_DEMAND_USD_PER_KW, MAX_LOAD_KW};
use crate::MAX_PENALTY_USD_PER_KWH;
use crate::{ClockTime, Date, Error, Result};
use serde::{Deserialize, Serialize};

/// One demand-response event (JSON, in the site file's `demand_response` list):
///
/// ```json
/// {"date": "2019-05-14", "from": "14:00", "to": "17:00", "firm_kw": 150.0,
///  "penalty_usd_per_kwh": 6.0, "incentive_usd_per_kw": 13.6, "baseline_kw": 200.0}
/// ```
///
/// In each slot of `[from, to)` on `date` (local), every kWh of net import above `firm_kw`
/// costs `penalty_usd_per_kwh`. If no slot of the window goes above it, the site earns
/// `incentive_usd_per_kw * max(baseline_kw - firm_kw, 0)` (both optional; the charging models
/// optimise the penalty, and the incentive follows from keeping it at zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrEvent {
    /// Local date, `"YYYY-MM-DD"`.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Local start, inclusive.
    pub from: ClockTime,
    /// Local end, exclusive (after `from`, at most `"24:00"`).
    pub to: ClockTime,
    /// Firm service level, kW.
    pub firm_kw: f64,
    /// Penalty per kWh of net import above the firm level, USD.
    pub penalty_usd_per_kwh: f64,
    /// Incentive per kW of committed reduction, paid when the window stays at or below the
    /// firm level, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive_usd_per_kw: Option<f64>,
    /// The baseline the reduction is measured from, kW (required with an incentive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_kw: Option<f64>,
}

impl DrEvent {
    /// Checks the window, the levels and the money; errors name `demand_response[i].<field>`.
    pub(crate) fn validate(&self, i: usize) -> Result<()> {
        let bad = |field: &str, reason: String| Error::InvalidField {
            field: format!("demand_response[{i}].{field}"),
            reason,
        };
        if self.to <= self.from {
            return Err(bad("to", "must be after from".into()));
        }
        let fits = |name: &str, x: f64, max: f64| {
            check_range(format!("demand_response[{i}].{name}"), x, max)
        };
        fits("firm_kw", self.firm_kw, MAX_LOAD_KW)?;
        fits(
            "penalty_usd_per_kwh",
            self.penalty_usd_per_kwh,
            MAX_PENALTY_USD_PER_KWH,
        )?;
        match (self.incentive_usd_per_kw, self.baseline_kw) {
            (Some(i), Some(b)) => {
                fits("incentive_usd_per_kw", i, MAX_DEMAND_USD_PER_KW)?;
                fits("baseline_kw", b, MAX_LOAD_KW)
            }
            (Some(_), None) => Err(bad("baseline_kw", "is required with an incentive".into())),
            (None, _) => Ok(()),
        }
    }

    /// Whether the local wall-clock minute `start` of `date` is in the window (a slot is
    /// when the minute it starts at is).
    pub fn covers(&self, date: Date, start: u32) -> bool {
        date == self.date && (self.from.minutes..self.to.minutes).contains(&start)
    }

    /// The incentive earned when the window had no excess, USD.
    pub fn incentive_usd(&self) -> f64 {
        match (self.incentive_usd_per_kw, self.baseline_kw) {
            (Some(i), Some(b)) => i * (b - self.firm_kw).max(0.0),
            _ => 0.0,
        }
    }
}

/// `Date` as `"YYYY-MM-DD"`, checked against the calendar.
mod iso_date {
    use crate::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        let civil: jiff::civil::Date = text.parse().map_err(|e| {
            serde::de::Error::custom(format!("not a date YYYY-MM-DD: {text:?} ({e})"))
        })?;
        Ok(Date::from(civil))
    }
}
