//! The user model: inconvenience weights by survey type and profile, and how a
//! user chooses from a menu.

use super::Menu;
use crate::policy::standard_normal;
use crate::{Error, Result};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// One survey cluster: mean and spread of the two sensitivities, and its share of users.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserType {
    /// Mean `w1`, USD per %-point of target reduction.
    pub w1_mean: f64,
    /// Standard deviation of `w1`.
    pub w1_sd: f64,
    /// Mean `w2`, USD per minute of delay.
    pub w2_mean: f64,
    /// Standard deviation of `w2`.
    pub w2_sd: f64,
    /// Share of users of this type.
    pub share: f64,
}

impl UserType {
    /// The paper's four types (from 168 survey answers).
    pub fn paper() -> Vec<UserType> {
        [
            (0.0489, 0.02, 0.1250, 0.01, 0.107),
            (0.0133, 0.01, 0.0346, 0.02, 0.536),
            (0.0362, 0.01, 0.0673, 0.01, 0.321),
            (0.0, 0.0, 0.1083, 0.0, 0.036),
        ]
        .into_iter()
        .map(|(w1_mean, w1_sd, w2_mean, w2_sd, share)| UserType {
            w1_mean,
            w1_sd,
            w2_mean,
            w2_sd,
            share,
        })
        .collect()
    }
}

/// Table 2's flexibility profiles: scalings of both sensitivities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// The survey as fitted.
    #[default]
    Baseline,
    /// Both weights x0.75.
    MoreFlexible,
    /// `w1` x1.5.
    RangeSensitive,
    /// `w2` x1.5.
    TimeSensitive,
    /// Both weights x1.25.
    LessFlexible,
}

impl Profile {
    /// All profiles, in Table 2's order.
    pub const ALL: [Profile; 5] = [
        Profile::Baseline,
        Profile::MoreFlexible,
        Profile::RangeSensitive,
        Profile::TimeSensitive,
        Profile::LessFlexible,
    ];

    /// Factors on `(w1, w2)`.
    pub fn scale(self) -> (f64, f64) {
        match self {
            Profile::Baseline => (1.0, 1.0),
            Profile::MoreFlexible => (0.75, 0.75),
            Profile::RangeSensitive => (1.5, 1.0),
            Profile::TimeSensitive => (1.0, 1.5),
            Profile::LessFlexible => (1.25, 1.25),
        }
    }

    /// The kebab-case name (`"more-flexible"`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Baseline => "baseline",
            Profile::MoreFlexible => "more-flexible",
            Profile::RangeSensitive => "range-sensitive",
            Profile::TimeSensitive => "time-sensitive",
            Profile::LessFlexible => "less-flexible",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(&Profile::ALL, Profile::name, "profile", s)
    }
}

/// One user's private sensitivities (never seen by the operator).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UserWeights {
    /// USD per %-point of target reduction.
    pub w1_usd_per_pct: f64,
    /// USD per minute of delay.
    pub w2_usd_per_minute: f64,
    /// Index of the survey type drawn.
    pub user_type: usize,
}

impl UserWeights {
    /// `I = w1 * reduction_pct + w2 * delay_minutes`, USD.
    pub fn inconvenience(&self, reduction_pct: f64, delay_minutes: f64) -> f64 {
        self.w1_usd_per_pct * reduction_pct + self.w2_usd_per_minute * delay_minutes
    }

    /// The acceptance utility of every option, `Y_l = external cost - (zeta_l + I_l)`, USD.
    pub fn utilities(&self, menu: &Menu) -> Vec<f64> {
        menu.options
            .iter()
            .map(|o| {
                menu.external_cost_usd
                    - (o.price_usd + self.inconvenience(o.reduction_pct, o.delay_minutes))
            })
            .collect()
    }
}

/// How users' sensitivities are drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserModel {
    /// The survey types.
    pub types: Vec<UserType>,
    /// Table 2's scaling.
    pub profile: Profile,
    /// Use each type's means (no per-user spread).
    pub means_only: bool,
}

impl Default for UserModel {
    fn default() -> Self {
        UserModel {
            types: UserType::paper(),
            profile: Profile::Baseline,
            means_only: false,
        }
    }
}

