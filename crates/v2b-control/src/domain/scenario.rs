//! A simulated episode's data: site, tariff, charging curve and the billed days with their
//! building load and sessions.

use crate::domain::ranges::{in_range, MAX_BATTERY_KWH};
use crate::domain::sessions::overlapping_stays;
use crate::{
    BuildingLoad, Date, Error, History, HistoryRecords, Result, Session, Site, SiteConfig, Tariff,
    TieBreak,
};
use evmech_milp_model::charging::ChargingCurve;
use serde::{Deserialize, Serialize};

const MAX_STAY: i64 = crate::MAX_STAY_DAYS as i64;

/// One simulated day: a local calendar day on the site's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Day {
    /// The date (the billing month is its calendar month).
    pub date: Date,
    /// Building load per slot, kW: one value per slot of the day on the site's clock (96 of 15
    /// minutes; 92 or 100 on daylight-saving days, see [`Clock`](crate::Clock)).
    pub building_kw: Vec<f64>,
    /// The day's charging sessions.
    pub sessions: Vec<Session>,
}

/// The JSON shape of a [`Scenario`] before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Chargers, no-export rule and penalties (default: the paper's site).
    #[serde(default = "Site::paper_default")]
    pub site: Site,
    /// Tariff (default: Silicon Valley Power).
    #[serde(default = "Tariff::silicon_valley_power")]
    pub tariff: Tariff,
    /// Battery charging curve (default: the paper's).
    #[serde(default)]
    pub curve: ChargingCurve,
    /// Discharge floor as a fraction of the battery (default 0.1).
    #[serde(default = "default_floor")]
    pub soc_floor: f64,
    /// Order of same-slot arrivals at the chargers (default: later requested departure first).
    #[serde(default)]
    pub tie_break: TieBreak,
    /// The days, in date order.
    pub days: Vec<Day>,
    /// What the site recorded before the first day (sessions and building load; never
    /// billed): the causal forecasters start from it. Empty by default.
    #[serde(default, skip_serializing_if = "History::is_empty")]
    pub history: History,
    /// What the simulated site adds to its history as sessions leave or decline (default:
    /// each session as it arrived; [`HistoryRecords`]). The history built from recorded days
    /// ([`Scenario::history_before`], [`Scenario::window`]) holds sessions as they arrived,
    /// since no outcome is recorded with a day.
    #[serde(default, skip_serializing_if = "HistoryRecords::is_default")]
    pub history_records: HistoryRecords,
}

fn default_floor() -> f64 {
    0.1
}

/// A validated episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScenarioSpec", into = "ScenarioSpec")]
pub struct Scenario {
    spec: ScenarioSpec,
    config: SiteConfig,
}

fn bad(field: String, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        field,
        reason: reason.into(),
    }
}

impl TryFrom<ScenarioSpec> for Scenario {
    type Error = Error;

    fn try_from(spec: ScenarioSpec) -> Result<Self> {
        spec.tariff.validate()?;
        if !(spec.soc_floor.is_finite() && (0.0..1.0).contains(&spec.soc_floor)) {
            return Err(bad("soc_floor".into(), "must be in [0, 1)"));
        }
        if spec.days.is_empty() {
            return Err(bad("days".into(), "must not be empty"));
        }
        let clock = spec.tariff.clock();
        for (d, day) in spec.days.iter().enumerate() {
            let n = clock.slots_on(day.date);
            let last = clock.slots_between(day.date, day.date.plus_days(MAX_STAY));
            let p = |f: &str| format!("days[{d}].{f}");
            if d > 0 && day.date <= spec.days[d - 1].date {
                return Err(bad(
                    p("date"),
                    "days must be in strictly increasing date order",
                ));
            }
            if day.building_kw.len() != n {
                return Err(bad(
                    p("building_kw"),
                    format!(
                        "needs {n} slots (the site's clock on {}), got {}",
                        day.date,
                        day.building_kw.len()
                    ),
                ));
            }
            if let Some(k) = day.building_kw.iter().position(|x| !x.is_finite()) {
                return Err(bad(p(&format!("building_kw[{k}]")), "must be finite"));
            }
            for (s, session) in day.sessions.iter().enumerate() {
                validate_session(session, (n, last), &p(&format!("sessions[{s}]")))?;
                if session.date != day.date {
                    return Err(bad(
                        p(&format!("sessions[{s}].date")),
                        "differs from the day's date",
                    ));
                }
            }
        }
        check_chains(&spec.days, &clock)?;
        spec.history.validate(&clock)?;
        if let (Some((&last, _)), Some(first)) =
            (spec.history.building_kw.last_key_value(), spec.days.first())
        {
            if last >= first.date {
                return Err(bad(
                    "history.building_kw".into(),
                    "must end before the first day",
                ));
            }
        }
        Ok(Scenario::assemble(spec))
    }
}

