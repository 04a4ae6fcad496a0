//! Sampled futures for MPC and MC-MPC: future arrivals from another weekday
//! of the episode (leave-one-day-out), assigned FCFS around the busy chargers, and a building
//! forecast exact now with 5 % mean absolute error later.

use super::{planned_ev, session_ev, ConnectedEv, DayView, Observation};
use crate::simulate::clipped_target;
use crate::{assign_chargers, Session};
use evmech_milp_model::charging::{ChargingBlock, PlannedEv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Where the futures come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForecastMode {
    /// Sampled arrivals and a noisy load (the paper's setting).
    #[default]
    Sampled,
    /// The true rest of the day (a test of the controller against the Oracle).
    Perfect,
}

/// Draws the blocks of one decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FutureSampler {
    /// Futures per decision.
    pub scenarios: usize,
    /// Source of futures.
    pub mode: ForecastMode,
    /// Standard deviation of the relative load error per slot (0.0627: 5 % MAPE).
    pub load_noise_sd: f64,
    /// Episode seed.
    pub seed: u64,
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

impl FutureSampler {
    /// The blocks of a decision at `obs.slot`: the connected EVs in every block, plus each
    /// future's arrivals after the slot, over the rest of the day.
    pub fn blocks(&self, obs: &Observation<'_>, connected: &[PlannedEv]) -> Vec<ChargingBlock> {
        let view = obs.view;
        let mut busy = vec![0usize; view.scenario.site().chargers().len()];
        for ev in obs.evs {
            busy[ev.charger] = ev.departure_slot;
        }
        let stream = stream_seed(self.seed, &[view.day as u64, obs.slot as u64], "ch");
        self.sample(view, obs.slot, &busy, connected, stream)
    }

    /// The blocks from slot `t` of the day of `view`: `connected` in every block, plus each
    /// future's arrivals after `t` assigned around the chargers `busy_until`, drawn from the
    /// RNG stream `stream`.
    pub fn sample(
        &self,
        view: &DayView<'_>,
        t: usize,
        busy: &[usize],
        connected: &[PlannedEv],
        stream: u64,
    ) -> Vec<ChargingBlock> {
        let scenario = view.scenario;
        let tariff = scenario.tariff();
        let n = scenario.slots_per_day();
        let today = &scenario.days()[view.day];
        let price: Vec<f64> = (t..n).map(|k| tariff.energy_price(k)).collect();
        let peak: Vec<bool> = (t..n).map(|k| tariff.is_peak(k)).collect();
        let f_count = self.scenarios.max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(stream);
        (0..f_count)
            .map(|f| {
                let mut evs = connected.to_vec();
                let mut building: Vec<f64> = today.building_kw[t..n].to_vec();
                match self.mode {
                    ForecastMode::Perfect => {
                        for (s, session) in today.sessions.iter().enumerate() {
                            if let (true, Some(c)) = (session.arrival_slot > t, view.assignment[s])
                            {
                                evs.push(session_ev(
                                    scenario,
                                    session_key(view.day, s),
                                    session,
                                    c,
                                    view.targets_kwh[s],
                                ));
                            }
                        }
                    }
                    ForecastMode::Sampled => {
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
                        let chargers =
                            assign_chargers(scenario.site(), &later, busy, scenario.tie_break());
                        for (i, (session, c)) in later.iter().zip(chargers).enumerate() {
                            if let Some(c) = c {
                                let target = clipped_target(scenario, session, c);
                                evs.push(session_ev(
                                    scenario,
                                    future_key(f, i),
                                    session,
                                    c,
                                    target,
                                ));
                            }
                        }
                    }
                }
                ChargingBlock {
                    weight: 1.0 / f_count as f64,
                    start_slot: t,
                    building_kw: building,
                    price_usd_per_kwh: price.clone(),
                    peak: peak.clone(),
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

/// The connected EVs as the charging model sees them at `obs.slot`.
pub(super) fn connected_evs(obs: &Observation<'_>) -> Vec<PlannedEv> {
    planned_connected(obs.view.scenario, obs.slot, obs.evs)
}

/// `evs` as the charging model sees them from slot `slot`.
pub fn planned_connected(
    scenario: &crate::Scenario,
    slot: usize,
    evs: &[ConnectedEv],
) -> Vec<PlannedEv> {
    evs.iter()
        .map(|ev: &ConnectedEv| {
            planned_ev(
                scenario,
                ev.key,
                ev.charger,
                slot,
                ev.departure_slot,
                ev.energy_kwh,
                ev.target_kwh,
                ev.battery_kwh,
            )
        })
        .collect()
}
