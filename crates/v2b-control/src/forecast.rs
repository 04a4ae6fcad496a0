//! Forecasting for the optimising policies: the [`Forecaster`] trait and its default,
//! [`HistoryForecaster`], which samples futures from the site's own [`History`] and reads
//! nothing recorded after the moment of the decision.

use crate::policy::{standard_normal, stream_seed};
use crate::{Date, History, Result, Session};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What a forecaster is asked: the futures of the site from slot `slot` of `date`.
#[derive(Debug, Clone, Copy)]
pub struct ForecastRequest<'a> {
    /// The site's record of the past. A forecaster must read only what was recorded before
    /// slot `slot` of `date` ([`History::sessions_departed_before`],
    /// [`History::load_days_before`]).
    pub history: &'a History,
    /// Today's date (local to the site).
    pub date: Date,
    /// The current slot of the day.
    pub slot: usize,
    /// Slots of a 24-hour day (96 of 15 minutes).
    pub slots_per_day: usize,
    /// The site's clock: how many slots each date has (92 or 100 on daylight-saving days) and
    /// the wall-clock time each starts at.
    pub clock: &'a crate::Clock,
    /// Slot length, hours.
    pub slot_hours: f64,
    /// One past the last slot to forecast, counted from today's midnight (may exceed today's
    /// slots when a connected EV stays past midnight; later days are walked on `clock`).
    pub horizon_end: usize,
    /// The building load measured now, kW.
    pub building_kw: f64,
    /// Futures wanted.
    pub count: usize,
    /// Seed; the futures are a function of `(seed, date, slot)` and the history only.
    pub seed: u64,
}

/// One possible future of the site from the current slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Future {
    /// Building load for each slot from the current one to the horizon, kW; the first value is
    /// the load measured now.
    pub building_kw: Vec<f64>,
    /// Sessions that arrive later today (arrival slot after the current one), with today's
    /// date and slots. Chargers are assigned to them by the policy, around the busy ones.
    pub arrivals: Vec<Session>,
    /// Where the future came from (`"history 2019-05-07"`, `"persistence"`), for reports.
    pub source: String,
}

/// A source of futures for MPC and MC-MPC. Implement it to plug in your own forecast (a
/// load-forecast service, a reservation calendar); the default is [`HistoryForecaster`].
pub trait Forecaster: std::fmt::Debug + Send + Sync {
    /// Short name, reported in every decision.
    fn name(&self) -> String;

    /// `request.count` futures. Must be deterministic in the request.
    fn futures(&self, request: &ForecastRequest<'_>) -> Result<Vec<Future>>;
}

/// How [`HistoryForecaster`] turns past days into futures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistoryDraw {
    /// Each future is one past day of the same type, drawn at random: its later arrivals and
    /// its load shape (MC-MPC's scenarios).
    #[default]
    SampledDays,
    /// One future: the mean load shape of the past days of the same type and no future
    /// arrivals (deterministic MPC's point forecast).
    MeanLoadNoArrivals,
}

/// The default forecaster: futures drawn from the site's own recent past, by calendar.
///
/// The pool is the last `window_days` dates before today with a complete load record and the
/// same day type (weekday or weekend), from the first date of the session record on (an
/// earlier date would look like a day without arrivals); if none has the same type, every
/// such date. Each sampled future takes one pool date `D` at random (seeded by
/// `(seed, today, slot)`, so the same state gives the same futures anywhere): the sessions
/// of `D` that arrived after the current slot of the day become today's future arrivals, and
/// the load of `D` (then of the day after `D`, past midnight) gives the load shape.
///
/// The shape is anchored to the load measured now: with `r = load now / load of D now`
/// (clamped to `[0.5, 2]`), the forecast at a slot `h` hours ahead is the shape times `r`
/// (the default: a building's level differs from day to day, with the weather, more than its
/// shape does), or times `1 + (r - 1) exp(-h / anchor_hours)` to fade into the historical level.
/// `load_noise_sd` adds independent relative noise per slot (off by default: the sampled days
/// already differ).
///
/// These defaults were chosen on the Caltech months of 2019 (May, June, August, September,
/// October; `docs/v2b.md`): holding the level lowered MC-MPC's bill in each of them (by 0.4-0.9 %
/// of the Oracle's in May, June and September), fading it over 2 hours or adding noise raised it,
/// and the window (7 or 28 days) changed only May.
///
/// With no recorded date at all, the forecast is persistence (the load now, held) with no
/// future arrivals, reported as the source `"persistence"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistoryForecaster {
    /// Sampled days or the mean.
    pub draw: HistoryDraw,
    /// How many days back the pool reaches (default 28).
    pub window_days: usize,
    /// Decay time of the anchor to the measured load, hours; `None` (the default) holds the
    /// measured level over the whole horizon.
    pub anchor_hours: Option<f64>,
    /// Relative noise per future slot, standard deviation (default 0).
    pub load_noise_sd: f64,
}

