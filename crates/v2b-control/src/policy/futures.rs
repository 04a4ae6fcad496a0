//! The futures of MPC and MC-MPC as charging-model blocks. By default they come from a
//! [`Forecaster`] over the site's [`History`](crate::History) (causal: nothing recorded after
//! the decision is read). Two hindsight sources remain, named as such, for reproducing the
//! papers' tables and for testing: the pool of the episode's other days
//! ([`ForecastMode::HindsightPool`], the papers' leave-one-day-out setting, which may draw a
//! later day) and the true rest of the day ([`ForecastMode::HindsightPerfect`]).

use super::{session_ev, truncate, ConnectedEv, DayView};
use crate::forecast::{ForecastRequest, Forecaster, Future};
use crate::{assign_chargers, Date, EvAt, History, Result, Session, SiteConfig};
use evmech_milp_model::charging::{ChargingBlock, PlannedEv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Where the futures come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForecastMode {
    /// The policy's [`Forecaster`] over the site's history (causal; the default).
    #[default]
    History,
    /// HINDSIGHT: arrivals from another day of the recorded episode (later days included; with
    /// a one-day episode, that day's own later arrivals) and today's true building load times
    /// noise. The papers' setting, kept to reproduce their tables.
    #[serde(alias = "sampled")]
    HindsightPool,
    /// HINDSIGHT: the true rest of the day (a test of the controller against the Oracle).
    #[serde(alias = "perfect")]
    HindsightPerfect,
}

impl ForecastMode {
    /// Whether the futures read data recorded after the decision.
    pub fn is_hindsight(self) -> bool {
        self != ForecastMode::History
    }

    /// The label of the mode in reports (`history`, `hindsight-pool`, `hindsight-perfect`).
    pub fn label(self) -> &'static str {
        match self {
            ForecastMode::History => "history",
            ForecastMode::HindsightPool => "hindsight-pool",
            ForecastMode::HindsightPerfect => "hindsight-perfect",
        }
    }
}

/// How far ahead MPC and MC-MPC plan.
///
/// The papers plan to the end of the day (or to the latest departure of an EV staying past
/// midnight): at 17:00 the model sees seven hours, and nothing of the night or the next morning.
/// A rolling horizon plans the same length ahead at every slot: the night's building load,
/// tomorrow morning's sampled arrivals and the EVs that stay over. It never crosses the end of a
/// billing month (the month's peak is billed on its own), and it covers every connected EV's
/// departure up to a day ahead, as the end-of-day horizon does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Horizon {
    /// To midnight, or to the latest departure of a connected EV (at most a day ahead): the
    /// papers' horizon.
    EndOfDay,
    /// This many hours ahead of the current slot (1 to 24), within the billing month; and at
    /// least to the end of the day and to the latest departure, as [`Horizon::EndOfDay`].
    Rolling {
        /// Hours ahead.
        hours: u32,
    },
}

impl Default for Horizon {
    /// A rolling 24 hours.
    fn default() -> Self {
        Horizon::Rolling { hours: 24 }
    }
}

impl Horizon {
    /// `end-of-day` or the hours ahead (`24`).
    pub fn name(self) -> String {
        match self {
            Horizon::EndOfDay => "end-of-day".into(),
            Horizon::Rolling { hours } => hours.to_string(),
        }
    }

    /// Checks the hours (1 to 24; field `horizon`).
    pub fn validate(self) -> Result<()> {
        match self {
            Horizon::Rolling { hours } if !(1..=24).contains(&hours) => {
                Err(crate::Error::InvalidParameter {
                    field: "horizon",
                    reason: format!("a rolling horizon is 1 to 24 hours, got {hours}"),
                })
            }
            _ => Ok(()),
        }
    }
}

impl std::str::FromStr for Horizon {
    type Err = crate::Error;

    /// `end-of-day`, or the hours ahead of a rolling horizon (`24`).
    fn from_str(s: &str) -> Result<Self> {
        let horizon = match s.trim() {
            "end-of-day" => Horizon::EndOfDay,
            text => Horizon::Rolling {
                hours: text.parse().map_err(|_| crate::Error::InvalidParameter {
                    field: "horizon",
                    reason: format!("expected end-of-day or hours ahead (1 to 24), got {s:?}"),
                })?,
            },
        };
        horizon.validate()?;
        Ok(horizon)
    }
}