/// One vehicle's chained sessions must not overlap in time: the state of charge passes from
/// one stay to the next.
fn check_chains(days: &[Day], clock: &crate::Clock) -> Result<()> {
    // (vehicle, start, end, (day, session, vehicle)), times in slots since the epoch's midnight.
    let mut stays = Vec::new();
    for (d, day) in days.iter().enumerate() {
        let midnight = clock.epoch_slot(day.date);
        for (s, session) in day.sessions.iter().enumerate() {
            if let Some(chain) = &session.chain {
                let vehicle = chain.vehicle.as_str();
                stays.push((
                    vehicle,
                    midnight + session.arrival_slot as i64,
                    midnight + session.departure_slot as i64,
                    (d, s, vehicle),
                ));
            }
        }
    }
    let path = |(d, s, _): (usize, usize, &str)| format!("days[{d}].sessions[{s}].chain.vehicle");
    match overlapping_stays(stays) {
        Some((earlier, later)) => Err(bad(
            path(later),
            format!(
                "vehicle {:?} is still plugged in at {} when this session arrives",
                later.2,
                path(earlier)
            ),
        )),
        None => Ok(()),
    }
}

/// `slots`: the day's slots and those of its first [`MAX_STAY_DAYS`](crate::MAX_STAY_DAYS) days.
fn validate_session(s: &Session, (slots, last): (usize, usize), path: &str) -> Result<()> {
    let f = |name: &str| format!("{path}.{name}");
    if s.arrival_slot >= slots {
        return Err(bad(f("arrival_slot"), format!("must be below {slots}")));
    }
    for (name, d) in [
        ("departure_slot", s.departure_slot),
        ("requested_departure_slot", s.requested_departure_slot),
    ] {
        if d <= s.arrival_slot || d > last {
            return Err(bad(
                f(name),
                format!("must be in (arrival_slot, {last}] (slots from the arrival day's midnight, at most {} days)", crate::MAX_STAY_DAYS),
            ));
        }
    }
    if !(in_range(s.battery_kwh, MAX_BATTERY_KWH) && s.battery_kwh > 0.0) {
        return Err(bad(
            f("battery_kwh"),
            format!("must be positive and at most {MAX_BATTERY_KWH}"),
        ));
    }
    if !(s.arrival_energy_kwh.is_finite() && s.arrival_energy_kwh >= 0.0) {
        return Err(bad(f("arrival_energy_kwh"), "must be finite and >= 0"));
    }
    if !(s.requested_energy_kwh.is_finite()
        && s.requested_energy_kwh >= s.arrival_energy_kwh
        && s.requested_energy_kwh <= s.battery_kwh)
    {
        return Err(bad(
            f("requested_energy_kwh"),
            "must lie between arrival_energy_kwh and battery_kwh",
        ));
    }
    s.limits.validate(s.battery_kwh, path)?;
    if let Some(chain) = &s.chain {
        if chain.vehicle.is_empty() {
            return Err(bad(f("chain.vehicle"), "must not be empty"));
        }
        if !in_range(chain.depletion_kwh, s.battery_kwh) {
            return Err(bad(
                f("chain.depletion_kwh"),
                format!(
                    "must be finite, >= 0 and at most the battery's {} kWh",
                    s.battery_kwh
                ),
            ));
        }
    }
    Ok(())
}

impl From<Scenario> for ScenarioSpec {
    fn from(s: Scenario) -> Self {
        s.spec
    }
}

impl Scenario {
    fn assemble(spec: ScenarioSpec) -> Self {
        let config = SiteConfig {
            site: spec.site.clone(),
            tariff: spec.tariff.clone(),
            curve: spec.curve,
            soc_floor: spec.soc_floor,
            tie_break: spec.tie_break,
        };
        Scenario { spec, config }
    }

    /// The site, tariff, curve, floor and tie-break as one [`SiteConfig`].
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// What the site recorded before the first day.
    pub fn history(&self) -> &History {
        &self.spec.history
    }

    /// What a site running this episode has recorded when day `d` starts: the scenario's
    /// history plus days `0..d` (their load and every session).
    pub fn history_before(&self, d: usize) -> History {
        let mut h = self.spec.history.clone();
        for day in &self.spec.days[..d.min(self.spec.days.len())] {
            h.push_day(day.date, &day.building_kw, &day.sessions);
        }
        h
    }