impl Default for HistoryForecaster {
    fn default() -> Self {
        HistoryForecaster {
            draw: HistoryDraw::SampledDays,
            window_days: 28,
            anchor_hours: None,
            load_noise_sd: 0.0,
        }
    }
}

impl HistoryForecaster {
    /// The point forecast of deterministic MPC ([`HistoryDraw::MeanLoadNoArrivals`]).
    pub fn mean() -> Self {
        HistoryForecaster {
            draw: HistoryDraw::MeanLoadNoArrivals,
            ..HistoryForecaster::default()
        }
    }

    /// The pool of source dates for `request`, oldest first.
    pub fn pool(&self, request: &ForecastRequest<'_>) -> Vec<Date> {
        let window = request.date.plus_days(-(self.window_days as i64));
        // A day before the session record starts would look like a day without arrivals.
        let recorded = request
            .history
            .sessions_departed_before(request.date, request.slot)
            .map(|s| s.date)
            .min();
        let first = recorded.map_or(window, |r| r.max(window));
        let recent: Vec<Date> = request
            .history
            .load_days_before(request.date, request.clock)
            .into_iter()
            .filter(|d| *d >= first)
            .collect();
        let same: Vec<Date> = recent
            .iter()
            .copied()
            .filter(|d| d.is_weekend() == request.date.is_weekend())
            .collect();
        if same.is_empty() {
            recent
        } else {
            same
        }
    }

    /// The load shape of source date `d` over the request's horizon (past midnight, the load of
    /// the days after `d`, if recorded whole before today; else `d`'s own again). Slots are
    /// matched by the wall-clock time they start at, so a daylight-saving day (today's or the
    /// source's) keeps the load of each hour at that hour.
    fn shape(&self, request: &ForecastRequest<'_>, d: Date) -> Vec<f64> {
        let clock = request.clock;
        let h = request.history;
        let own = h.load_of(d).unwrap_or(&[]);
        let nominal = clock.nominal_slots();
        // The source of today + `ahead` days: d + `ahead` if recorded whole, else d.
        let source_of = |day: Date| {
            let ahead = day.days_since_epoch() - request.date.days_since_epoch();
            let candidate = d.plus_days(ahead);
            match h.load_of(candidate) {
                Some(p) if candidate < request.date && p.len() == clock.slots_on(candidate) => {
                    (candidate, p)
                }
                _ => (d, own),
            }
        };
        let (mut day, mut offset) = clock.locate(request.date, request.slot);
        let mut day_len = clock.slots_on(day);
        let (mut source, mut profile) = source_of(day);
        let mut shape = Vec::with_capacity(request.horizon_end.saturating_sub(request.slot));
        for _ in request.slot..request.horizon_end {
            let index = if day_len == nominal && profile.len() == nominal {
                offset
            } else {
                clock.slot_of_wall(source, clock.wall_minutes(day, offset))
            };
            shape.push(profile.get(index).copied().unwrap_or(request.building_kw));
            offset += 1;
            if offset >= day_len {
                (day, offset) = (day.plus_days(1), 0);
                day_len = clock.slots_on(day);
                (source, profile) = source_of(day);
            }
        }
        shape
    }

