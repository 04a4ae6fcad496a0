//! The static menu baseline (the paper's Table 1 row 6): every level offered at its largest
//! deviation, priced by a fixed rule that estimates no cost and samples no future.
//!
//! The paper says of its menu-based policy only that it follows menu-based pricing (Ghosh and
//! Aggarwal), lets users choose or reject, prices from the utility rate, and ends at
//! 0.157 USD/kWh with 34.89 % rejects and a building cost equal to the building's own
//! (8,479 against 8,484 USD/month). Two readings are implemented:
//!
//! - [`StaticMenuRule::InconvenienceDiscount`] (the first reconstruction): the retail rate on
//!   the energy delivered, minus the survey's mean inconvenience of the level's deviation.
//! - [`StaticMenuRule::UtilityRate`]: the utility's own energy rates, option 0 (the request as
//!   made) at the peak rate and the most flexible option at the off-peak rate, the options
//!   between on a linear ladder. The ladder's mean, `(0.178 + 0.137) / 2 = 0.1575`, is the
//!   paper's menu price.

use super::{Menu, MenuOption};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which fixed rule prices the static menu.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StaticMenuRule {
    /// `max(0, retail E_l - w1_bar reduction_pct - w2_bar delay_minutes)`: 0.178 USD/kWh
    /// minus the share-weighted mean inconvenience ([`MenuPricing::Static`](super::MenuPricing)).
    /// The first reconstruction; the tables of `docs/v2b.md` made before 2026-12-01 used it.
    InconvenienceDiscount,
    /// `r_l E_l` with `r_l` stepping from the peak rate 0.178 (option 0) to the off-peak rate
    /// 0.137 USD/kWh (the last option) ([`MenuPricing::UtilityRate`](super::MenuPricing)).
    /// The default: the paper says its menu prices from the utility rate.
    #[default]
    UtilityRate,
}

impl StaticMenuRule {
    /// Every rule.
    pub const ALL: [StaticMenuRule; 2] = [
        StaticMenuRule::InconvenienceDiscount,
        StaticMenuRule::UtilityRate,
    ];

    /// The CLI name (`utility-rate`).
    pub fn name(self) -> &'static str {
        match self {
            StaticMenuRule::InconvenienceDiscount => "inconvenience-discount",
            StaticMenuRule::UtilityRate => "utility-rate",
        }
    }

    /// The rule with the paper's rates (Silicon Valley Power: 0.178 USD/kWh peak, 0.137
    /// off-peak).
    pub fn paper_pricing(self) -> super::MenuPricing {
        match self {
            StaticMenuRule::InconvenienceDiscount => super::MenuPricing::Static {
                retail_usd_per_kwh: 0.178,
            },
            StaticMenuRule::UtilityRate => super::MenuPricing::UtilityRate {
                peak_usd_per_kwh: 0.178,
                off_peak_usd_per_kwh: 0.137,
            },
        }
    }
}

impl std::str::FromStr for StaticMenuRule {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        crate::named::by_name(&StaticMenuRule::ALL, StaticMenuRule::name, "menu_rule", s)
    }
}

/// What the static rules need of one option: its index among `levels` options, the energy it
/// delivers (kWh) and its deviation (%-points of the battery, minutes).
pub(crate) struct StaticOption {
    pub level: usize,
    pub levels: usize,
    pub delivered_kwh: f64,
    pub reduction_pct: f64,
    pub delay_minutes: f64,
}

/// The rate of option `level` of `levels` on the ladder from `peak` (option 0) to `off_peak`
/// (the last option), USD/kWh.
pub fn ladder_rate(peak: f64, off_peak: f64, level: usize, levels: usize) -> f64 {
    if levels <= 1 {
        return peak;
    }
    peak - (peak - off_peak) * level as f64 / (levels - 1) as f64
}

/// Checks a rate: finite and non-negative (`field` names it in the error).
pub(crate) fn check_rate(field: &'static str, rate: f64) -> Result<()> {
    if rate.is_finite() && rate >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            field,
            reason: format!("must be finite and non-negative, got {rate}"),
        })
    }
}