    /// What the simulated site adds to its history as sessions leave or decline.
    pub fn history_records(&self) -> HistoryRecords {
        self.spec.history_records
    }

    /// A copy whose simulated site records `records` in its history.
    pub fn with_history_records(&self, records: HistoryRecords) -> Self {
        let mut spec = self.spec.clone();
        spec.history_records = records;
        Scenario::assemble(spec)
    }

    /// A copy with `history` recorded before the first day (validated).
    pub fn with_history(&self, history: History) -> Result<Self> {
        let mut spec = self.spec.clone();
        spec.history = history;
        Scenario::new(spec)
    }

    /// Validates a specification; errors name the field (`days[3].sessions[1].battery_kwh`).
    pub fn new(spec: ScenarioSpec) -> Result<Self> {
        Scenario::try_from(spec)
    }

    /// Builds the episode from loaded sessions and a building load: the first `days` dates
    /// present in the sessions (all if `None`), each with the building's profile of that date
    /// (a meter's readings, or the typical year's same-rank day of the same month and type).
    pub fn from_sessions(
        site: Site,
        tariff: Tariff,
        sessions: Vec<Session>,
        building: &dyn crate::LoadProfile,
        days: Option<usize>,
    ) -> Result<Self> {
        let mut dates: Vec<Date> = sessions.iter().map(|s| s.date).collect();
        dates.sort();
        dates.dedup();
        if let Some(n) = days {
            if n == 0 {
                return Err(Error::InvalidParameter {
                    field: "days",
                    reason: "must be at least 1".into(),
                });
            }
            dates.truncate(n);
        }
        let clock = tariff.clock();
        let days = dates
            .iter()
            .map(|&date| {
                let building_kw = building.profile_for_date(date, &clock)?;
                let mut day_sessions: Vec<Session> = sessions
                    .iter()
                    .filter(|s| s.date == date)
                    .cloned()
                    .collect();
                day_sessions
                    .sort_by(|a, b| a.arrival_slot.cmp(&b.arrival_slot).then(a.id.cmp(&b.id)));
                Ok(Day {
                    date,
                    building_kw,
                    sessions: day_sessions,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Scenario::new(ScenarioSpec {
            site,
            tariff,
            curve: ChargingCurve::Paper,
            soc_floor: default_floor(),
            tie_break: TieBreak::default(),
            days,
            history: History::default(),
            history_records: Default::default(),
        })
    }

    /// Reads the ACN session CSV and the hourly typical-year building CSV and builds the
    /// episode ([`load_acn_sessions`](crate::load_acn_sessions) with `options`, then
    /// [`Scenario::from_sessions`]) on `site` and the paper's tariff. Without
    /// `options.time_zone`, timestamps are placed on the tariff's clock (`America/Los_Angeles`).
    pub fn from_csv_files(
        sessions: &std::path::Path,
        building: &std::path::Path,
        site: Site,
        options: &crate::SessionOptions,
        days: Option<usize>,
    ) -> Result<Self> {
        let tariff = Tariff::silicon_valley_power();
        // Slots are counted on the scenario's clock: the tariff's zone unless one is given.
        let mut options = options.clone();
        if options.time_zone.is_none() {
            options.time_zone = tariff.clock().zone().cloned();
        }
        let loaded = crate::load_acn_file(sessions, &options)?;
        if loaded.is_empty() {
            return Err(Error::Csv {
                file: sessions.display().to_string(),
                line: 1,
                field: "arrival".into(),
                reason: "no session on the kept days and stations".into(),
            });
        }
        let load = BuildingLoad::from_file(building)?;
        Scenario::from_sessions(site, tariff, loaded, &load, days)
    }

    /// The site.
    pub fn site(&self) -> &Site {
        &self.spec.site
    }

    /// The tariff.
    pub fn tariff(&self) -> &Tariff {
        &self.spec.tariff
    }

    /// The charging curve.
    pub fn curve(&self) -> ChargingCurve {
        self.spec.curve
    }

    /// Discharge floor as a fraction of the battery.
    pub fn soc_floor(&self) -> f64 {
        self.spec.soc_floor
    }

    /// The days.
    pub fn days(&self) -> &[Day] {
        &self.spec.days
    }

    /// Order of same-slot arrivals.
    pub fn tie_break(&self) -> TieBreak {
        self.spec.tie_break
    }

    /// Slots of a 24-hour day (96 of 15 minutes); a daylight-saving day has
    /// [`Scenario::slots_in`] of its own.
    pub fn slots_per_day(&self) -> usize {
        self.spec.tariff.slots_per_day()
    }

    /// Slots of day `d` on the site's clock (92 or 100 on daylight-saving days; its building
    /// load has one value per slot).
    pub fn slots_in(&self, d: usize) -> usize {
        self.spec.days[d].building_kw.len()
    }

    /// The site's clock ([`Tariff::clock`]).
    pub fn clock(&self) -> crate::Clock {
        self.spec.tariff.clock()
    }

    /// A copy billed under `tariff` (validated; its slot length must be the episode's).
    pub fn with_tariff(&self, tariff: Tariff) -> Result<Self> {
        let mut spec = self.spec.clone();
        spec.tariff = tariff;
        Scenario::new(spec)
    }

    /// A copy with a different site (same days).
    pub fn with_site(&self, site: Site) -> Self {
        let mut spec = self.spec.clone();
        spec.site = site;
        Scenario::assemble(spec)
    }

    /// Billing months the episode spans (distinct year-months of its days, at least 1).
    pub fn billing_months(&self) -> usize {
        let mut months: Vec<(i32, u32)> = self
            .spec
            .days
            .iter()
            .map(|d| (d.date.year, d.date.month))
            .collect();
        months.dedup();
        months.len().max(1)
    }

    /// Days `start..start + len` as an episode of their own, with everything recorded before
    /// `start` as its history (what a site starting the episode on that day would know).
    pub fn window(&self, start: usize, len: usize) -> Result<Self> {
        let total = self.spec.days.len();
        if len == 0 || start.checked_add(len).is_none_or(|end| end > total) {
            return Err(Error::InvalidParameter {
                field: "days",
                reason: format!(
                    "a window of {len} days from day {start} does not fit the episode's {total} days"
                ),
            });
        }
        // Only the window's days are copied (cloning the whole spec would copy every day and
        // the history once more, to be replaced at once).
        let spec = &self.spec;
        Scenario::new(ScenarioSpec {
            site: spec.site.clone(),
            tariff: spec.tariff.clone(),
            curve: spec.curve,
            soc_floor: spec.soc_floor,
            tie_break: spec.tie_break,
            days: spec.days[start..start + len].to_vec(),
            history: self.history_before(start),
            history_records: spec.history_records,
        })
    }

    /// A copy without any session: the building alone (Table 1 row 1).
    pub fn without_sessions(&self) -> Self {
        let mut spec = self.spec.clone();
        for day in &mut spec.days {
            day.sessions.clear();
        }
        Scenario::assemble(spec)
    }

    /// A copy with a different charging curve.
    pub fn with_curve(&self, curve: ChargingCurve) -> Self {
        let mut spec = self.spec.clone();
        spec.curve = curve;
        Scenario::assemble(spec)
    }

    /// Whether day `d + 1` is the calendar day after day `d` (an EV plugged in at day `d`'s
    /// midnight stays into it; otherwise it leaves at midnight, the episode having no next day).
    pub fn continues(&self, d: usize) -> bool {
        let days = &self.spec.days;
        d + 1 < days.len() && days[d + 1].date == days[d].date.plus_days(1)
    }

    /// The latest departure an EV arriving on day `d` can have in this episode, slots from day
    /// `d`'s midnight: the end of the run of calendar-consecutive days from `d` (it leaves at
    /// the midnight the episode has no next day for), at most [`MAX_STAY_DAYS`](crate::MAX_STAY_DAYS).
    pub fn stay_limit(&self, d: usize) -> usize {
        let mut days = 1;
        while days < crate::MAX_STAY_DAYS && self.continues(d + days - 1) {
            days += 1;
        }
        (d..d + days).map(|i| self.slots_in(i)).sum()
    }

    /// Session `s` of day `d` as this episode can serve it: its departures no later than
    /// [`Scenario::stay_limit`].
    pub fn effective_session(&self, d: usize, s: usize) -> Session {
        let mut session = self.spec.days[d].sessions[s].clone();
        let limit = self.stay_limit(d);
        session.departure_slot = session.departure_slot.min(limit);
        session.requested_departure_slot = session.requested_departure_slot.min(limit);
        session
    }

    /// Indices of the days in the same billing month as day `d`.
    pub fn month_of(&self, d: usize) -> Vec<usize> {
        let date = self.spec.days[d].date;
        (0..self.spec.days.len())
            .filter(|&i| {
                let o = self.spec.days[i].date;
                (o.year, o.month) == (date.year, date.month)
            })
            .collect()
    }
}
