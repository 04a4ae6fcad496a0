//! Copositive marginal pricing (CMP-A, CMP-B) as `Mechanism`s.

use crate::{price, Error, Pricing, PricingOptions, Tariff};
use evmech_mechanisms::{Mechanism, Outcome, QuasiLinear};
use evmech_milp_model::{EvRequest, Instance, Station};
use serde::{Deserialize, Serialize};

/// What a user receives: a station (or none) and energy per slot of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingPlan {
    /// Station index (`None` = not served).
    pub station: Option<usize>,
    /// Energy delivered in each slot, kWh.
    pub energy_kwh: Vec<f64>,
}

impl QuasiLinear<ChargingPlan> for EvRequest {
    /// `v_n * sum_t e_t - c_{n,s}`: energy value minus the access cost of the station.
    fn value(&self, plan: &ChargingPlan) -> f64 {
        let energy: f64 = plan.energy_kwh.iter().sum();
        let access = plan
            .station
            .and_then(|s| self.access_cost_usd.get(s).copied())
            .unwrap_or(0.0);
        self.value_usd_per_kwh * energy - if plan.station.is_some() { access } else { 0.0 }
    }
}

/// Which CMP payment rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentRule {
    /// Marginal price plus congestion surcharge.
    CmpA,
    /// Opt-out anchored (the default: strong IR including opting out).
    #[default]
    CmpB,
}

impl PaymentRule {
    /// The tariff of the rule.
    pub fn tariff(self) -> Tariff {
        match self {
            PaymentRule::CmpA => Tariff::CmpA,
            PaymentRule::CmpB => Tariff::CmpB,
        }
    }
}

/// The charging site the mechanism prices: slot length, operator energy prices, stations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Slot length, hours.
    pub slot_hours: f64,
    /// Operator energy cost per slot, $/kWh.
    pub energy_price_usd_per_kwh: Vec<f64>,
    /// Stations.
    pub stations: Vec<Station>,
}

/// Copositive marginal pricing: reports are EV requests, the allocation is the welfare-optimal
/// plan, payments follow CMP-A or CMP-B.
///
/// Guarantees (proofs in `docs/copositive.md`), when the certified gap is 0:
/// revenue adequacy, and strong individual rationality (no user gains by any other plan in its
/// own feasible set, others fixed); CMP-B also makes opting out free, so participation is
/// voluntary. With a gap `g > 0` the IR statements hold up to `g`.
#[derive(Debug, Clone, PartialEq)]
pub struct CopositiveMechanism {
    site: Site,
    rule: PaymentRule,
    options: PricingOptions,
}

impl CopositiveMechanism {
    /// A mechanism for `site` with payment rule `rule` and pricing options `options`.
    pub fn new(site: Site, rule: PaymentRule, options: PricingOptions) -> Self {
        CopositiveMechanism {
            site,
            rule,
            options,
        }
    }

    /// Runs the mechanism and returns the full pricing (prices, certificate, plan).
    pub fn run_detailed(&self, reports: &[EvRequest]) -> Result<Pricing, Error> {
        let instance = Instance::from_parts(
            self.site.slot_hours,
            self.site.energy_price_usd_per_kwh.clone(),
            self.site.stations.clone(),
            reports,
        )?;
        price(&instance, &self.options)
    }
}

impl Mechanism for CopositiveMechanism {
    type Report = EvRequest;
    type Allocation = ChargingPlan;
    type Error = Error;

    fn name(&self) -> &str {
        match self.rule {
            PaymentRule::CmpA => "cmp-a",
            PaymentRule::CmpB => "cmp-b",
        }
    }

    fn run(&self, reports: &[EvRequest]) -> Result<Outcome<ChargingPlan>, Error> {
        let pricing = self.run_detailed(reports)?;
        let tariff = self.rule.tariff();
        let x = &pricing.plan.x;
        let allocation = (0..reports.len())
            .map(|n| ChargingPlan {
                station: pricing.plan.assignment[n],
                energy_kwh: pricing.plan.energy_kwh[n].clone(),
            })
            .collect();
        let payments = (0..reports.len())
            .map(|n| pricing.payment(&tariff, n, x))
            .collect();
        Ok(Outcome::new(allocation, payments)?)
    }
}
