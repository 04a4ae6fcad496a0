//! The site's record of the past: sessions and building load by date. A live controller
//! forecasts from it; the simulator keeps one exactly as a live site would (each day's
//! sessions and load are added when the day ends), so a decision at slot `t` of day `d` can
//! only read what a site would have recorded by then.

use crate::{Date, Error, Result, Session};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a simulated site writes into its history for each session it decided.
///
/// Forecasts of later arrivals are drawn from the history. Under free access a session is
/// served as it arrived, so both choices record the same thing. Under a negotiation (CONSENT,
/// the static menu) a served user agrees to a target and a departure that can differ from her
/// request, and some arrivals decline. A history of arrivals then forecasts the *demand* the
/// site will meet (who comes and what they ask), while a history of served sessions forecasts
/// the *load* it will carry (what it agreed to deliver). On Caltech October 2019 with the true
/// rest of each day as the only future, CONSENT's controller ends 95 USD above the month's
/// hindsight plan while free smart charging ends 15 USD above its own: with arrivals recorded,
/// the futures carry later users' requests at full size, and the controller raises the peak
/// for energy it will not have to deliver (`docs/v2b.md`, "Where the controller's gap lies").
/// Recording served sessions narrowed CONSENT's gap to that plan and its reject rate on five
/// months of six, and raised its users' price per kWh on five: neither rule is best on every
/// count, so the default stays the record of arrivals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryRecords {
    /// Every decided session as it arrived (its request), declined ones included: the
    /// default, and the rule of every table in `docs/v2b.md` made before 2026-12-02.
    #[default]
    Arrivals,
    /// Every served session as agreed (the agreed target as its requested energy, the agreed
    /// departure as its departure); declined arrivals are not recorded.
    Served,
}

impl HistoryRecords {
    /// Both rules, for parsing by name.
    pub const ALL: [HistoryRecords; 2] = [HistoryRecords::Arrivals, HistoryRecords::Served];

    /// `arrivals` or `served`.
    pub fn name(self) -> &'static str {
        match self {
            HistoryRecords::Arrivals => "arrivals",
            HistoryRecords::Served => "served",
        }
    }

    /// Whether this is the default rule (for serialisation).
    pub fn is_default(&self) -> bool {
        *self == HistoryRecords::default()
    }
}

impl std::str::FromStr for HistoryRecords {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(
            &HistoryRecords::ALL,
            HistoryRecords::name,
            "history-records",
            s,
        )
    }
}