    /// `shape` anchored to the load measured now.
    fn anchor(&self, request: &ForecastRequest<'_>, shape: &[f64]) -> Vec<f64> {
        let now = request.building_kw;
        let ratio = match shape.first() {
            Some(&s) if s > 1e-9 => (now / s).clamp(0.5, 2.0),
            _ => 1.0,
        };
        shape
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                if i == 0 {
                    return now;
                }
                let hours = i as f64 * request.slot_hours;
                let decay = match self.anchor_hours {
                    None => 1.0,
                    Some(h) if h > 0.0 => (-hours / h).exp(),
                    Some(_) => 0.0,
                };
                (s * (1.0 + (ratio - 1.0) * decay)).max(0.0)
            })
            .collect()
    }

    /// Sessions of source date `d` that arrived after the current slot, moved to today; and,
    /// when the horizon passes midnight, the sessions of the days after `d` that arrive within
    /// it, moved to the days after today (their slots counted from today's midnight). A day
    /// after `d` that is not before today has no complete record and adds none.
    fn arrivals(&self, request: &ForecastRequest<'_>, d: Date) -> Vec<Session> {
        let clock = request.clock;
        // Slots from today's midnight to the midnight `k` days later, k = 0..=MAX_STAY_DAYS.
        let shifts: Vec<usize> = (0..=crate::MAX_STAY_DAYS as i64)
            .scan(0, |at, k| {
                let shift = *at;
                *at += clock.slots_on(request.date.plus_days(k));
                Some(shift)
            })
            .collect();
        let mut later: Vec<Session> = request
            .history
            .sessions_departed_before(request.date, request.slot)
            .filter_map(|s| {
                let days_after = s.date.days_since_epoch() - d.days_since_epoch();
                let k = usize::try_from(days_after).ok()?;
                let shift = *shifts.get(k)?;
                let arrival = s.arrival_slot.checked_add(shift)?;
                let recorded = k == 0 || s.date < request.date;
                (recorded && arrival > request.slot && arrival < request.horizon_end).then(|| {
                    Session {
                        date: request.date,
                        arrival_slot: arrival,
                        departure_slot: s.departure_slot.saturating_add(shift),
                        requested_departure_slot: s.requested_departure_slot.saturating_add(shift),
                        ..s.clone()
                    }
                })
            })
            .collect();
        later.sort_by(|a, b| a.arrival_slot.cmp(&b.arrival_slot).then(a.id.cmp(&b.id)));
        later
    }
}

impl Forecaster for HistoryForecaster {
    fn name(&self) -> String {
        match self.draw {
            HistoryDraw::SampledDays => "history".into(),
            HistoryDraw::MeanLoadNoArrivals => "history-mean".into(),
        }
    }

    fn futures(&self, request: &ForecastRequest<'_>) -> Result<Vec<Future>> {
        let len = request.horizon_end.saturating_sub(request.slot);
        let pool = self.pool(request);
        if pool.is_empty() {
            let f = Future {
                building_kw: vec![request.building_kw; len],
                arrivals: Vec::new(),
                source: "persistence".into(),
            };
            return Ok(vec![f; request.count.max(1)]);
        }
        if self.draw == HistoryDraw::MeanLoadNoArrivals {
            let shapes: Vec<Vec<f64>> = pool.iter().map(|&d| self.shape(request, d)).collect();
            let mean: Vec<f64> = (0..len)
                .map(|i| shapes.iter().map(|s| s[i]).sum::<f64>() / shapes.len() as f64)
                .collect();
            let f = Future {
                building_kw: self.anchor(request, &mean),
                arrivals: Vec::new(),
                source: format!("history mean of {} days", pool.len()),
            };
            return Ok(vec![f; request.count.max(1)]);
        }
        let parts = [request.date.days_since_epoch() as u64, request.slot as u64];
        let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(request.seed, &parts, "history"));
        Ok((0..request.count.max(1))
            .map(|_| {
                let d = pool[rng.random_range(0..pool.len())];
                let mut building = self.anchor(request, &self.shape(request, d));
                for b in building.iter_mut().skip(1) {
                    *b = (*b * (1.0 + self.load_noise_sd * standard_normal(&mut rng))).max(0.0);
                }
                Future {
                    building_kw: building,
                    arrivals: self.arrivals(request, d),
                    source: format!("history {d}"),
                }
            })
            .collect())
    }
}