/// A static menu of `options` for a user needing `need_kwh`, every cost field 0 (nothing is
/// estimated), the outside option at `external_usd_per_kwh`.
pub(crate) fn static_menu_of(
    options: Vec<MenuOption>,
    need_kwh: f64,
    external_usd_per_kwh: f64,
) -> Menu {
    Menu {
        cost_without_usd: 0.0,
        options,
        external_cost_usd: external_usd_per_kwh * need_kwh,
        lp_solves: 0,
        solver_seconds: 0.0,
        seconds: 0.0,
        fingerprints: Vec::new(),
    }
}

/// A static rule with its rates checked, ready to price options.
pub(crate) enum StaticPricer {
    /// [`StaticMenuRule::InconvenienceDiscount`] with the retail rate and mean weights.
    Discount { retail: f64, weights: (f64, f64) },
    /// [`StaticMenuRule::UtilityRate`] with the peak and off-peak rates.
    Ladder { peak: f64, off_peak: f64 },
}

impl StaticPricer {
    /// The pricer of `pricing`. Errors: a rate that is negative or not finite (named),
    /// [`MenuPricing::Consent`](super::MenuPricing) (field `pricing`: CONSENT quotes from
    /// sampled futures, it has no static rule).
    pub fn new(pricing: super::MenuPricing, weights: (f64, f64)) -> Result<Self> {
        use super::MenuPricing;
        match pricing {
            MenuPricing::Static { retail_usd_per_kwh } => {
                check_rate("retail_usd_per_kwh", retail_usd_per_kwh)?;
                Ok(StaticPricer::Discount {
                    retail: retail_usd_per_kwh,
                    weights,
                })
            }
            MenuPricing::UtilityRate {
                peak_usd_per_kwh,
                off_peak_usd_per_kwh,
            } => {
                check_rate("peak_usd_per_kwh", peak_usd_per_kwh)?;
                check_rate("off_peak_usd_per_kwh", off_peak_usd_per_kwh)?;
                Ok(StaticPricer::Ladder {
                    peak: peak_usd_per_kwh,
                    off_peak: off_peak_usd_per_kwh,
                })
            }
            MenuPricing::Consent => Err(Error::InvalidParameter {
                field: "pricing",
                reason: "CONSENT prices from sampled futures (quote), not from a static rule"
                    .into(),
            }),
        }
    }

    /// The price of `o`, USD.
    pub fn price(&self, o: &StaticOption) -> f64 {
        match *self {
            StaticPricer::Discount { retail, weights } => o.discounted(retail, weights),
            StaticPricer::Ladder { peak, off_peak } => o.at_utility_rate(peak, off_peak),
        }
    }
}

impl StaticOption {
    /// The inconvenience-discount price with retail rate `retail` and mean weights `(w1, w2)`.
    pub fn discounted(&self, retail: f64, (w1, w2): (f64, f64)) -> f64 {
        (retail * self.delivered_kwh - w1 * self.reduction_pct - w2 * self.delay_minutes).max(0.0)
    }

    /// The utility-rate price: the ladder's rate on the energy delivered.
    pub fn at_utility_rate(&self, peak: f64, off_peak: f64) -> f64 {
        ladder_rate(peak, off_peak, self.level, self.levels) * self.delivered_kwh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_runs_from_peak_to_off_peak() {
        assert_eq!(ladder_rate(0.178, 0.137, 0, 4), 0.178);
        assert!((ladder_rate(0.178, 0.137, 3, 4) - 0.137).abs() < 1e-15);
        let mean: f64 = (0..4).map(|l| ladder_rate(0.178, 0.137, l, 4)).sum::<f64>() / 4.0;
        assert!((mean - 0.1575).abs() < 1e-12);
        assert_eq!(ladder_rate(0.178, 0.137, 0, 1), 0.178);
    }

    #[test]
    fn rules_have_names_that_parse_back() {
        for r in StaticMenuRule::ALL {
            assert_eq!(r.name().parse::<StaticMenuRule>().unwrap(), r);
        }
        assert!("tou".parse::<StaticMenuRule>().is_err());
    }
}
