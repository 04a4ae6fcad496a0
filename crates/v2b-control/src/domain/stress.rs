//! The CONSENT paper's stress transforms (its App. G): noisy departures, perturbed targets,
//! shifted daily load, a midday price surcharge and a doubled fleet, each seeded and each off
//! unless asked for.

use crate::policy::stream_seed;
use crate::Surcharge;
use crate::{Error, Result, Scenario, ScenarioSpec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// Which stresses to apply and how strongly; [`Stress::default`] changes nothing,
/// [`Stress::paper`] is App. G.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stress {
    /// Standard deviation of the change of each actual departure, hours (App. G: 2). A draw
    /// that would leave before the slot after arrival or after the day's end is not applied
    /// ("if feasible"); the requested departure stays what the driver said.
    pub departure_sd_hours: f64,
    /// Each requested energy is multiplied by `1 + U[-spread, spread]` (App. G: 0.15), then kept
    /// between the arrival energy and the battery.
    pub target_spread: f64,
    /// Each day's building load moves by `U[-spread, spread]` times its daily mean (App. G:
    /// 0.15), floored at 0.
    pub load_spread: f64,
    /// Energy prices multiplied in a window of the day (App. G: x1.2 over 12-16 h).
    pub surcharge: Option<(f64, f64, f64)>,
    /// Copies of every session (App. G: 2; 1 = unchanged). Copies keep the original's data,
    /// with `~k` appended to the id.
    pub fleet_factor: usize,
    /// Seed of the draws.
    pub seed: u64,
}

impl Default for Stress {
    fn default() -> Self {
        Stress {
            departure_sd_hours: 0.0,
            target_spread: 0.0,
            load_spread: 0.0,
            surcharge: None,
            fleet_factor: 1,
            seed: 0,
        }
    }
}

impl Stress {
    /// All of App. G at once.
    pub fn paper(seed: u64) -> Self {
        Stress {
            departure_sd_hours: 2.0,
            target_spread: 0.15,
            load_spread: 0.15,
            surcharge: Some((12.0, 16.0, 1.2)),
            fleet_factor: 2,
            seed,
        }
    }

    /// One of App. G's stresses by name (`departure`, `target`, `load`, `price`, `fleet`), or
    /// `all`; `none` is the identity.
    pub fn named(name: &str, seed: u64) -> Result<Self> {
        let all = Stress::paper(seed);
        let none = Stress {
            seed,
            ..Stress::default()
        };
        Ok(match name {
            "none" => none,
            "all" => all,
            "departure" => Stress {
                departure_sd_hours: all.departure_sd_hours,
                ..none
            },
            "target" => Stress {
                target_spread: all.target_spread,
                ..none
            },
            "load" => Stress {
                load_spread: all.load_spread,
                ..none
            },
            "price" => Stress {
                surcharge: all.surcharge,
                ..none
            },
            "fleet" => Stress {
                fleet_factor: all.fleet_factor,
                ..none
            },
            other => {
                return Err(Error::InvalidParameter {
                    field: "stress",
                    reason: format!(
                        "unknown stress {other:?}; known: none, departure, target, load, price, fleet, all"
                    ),
                })
            }
        })
    }

    fn validate(&self) -> Result<()> {
        let bad = |field: &'static str, reason: &str| Error::InvalidParameter {
            field,
            reason: reason.into(),
        };
        let nonneg = |x: f64| x.is_finite() && x >= 0.0;
        if !nonneg(self.departure_sd_hours) {
            return Err(bad("stress.departure_sd_hours", "must be finite and >= 0"));
        }
        if !(nonneg(self.target_spread) && self.target_spread < 1.0) {
            return Err(bad("stress.target_spread", "must be in [0, 1)"));
        }
        if !(nonneg(self.load_spread) && self.load_spread < 1.0) {
            return Err(bad("stress.load_spread", "must be in [0, 1)"));
        }
        if self.fleet_factor == 0 {
            return Err(bad("stress.fleet_factor", "must be at least 1"));
        }
        if let Some((from, to, factor)) = self.surcharge {
            if !(nonneg(from) && from <= to && to <= 24.0) {
                return Err(bad(
                    "stress.surcharge",
                    "the window must lie inside [0, 24] h",
                ));
            }
            if !(factor.is_finite() && factor > 0.0) {
                return Err(bad(
                    "stress.surcharge",
                    "the factor must be finite and positive",
                ));
            }
        }
        Ok(())
    }
}

impl Scenario {
    /// The scenario under `stress` (the same seed gives the same scenario).
    pub fn stressed(&self, stress: &Stress) -> Result<Scenario> {
        stress.validate()?;
        let mut spec = ScenarioSpec::from(self.clone());
        let clock = spec.tariff.clock();
        let tau = spec.tariff.slot_hours();
        if let Some((from, to, factor)) = stress.surcharge {
            spec.tariff.surcharge = Some(Surcharge {
                start_slot: (from / tau).round() as usize,
                end_slot: (to / tau).round() as usize,
                factor,
            });
        }
        for (d, day) in spec.days.iter_mut().enumerate() {
            let n = day.building_kw.len().max(1);
            let longest =
                clock.slots_between(day.date, day.date.plus_days(crate::MAX_STAY_DAYS as i64));
            let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(stress.seed, &[d as u64], "load"));
            if stress.load_spread > 0.0 {
                let mean = day.building_kw.iter().sum::<f64>() / n as f64;
                let shift = rng.random_range(-stress.load_spread..=stress.load_spread) * mean;
                for kw in &mut day.building_kw {
                    *kw = (*kw + shift).max(0.0);
                }
            }
            for (i, s) in day.sessions.iter_mut().enumerate() {
                let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(
                    stress.seed,
                    &[d as u64, i as u64],
                    "session",
                ));
                if stress.departure_sd_hours > 0.0 {
                    let noise = Normal::new(0.0, stress.departure_sd_hours)
                        .expect("finite sd")
                        .sample(&mut rng);
                    let moved = s.departure_slot as f64 + (noise / tau).round();
                    let last = if s.departure_slot > n { longest } else { n };
                    if moved > s.arrival_slot as f64 && moved <= last as f64 {
                        s.departure_slot = moved as usize;
                    }
                }
                if stress.target_spread > 0.0 {
                    let u = rng.random_range(-stress.target_spread..=stress.target_spread);
                    s.requested_energy_kwh = (s.requested_energy_kwh * (1.0 + u))
                        .clamp(s.arrival_energy_kwh, s.battery_kwh);
                }
            }
            if stress.fleet_factor > 1 {
                let originals = day.sessions.clone();
                for k in 1..stress.fleet_factor {
                    day.sessions.extend(originals.iter().map(|s| {
                        let mut copy = s.clone();
                        copy.id = format!("{}~{k}", s.id);
                        copy
                    }));
                }
            }
        }
        Scenario::new(spec)
    }
}