/// How the futures weigh the energy of users who have not arrived yet.
///
/// A sampled future holds later arrivals with the energy they asked for on their own day. With
/// [`FutureUsers::Committed`] (the paper's model and the default) the plan treats those
/// requests as promises, at the model's shortfall weight (1000 USD/kWh): it raises the peak now
/// rather than leave a later user's kWh undelivered. Where later users negotiate (CONSENT and
/// the static menu), many of them will decline or take a smaller target, and the peak raised
/// for them is paid whether they come or not. [`FutureUsers::OutsideOption`] weighs a later
/// user's missing kWh at the price of charging elsewhere (`E-bar`, 0.30 USD/kWh by default):
/// the plan serves her where that costs the building less than what the energy is worth to
/// her, and not at any price. Users already connected keep the model's weight either way.
///
/// On the five Caltech months of 2019 and JPL May 2019 (`docs/v2b.md`, "Later users at the
/// outside option") it lowered CONSENT's building cost on five months of six and its reject
/// rate on all six, and raised its price per kWh on five.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FutureUsers {
    /// Later users' requests are promises, at the model's shortfall weight (the default).
    #[default]
    Committed,
    /// A later user's missing kWh costs the external charging price.
    OutsideOption,
}

impl FutureUsers {
    /// Both rules, for parsing by name.
    pub const ALL: [FutureUsers; 2] = [FutureUsers::Committed, FutureUsers::OutsideOption];

    /// `committed` or `outside-option`.
    pub fn name(self) -> &'static str {
        match self {
            FutureUsers::Committed => "committed",
            FutureUsers::OutsideOption => "outside-option",
        }
    }

    /// Whether this is the default ([`FutureUsers::Committed`]), for serde's
    /// `skip_serializing_if`.
    pub fn is_default(&self) -> bool {
        *self == FutureUsers::default()
    }

    /// The shortfall weight of a later user when charging elsewhere costs
    /// `external_usd_per_kwh`: `None` (the model's weight) or that price.
    pub fn weight(self, external_usd_per_kwh: f64) -> Option<f64> {
        match self {
            FutureUsers::Committed => None,
            FutureUsers::OutsideOption => Some(external_usd_per_kwh),
        }
    }
}

impl std::str::FromStr for FutureUsers {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(&FutureUsers::ALL, FutureUsers::name, "future-users", s)
    }
}

/// Every EV of `blocks` that is not one of `connected` (a later arrival) weighed at
/// `weight` per kWh short (`None` leaves the model's weight).
fn weigh_later_users(blocks: &mut [ChargingBlock], connected: &[PlannedEv], weight: Option<f64>) {
    let Some(weight) = weight else { return };
    for ev in blocks.iter_mut().flat_map(|b| b.evs.iter_mut()) {
        if !connected.iter().any(|c| c.key == ev.key) {
            ev.shortfall_usd_per_kwh = Some(weight);
        }
    }
}

/// Draws hindsight blocks from the recorded episode ([`ForecastMode::HindsightPool`] and
/// [`ForecastMode::HindsightPerfect`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FutureSampler {
    /// Futures per decision.
    pub scenarios: usize,
    /// The true rest of the day instead of the pool.
    pub perfect: bool,
    /// Standard deviation of the relative load error per slot (0.0627: 5 % MAPE).
    pub load_noise_sd: f64,
}

/// A seed for the RNG stream of `(seed, parts, tag)` (splitmix64 over the parts).
pub fn stream_seed(seed: u64, parts: &[u64], tag: &str) -> u64 {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let tag_hash = tag.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    parts.iter().fold(mix(seed ^ tag_hash), |h, &p| mix(h ^ p))
}

/// A standard normal draw (Box-Muller).
pub(crate) fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Key of the `i`-th future EV of future `f` (disjoint from session keys).
fn future_key(f: usize, i: usize) -> u64 {
    (1 << 48) + (f as u64) * 10_000 + i as u64
}

/// `later` sessions assigned around the busy chargers, as the model's EVs of future `f`.
fn future_evs(config: &SiteConfig, later: &[Session], busy: &[usize], f: usize) -> Vec<PlannedEv> {
    let chargers = assign_chargers(&config.site, later, busy, config.tie_break);
    later
        .iter()
        .zip(chargers)
        .enumerate()
        .filter_map(move |(i, (s, c))| {
            let c = c?;
            let target = config.clipped_target(s, c);
            Some(session_ev(config, future_key(f, i), s, c, target))
        })
        .collect()
}

/// Everything the futures of one decision depend on.
#[derive(Debug, Clone)]
pub(crate) struct FutureQuery<'a> {
    pub config: &'a SiteConfig,
    pub history: &'a History,
    pub hindsight: Option<&'a DayView<'a>>,
    pub date: Date,
    pub slot: usize,
    pub building_kw: f64,
    /// Slot at which each charger becomes free.
    pub busy_until: Vec<usize>,
    /// The EVs present now, in every block.
    pub connected: Vec<PlannedEv>,
    /// Parts and tag of the hindsight RNG stream (kept as the papers' runs drew them).
    pub hindsight_stream: (Vec<u64>, &'static str),
    /// A slot the horizon must reach (an arriving EV's latest departure), if any.
    pub reach: Option<usize>,
    /// How far ahead the blocks go.
    pub horizon: Horizon,
    /// The shortfall weight of later arrivals (`None`: the model's weight;
    /// [`FutureUsers::weight`]).
    pub later_weight: Option<f64>,
}