impl UserModel {
    /// Checks shares and weights.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: String| Error::InvalidParameter {
            field: "user_model.types",
            reason,
        };
        if self.types.is_empty() {
            return Err(bad("must not be empty".into()));
        }
        for (i, t) in self.types.iter().enumerate() {
            let values = [t.w1_mean, t.w1_sd, t.w2_mean, t.w2_sd, t.share];
            if values.iter().any(|x| !x.is_finite() || *x < 0.0) {
                return Err(bad(format!(
                    "type {i}: means, spreads and share must be finite and >= 0"
                )));
            }
        }
        if self.types.iter().map(|t| t.share).sum::<f64>() <= 0.0 {
            return Err(bad("the shares must not all be 0".into()));
        }
        Ok(())
    }

    /// Draws a type by share, then each weight from `max(0, N(mean, sd^2))`, scaled by the profile.
    pub fn draw<R: Rng>(&self, rng: &mut R) -> UserWeights {
        let total: f64 = self.types.iter().map(|t| t.share).sum();
        let mut u = rng.random::<f64>() * total;
        let mut user_type = self.types.len() - 1;
        for (i, t) in self.types.iter().enumerate() {
            if u < t.share {
                user_type = i;
                break;
            }
            u -= t.share;
        }
        let t = self.types[user_type];
        let (f1, f2) = self.profile.scale();
        let (z1, z2) = (standard_normal(rng), standard_normal(rng));
        let (w1, w2) = if self.means_only {
            (t.w1_mean, t.w2_mean)
        } else {
            (
                (t.w1_mean + t.w1_sd * z1).max(0.0),
                (t.w2_mean + t.w2_sd * z2).max(0.0),
            )
        };
        UserWeights {
            w1_usd_per_pct: f1 * w1,
            w2_usd_per_minute: f2 * w2,
            user_type,
        }
    }

    /// The share-weighted mean weights (the static menu's prices), profile applied.
    pub fn mean_weights(&self) -> (f64, f64) {
        let total: f64 = self.types.iter().map(|t| t.share).sum();
        let (f1, f2) = self.profile.scale();
        let w1 = self.types.iter().map(|t| t.share * t.w1_mean).sum::<f64>() / total;
        let w2 = self.types.iter().map(|t| t.share * t.w2_mean).sum::<f64>() / total;
        (f1 * w1, f2 * w2)
    }
}

/// How a user picks from a menu.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AcceptanceMode {
    /// Draw an option by softmax of `Y`, then reject it if its `Y < 0` (the default).
    #[default]
    TwoStage,
    /// Softmax over the options and an outside option with `Y = 0`.
    MultinomialWithOutside,
    /// The best option, or reject if every `Y < 0`; ties go to the lower level.
    Rational,
    /// Softmax over the options; rejecting is not possible (Table 1 row 8).
    OptionsOnly,
}

/// What the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Choice {
    /// The option at this index of the menu.
    Accept(usize),
    /// Charge elsewhere.
    Reject,
}

fn softmax(values: &[f64]) -> Vec<f64> {
    let m = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = values.iter().map(|y| (y - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|x| x / s).collect()
}

impl AcceptanceMode {
    /// Probabilities of each option and of rejecting, for utilities `y` (logit scale 1 USD,
    /// computed by log-sum-exp).
    pub fn probabilities(self, y: &[f64]) -> (Vec<f64>, f64) {
        match self {
            AcceptanceMode::TwoStage => {
                let p = softmax(y);
                let reject = p
                    .iter()
                    .zip(y)
                    .filter(|(_, &y)| y < 0.0)
                    .map(|(p, _)| p)
                    .sum();
                let accept = p
                    .iter()
                    .zip(y)
                    .map(|(&p, &y)| if y < 0.0 { 0.0 } else { p })
                    .collect();
                (accept, reject)
            }
            AcceptanceMode::MultinomialWithOutside => {
                let mut with_outside = y.to_vec();
                with_outside.push(0.0);
                let mut p = softmax(&with_outside);
                let reject = p.pop().expect("the outside option");
                (p, reject)
            }
            AcceptanceMode::Rational => {
                let mut p = vec![0.0; y.len()];
                let best = y.iter().enumerate().fold(
                    None,
                    |best: Option<(usize, f64)>, (i, &v)| match best {
                        Some((_, b)) if b >= v => best,
                        _ => Some((i, v)),
                    },
                );
                match best {
                    Some((i, v)) if v >= 0.0 => {
                        p[i] = 1.0;
                        (p, 0.0)
                    }
                    _ => (p, 1.0),
                }
            }
            AcceptanceMode::OptionsOnly => (softmax(y), 0.0),
        }
    }

    /// The choice for utilities `y` given a uniform draw `u` in `[0, 1)`.
    pub fn choose(self, y: &[f64], u: f64) -> Choice {
        if y.is_empty() {
            return Choice::Reject;
        }
        if self == AcceptanceMode::TwoStage {
            let p = softmax(y);
            let l = pick(&p, u);
            return if y[l] < 0.0 {
                Choice::Reject
            } else {
                Choice::Accept(l)
            };
        }
        let (p, reject) = self.probabilities(y);
        if self != AcceptanceMode::OptionsOnly && u >= 1.0 - reject {
            return Choice::Reject;
        }
        let scaled = u / (1.0 - reject).max(f64::MIN_POSITIVE);
        Choice::Accept(pick(
            &p.iter().map(|x| x / (1.0 - reject)).collect::<Vec<_>>(),
            scaled.min(1.0 - 1e-15),
        ))
    }
}

/// Index of the interval of the cumulative `p` holding `u`.
fn pick(p: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, &x) in p.iter().enumerate() {
        acc += x;
        if u < acc {
            return i;
        }
    }
    p.iter().rposition(|&x| x > 0.0).unwrap_or(p.len() - 1)
}