/// Past sessions and past building load of one site.
///
/// A session is recorded with its date and its arrival and departure slots of that date; a
/// day's building load is a profile of one value per slot (a profile may be partial: the
/// current day up to now). Readers ask only for what was known before a moment
/// ([`History::sessions_departed_before`], [`History::load_days_before`]), so a history that also
/// holds later data is still read causally.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// Recorded sessions, in the order they were added.
    #[serde(default)]
    pub sessions: Vec<Session>,
    /// Building load per slot of each recorded date, kW (in JSON: a list of
    /// `{"date": .., "building_kw": [..]}`).
    #[serde(default, with = "load_days")]
    pub building_kw: BTreeMap<Date, Vec<f64>>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        History::default()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.building_kw.is_empty()
    }

    /// Records a whole day: its building load (one value per slot) and its sessions.
    pub fn push_day(&mut self, date: Date, building_kw: &[f64], sessions: &[Session]) {
        self.building_kw.insert(date, building_kw.to_vec());
        self.sessions.extend_from_slice(sessions);
    }

    /// Records the load of the `days` days before `today` from a typical-year building file
    /// (a [`LoadProfile`](crate::LoadProfile): a meter, or the typical year through
    /// [`BuildingLoad::profile_for_date`](crate::BuildingLoad::profile_for_date)).
    pub fn record_building_year(
        &mut self,
        load: &dyn crate::LoadProfile,
        today: Date,
        days: usize,
        clock: &crate::Clock,
    ) -> Result<()> {
        for back in 1..=days as i64 {
            let date = today.plus_days(-back);
            self.building_kw
                .insert(date, load.profile_for_date(date, clock)?);
        }
        Ok(())
    }

    /// Records the load of those of the `days` days before `today` that `load` covers (a
    /// meter covers what it covers: the days it cannot give are left out of the history,
    /// never filled in).
    pub fn record_available_load(
        &mut self,
        load: &dyn crate::LoadProfile,
        today: Date,
        days: usize,
        clock: &crate::Clock,
    ) {
        for back in 1..=days as i64 {
            let date = today.plus_days(-back);
            if let Ok(profile) = load.profile_for_date(date, clock) {
                self.building_kw.insert(date, profile);
            }
        }
    }

    /// Checks every load value is finite and non-negative and every session is in order;
    /// errors name the field (`building_kw[2019-05-14][3]`, `sessions[4].departure_slot`).
    /// A day's profile may be partial (the day in progress) but not longer than the day's
    /// slots on `clock`.
    pub fn validate(&self, clock: &crate::Clock) -> Result<()> {
        for (date, profile) in &self.building_kw {
            let n = clock.slots_on(*date);
            if profile.len() > n {
                return Err(bad(
                    format!("history.building_kw[{date}]"),
                    format!("{} values for {n} slots", profile.len()),
                ));
            }
            if let Some(k) = profile.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(bad(
                    format!("history.building_kw[{date}][{k}]"),
                    "must be finite and non-negative",
                ));
            }
        }
        for (i, s) in self.sessions.iter().enumerate() {
            if s.departure_slot <= s.arrival_slot {
                return Err(bad(
                    format!("history.sessions[{i}].departure_slot"),
                    "must be after the arrival slot",
                ));
            }
        }
        Ok(())
    }

    /// Sessions that had departed by slot `slot` of `date` (departure at or before it).
    pub fn sessions_departed_before(
        &self,
        date: Date,
        slot: usize,
    ) -> impl Iterator<Item = &Session> {
        self.sessions
            .iter()
            .filter(move |s| (s.date, s.departure_slot) <= (date, slot))
    }

    /// Dates before `date` with a complete load profile (one value per slot of the date on
    /// `clock`), oldest first.
    pub fn load_days_before(&self, date: Date, clock: &crate::Clock) -> Vec<Date> {
        self.building_kw
            .range(..date)
            .filter(|(d, p)| p.len() == clock.slots_on(**d))
            .map(|(d, _)| *d)
            .collect()
    }

    /// The recorded load profile of `date`, if any.
    pub fn load_of(&self, date: Date) -> Option<&[f64]> {
        self.building_kw.get(&date).map(Vec::as_slice)
    }

    /// The largest building load recorded in `date`'s month before slot `slot` of `date`, kW
    /// (0 when none).
    pub fn month_load_max_before(&self, date: Date, slot: usize) -> f64 {
        let first = Date { day: 1, ..date };
        self.building_kw
            .range(first..=date)
            .flat_map(|(d, p)| {
                let end = if *d == date {
                    slot.min(p.len())
                } else {
                    p.len()
                };
                p[..end].iter().copied()
            })
            .fold(0.0, f64::max)
    }
}

fn bad(field: String, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// The JSON form of the load map: a list of dated profiles (JSON keys must be strings).
mod load_days {
    use crate::Date;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct LoadDay {
        date: Date,
        building_kw: Vec<f64>,
    }

    pub(super) fn serialize<S: Serializer>(
        map: &BTreeMap<Date, Vec<f64>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let days: Vec<LoadDay> = map
            .iter()
            .map(|(d, p)| LoadDay {
                date: *d,
                building_kw: p.clone(),
            })
            .collect();
        days.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Date, Vec<f64>>, D::Error> {
        let days = Vec::<LoadDay>::deserialize(d)?;
        Ok(days.into_iter().map(|l| (l.date, l.building_kw)).collect())
    }
}