impl FutureQuery<'_> {
    /// One past the last slot any block covers, counted from today's midnight: the end of the
    /// day, or the latest departure (an EV staying over midnight), at most 24 hours ahead; with a
    /// rolling horizon at least its hours ahead, within the billing month; and at least
    /// [`FutureQuery::reach`].
    pub fn horizon_end(&self) -> usize {
        self.end_for(self.horizon)
    }

    /// [`FutureQuery::horizon_end`] under `horizon`.
    fn end_for(&self, horizon: Horizon) -> usize {
        // Today's slots (92 or 100 on a daylight-saving day) and those of 24 hours.
        let n = self.config.slots_on(self.date);
        let day = self.config.slots_per_day();
        let departures = horizon_end(
            (n, day),
            self.slot,
            self.connected.iter().map(|e| e.departure_slot),
        );
        let end = match horizon {
            Horizon::EndOfDay => departures,
            Horizon::Rolling { hours } => {
                let ahead = (hours as usize * day).div_ceil(24).max(1);
                let tomorrow = self.date.plus_days(1);
                let month_end = if tomorrow.month == self.date.month {
                    n + self.config.slots_on(tomorrow)
                } else {
                    n
                };
                departures.max((self.slot + ahead).min(month_end))
            }
        };
        end.max(self.reach.unwrap_or(0))
    }
}

/// The end of the day (`n` slots) or the latest of `departures`, at most 24 hours (`day`
/// slots) after `slot`.
fn horizon_end(
    (n, day): (usize, usize),
    slot: usize,
    departures: impl Iterator<Item = usize>,
) -> usize {
    departures
        .fold(n, usize::max)
        .min(slot + day)
        .max(n)
        .max(slot + 1)
}

/// Every EV of `blocks` leaving after its block's end, cut there ([`truncate`]).
fn truncate_all(blocks: &mut [ChargingBlock], slot_hours: f64) {
    for b in blocks {
        let end = b.end_slot();
        for ev in &mut b.evs {
            truncate(ev, end, slot_hours);
        }
    }
}

/// The distinct futures of `futures` in order of first appearance, each with how many times it
/// was drawn.
///
/// A forecaster that samples past days draws the same day more than once when it draws more
/// futures than its pool holds (30 futures from 20 past weekdays). Identical futures have
/// identical blocks, and the sample-average model with a block per draw has the same optimal
/// value and the same optimal first actions as the model with one block per distinct future
/// weighted by its count: the blocks share only the first slot's action, and for a fixed first
/// action each copy's best continuation is the same. So the model is written once per distinct
/// future, which on the benchmark's 15-EV decision (30 draws, about 16 distinct) halves it.
fn distinct_futures(futures: &[Future]) -> Vec<(&Future, usize)> {
    let mut distinct: Vec<(&Future, usize)> = Vec::new();
    for future in futures {
        let same = |(seen, _): &&mut (&Future, usize)| {
            seen.building_kw == future.building_kw && seen.arrivals == future.arrivals
        };
        match distinct.iter_mut().find(same) {
            Some((_, copies)) => *copies += 1,
            None => distinct.push((future, 1)),
        }
    }
    distinct
}

