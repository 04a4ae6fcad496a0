//! The seeded synthetic generator: weekday arrivals (zero-inflated negative
//! binomial per slot around an 08:30 mode and a noon bump), battery classes, Beta states of
//! charge, Weibull stays and an office-like building load; the paper's site and tariff.

use crate::policy::stream_seed;
use crate::{
    Date, Day, Error, History, Result, Scenario, ScenarioSpec, Session, Site, Tariff, TieBreak,
};
use evmech_milp_model::charging::ChargingCurve;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Gamma, Normal, Poisson, Weibull};
use serde::{Deserialize, Serialize};

/// Parameters of the generator (defaults: the CONSENT paper's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SyntheticConfig {
    /// Year of the billing month.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Weekdays to generate from the first of the month (`None`: all of the month's weekdays).
    pub days: Option<usize>,
    /// Mean arrivals per day (`Lambda`, 12).
    pub arrivals_per_day: f64,
    /// Zero-inflation probability per slot (0.3).
    pub zero_inflation: f64,
    /// Negative-binomial dispersion (1.5).
    pub dispersion: f64,
    /// Seed.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig {
            year: 2019,
            month: 5,
            days: None,
            arrivals_per_day: 12.0,
            zero_inflation: 0.3,
            dispersion: 1.5,
            seed: 0,
        }
    }
}

const BATTERIES: [(f64, f64); 4] = [(24.0, 0.10), (40.0, 0.35), (75.0, 0.40), (100.0, 0.15)];

fn gauss(x: f64, mean: f64, sd: f64) -> f64 {
    (-(x - mean).powi(2) / (2.0 * sd * sd)).exp() / sd
}

/// The building's office plateau at hour `h`: 0 before 6, up to 1 at 9, 1 until 17, 0 at 20.
fn plateau(h: f64) -> f64 {
    if !(6.0..20.0).contains(&h) {
        0.0
    } else if h < 9.0 {
        (h - 6.0) / 3.0
    } else if h < 17.0 {
        1.0
    } else {
        (20.0 - h) / 3.0
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        Date {
            year: year + 1,
            month: 1,
            day: 1,
        }
    } else {
        Date {
            year,
            month: month + 1,
            day: 1,
        }
    };
    (next.days_since_epoch()
        - Date {
            year,
            month,
            day: 1,
        }
        .days_since_epoch()) as u32
}

fn invalid(field: &'static str, reason: &str) -> Error {
    Error::InvalidParameter {
        field,
        reason: reason.into(),
    }
}

impl SyntheticConfig {
    fn validate(&self) -> Result<()> {
        if !(1..=12).contains(&self.month) {
            return Err(invalid("month", "must be 1 to 12"));
        }
        if !(self.arrivals_per_day.is_finite() && self.arrivals_per_day >= 0.0) {
            return Err(invalid("arrivals_per_day", "must be finite and >= 0"));
        }
        if !(0.0..1.0).contains(&self.zero_inflation) {
            return Err(invalid("zero_inflation", "must be in [0, 1)"));
        }
        if !(self.dispersion.is_finite() && self.dispersion > 0.0) {
            return Err(invalid("dispersion", "must be finite and positive"));
        }
        if self.days == Some(0) {
            return Err(invalid("days", "must be at least 1"));
        }
        Ok(())
    }

    /// Generates the episode. The same configuration gives the same scenario.
    pub fn generate(&self) -> Result<Scenario> {
        self.validate()?;
        let tariff = Tariff::silicon_valley_power();
        let tau = tariff.slot_hours();
        let mut dates: Vec<Date> = (1..=days_in_month(self.year, self.month))
            .map(|day| Date {
                year: self.year,
                month: self.month,
                day,
            })
            .filter(|d| (1..=5).contains(&d.weekday()))
            .collect();
        if let Some(k) = self.days {
            dates.truncate(k);
        }
        let weights: Vec<f64> = (20..80)
            .map(|k| {
                let h = (k as f64 + 0.5) * tau;
                0.65 * gauss(h, 8.5, 1.0) + 0.35 * gauss(h, 13.0, 2.5)
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let days = dates
            .iter()
            .map(|&date| {
                let key = date.days_since_epoch() as u64;
                let n = tariff.slots_on(date);
                let mut rng =
                    ChaCha8Rng::seed_from_u64(stream_seed(self.seed, &[key], "synthetic"));
                Day {
                    date,
                    building_kw: self.building(&mut rng, n, tau),
                    sessions: self.sessions(&mut rng, date, &weights, total, n, tau),
                }
            })
            .collect();
        Scenario::new(ScenarioSpec {
            site: Site::paper_default(),
            tariff,
            curve: ChargingCurve::Paper,
            soc_floor: 0.1,
            tie_break: TieBreak::default(),
            days,
            history: History::default(),
            history_records: Default::default(),
        })
    }

    fn building(&self, rng: &mut ChaCha8Rng, n: usize, tau: f64) -> Vec<f64> {
        let day = Normal::new(1.0, 0.08).expect("valid normal").sample(rng);
        let slot = Normal::new(1.0, 0.03).expect("valid normal");
        (0..n)
            .map(|k| {
                let h = (k as f64 + 0.5) * tau;
                ((40.0 + 110.0 * plateau(h)) * day * slot.sample(rng)).max(0.0)
            })
            .collect()
    }

    fn sessions(
        &self,
        rng: &mut ChaCha8Rng,
        date: Date,
        weights: &[f64],
        total: f64,
        n: usize,
        tau: f64,
    ) -> Vec<Session> {
        let beta44 = Beta::<f64>::new(4.0, 4.0).expect("valid beta");
        let beta23 = Beta::<f64>::new(2.0, 3.0).expect("valid beta");
        let mut out = Vec::new();
        for (i, w) in weights.iter().enumerate() {
            let k = 20 + i;
            let mean = self.arrivals_per_day * w / total;
            if rng.random::<f64>() < self.zero_inflation || mean <= 0.0 {
                continue;
            }
            let nb_mean = mean / (1.0 - self.zero_inflation);
            let rate = Gamma::new(self.dispersion, nb_mean / self.dispersion)
                .expect("valid gamma")
                .sample(rng);
            let count = if rate > 0.0 {
                Poisson::new(rate).expect("valid poisson").sample(rng) as usize
            } else {
                0
            };
            for _ in 0..count {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let battery = BATTERIES
                    .iter()
                    .find(|(_, p)| {
                        acc += p;
                        u < acc
                    })
                    .map_or(100.0, |b| b.0);
                let s_a: f64 = beta44.sample(rng).clamp(0.1, 0.9);
                let s_r = s_a + (0.95 - s_a) * beta23.sample(rng);
                let h = (k as f64 + 0.5) * tau;
                let scale = (10.5 - 0.55 * (h - 7.0)).clamp(1.0, 10.5);
                let stay = Weibull::new(scale, 2.5).expect("valid weibull").sample(rng);
                let d = n.min(k + ((stay / tau).round() as usize).max(1));
                out.push(Session {
                    id: format!(
                        "syn-{:04}{:02}{:02}-{:03}",
                        date.year,
                        date.month,
                        date.day,
                        out.len()
                    ),
                    date,
                    arrival_slot: k,
                    departure_slot: d,
                    requested_departure_slot: d,
                    battery_kwh: battery,
                    arrival_energy_kwh: s_a * battery,
                    requested_energy_kwh: s_r * battery,
                    hindsight: false,
                    reported_need_kwh: (s_r - s_a) * battery,
                    need_clipped: false,
                    limits: Default::default(),
                    chain: None,
                });
            }
        }
        out
    }
}