/// The blocks of a decision: `count` futures from `mode`, each holding the connected EVs and
/// its own later arrivals. Returns the blocks and the label of their source.
pub(crate) fn future_blocks(
    q: &FutureQuery<'_>,
    mode: ForecastMode,
    forecaster: &dyn Forecaster,
    count: usize,
    seed: u64,
    load_noise_sd: f64,
) -> Result<(Vec<ChargingBlock>, String)> {
    let count = count.max(1);
    if mode.is_hindsight() {
        // The recorded day holds no next morning: the hindsight modes plan to the end of the day.
        let end = q.end_for(Horizon::EndOfDay);
        let view = q.hindsight.ok_or_else(|| crate::Error::InvalidParameter {
            field: "forecast",
            reason: format!(
                "{} reads the recorded episode (hindsight); a live decision has none",
                mode.label()
            ),
        })?;
        let sampler = FutureSampler {
            scenarios: count,
            perfect: mode == ForecastMode::HindsightPerfect,
            load_noise_sd,
        };
        let (parts, tag) = &q.hindsight_stream;
        let stream = stream_seed(seed, parts, tag);
        let mut blocks = sampler.sample(view, q.slot, &q.busy_until, &q.connected, stream, end);
        truncate_all(&mut blocks, q.config.tariff.slot_hours());
        weigh_later_users(&mut blocks, &q.connected, q.later_weight);
        return Ok((blocks, mode.label().into()));
    }
    let end = q.horizon_end();
    let clock = q.config.clock();
    let request = ForecastRequest {
        history: q.history,
        date: q.date,
        slot: q.slot,
        slots_per_day: q.config.slots_per_day(),
        clock: &clock,
        slot_hours: q.config.tariff.slot_hours(),
        horizon_end: end,
        building_kw: q.building_kw,
        count,
        seed,
    };
    let futures = forecaster.futures(&request)?;
    let rows = q.config.tariff_rows(q.date, q.slot, end);
    let total = futures.len().max(1) as f64;
    let mut blocks: Vec<ChargingBlock> = distinct_futures(&futures)
        .into_iter()
        .enumerate()
        .map(|(f, (future, copies))| {
            let weight = copies as f64 / total;
            let mut evs = q.connected.clone();
            evs.extend(future_evs(q.config, &future.arrivals, &q.busy_until, f));
            let mut building = future.building_kw.clone();
            building.resize(end - q.slot, q.building_kw);
            ChargingBlock {
                weight,
                start_slot: q.slot,
                building_kw: building,
                price_usd_per_kwh: rows.price_usd_per_kwh.clone(),
                peak: rows.peak.clone(),
                more_peaks: rows.more_peaks.clone(),
                dr: rows.dr.clone(),
                evs,
            }
        })
        .collect();
    let label = match futures.first() {
        Some(f) if f.source == "persistence" => format!("{} (persistence)", forecaster.name()),
        _ => forecaster.name(),
    };
    truncate_all(&mut blocks, q.config.tariff.slot_hours());
    weigh_later_users(&mut blocks, &q.connected, q.later_weight);
    Ok((blocks, label))
}

impl FutureSampler {
    /// The hindsight blocks from slot `t` of the day of `view`: `connected` in every block,
    /// plus each future's arrivals after `t` assigned around the chargers `busy`, drawn from
    /// the RNG stream `stream`.
    pub fn sample(
        &self,
        view: &DayView<'_>,
        t: usize,
        busy: &[usize],
        connected: &[PlannedEv],
        stream: u64,
        end: usize,
    ) -> Vec<ChargingBlock> {
        let scenario = view.scenario;
        let config = scenario.config();
        let n = scenario.slots_in(view.day);
        let end = end.max(n);
        let today = &scenario.days()[view.day];
        let rows = config.tariff_rows(today.date, t, end);
        let f_count = self.scenarios.max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(stream);
        (0..f_count)
            .map(|f| {
                let mut evs = connected.to_vec();
                let mut building: Vec<f64> = today.building_kw[t..n].to_vec();
                building.resize(end - t, today.building_kw[n - 1]);
                if self.perfect {
                    for (s, session) in today.sessions.iter().enumerate() {
                        if let (true, Some(c)) = (session.arrival_slot > t, view.assignment[s]) {
                            evs.push(session_ev(
                                config,
                                session_key(view.day, s),
                                session,
                                c,
                                view.targets_kwh[s],
                            ));
                        }
                    }
                } else {
                    for b in building.iter_mut().skip(1) {
                        *b *= 1.0 + self.load_noise_sd * standard_normal(&mut rng);
                    }
                    let pool: Vec<usize> = (0..scenario.days().len())
                        .filter(|&d| d != view.day || scenario.days().len() == 1)
                        .collect();
                    let source = pool[rng.random_range(0..pool.len())];
                    let later: Vec<Session> = scenario.days()[source]
                        .sessions
                        .iter()
                        .filter(|s| s.arrival_slot > t)
                        .cloned()
                        .collect();
                    evs.extend(future_evs(config, &later, busy, f));
                }
                ChargingBlock {
                    weight: 1.0 / f_count as f64,
                    start_slot: t,
                    building_kw: building,
                    price_usd_per_kwh: rows.price_usd_per_kwh.clone(),
                    peak: rows.peak.clone(),
                    more_peaks: rows.more_peaks.clone(),
                    dr: rows.dr.clone(),
                    evs,
                }
            })
            .collect()
    }
}

/// The key of session `s` of day `d`.
pub fn session_key(day: usize, s: usize) -> u64 {
    (day as u64) * 100_000 + s as u64
}

/// `evs` as the charging model sees them from slot `slot`.
pub fn planned_connected(config: &SiteConfig, slot: usize, evs: &[ConnectedEv]) -> Vec<PlannedEv> {
    evs.iter()
        .map(|ev| {
            config.planned_ev(&EvAt {
                arrival_slot: slot,
                ..ev.at()
            })
        })
        .collect()
}
