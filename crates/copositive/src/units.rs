//! A pricing, a tariff and a best response in other units of money and energy.
//!
//! [`crate::price`] solves every instance in the units of [`Units::normalizing`] (the largest
//! energy one EV can take in a slot and the largest gain it can bring there are 1; access costs
//! above everything an EV can gain are capped, see
//! [`Instance::normalized`](evmech_milp_model::Instance::normalized)) and converts the
//! result back to USD and kWh here; the best-response checker and IP pricing convert the other
//! way before they solve. A change of units changes no assignment and no decision: welfare,
//! bounds and payments scale with money, energies with energy, a row's price `rho` with money
//! per unit of the row and its curvature `eta` with money per squared unit of the row.

use crate::{CouplingPrice, PriceRegion, Pricing, Tariff};
use evmech_milp_model::{StationAccessModel, Units};

impl Pricing {
    /// The same pricing in `units` (one new money unit is `units.money_usd` of the current
    /// ones, one new energy unit `units.energy_kwh`). The model is rebuilt in the new units; the
    /// certificate's solver diagnostics (`min_eig_psd`, `min_nn`, `min_raw_price`) stay in the
    /// units the solver saw ([`Pricing::solver_units`]).
    pub fn in_units(&self, units: &Units) -> Pricing {
        self.converted(self.model.in_units(units), units)
    }

    /// [`Pricing::in_units`] onto a given `model`: the current model in `units`, built once by
    /// the caller (so that converting back to USD uses the instance exactly as the user gave it).
    pub(crate) fn converted(&self, model: StationAccessModel, units: &Units) -> Pricing {
        let lm = self.model.model();
        let row_unit = |c: &CouplingPrice| units.row(c.row, lm);
        let m = |v: f64| units.money(v);
        let plan = model.plan(&units.columns(lm, &self.plan.x));
        let price = |c: &CouplingPrice, rho: f64, eta: f64| {
            let row = row_unit(c);
            (units.row_price(rho, row), units.row_curvature(eta, row))
        };
        let prices: Vec<CouplingPrice> = (self.prices.iter())
            .map(|c| {
                let (rho, eta) = price(c, c.rho, c.eta);
                CouplingPrice {
                    rho,
                    eta,
                    slack: c.slack / row_unit(c),
                    ..*c
                }
            })
            .collect();
        let regions = (self.regions.iter())
            .map(|r| {
                let mut r = PriceRegion {
                    bound: m(r.bound),
                    ..r.clone()
                };
                for q in &mut r.prices {
                    (q.rho, q.eta) = price(&self.prices[q.index], q.rho, q.eta);
                }
                r
            })
            .collect();
        let mut certificate = self.certificate;
        certificate.y_s_y = m(certificate.y_s_y);
        certificate.max_complementarity = m(certificate.max_complementarity);
        let dual_bound = m(self.dual_bound);
        let welfare = plan.welfare;
        certificate.gap = dual_bound - welfare;
        let components = (self.components.iter())
            .map(|c| {
                let mut c = c.clone();
                (c.repair, c.bound, c.welfare) = (m(c.repair), m(c.bound), m(c.welfare));
                c
            })
            .collect();
        Pricing {
            model,
            plan,
            welfare,
            dual_bound,
            gap: dual_bound - welfare,
            tolerance: m(self.tolerance),
            epsilon_ir: (dual_bound - welfare).max(0.0),
            regions,
            prices,
            certificate,
            components,
            ..self.clone()
        }
    }
}

impl Tariff {
    /// The same tariff in `units`, for `pricing` in the tariff's current units. CMP-A and CMP-B
    /// read their prices from the pricing and are unchanged; a linear tariff's row prices and
    /// column credits are converted.
    pub fn in_units(&self, pricing: &Pricing, units: &Units) -> Tariff {
        match self {
            Tariff::CmpA | Tariff::CmpB => self.clone(),
            Tariff::Linear { rho, credit } => {
                let lm = pricing.model.model();
                Tariff::Linear {
                    rho: (rho.iter().zip(&pricing.prices))
                        .map(|(&r, c)| units.row_price(r, units.row(c.row, lm)))
                        .collect(),
                    credit: (credit.iter().zip(&lm.columns))
                        .map(|(&k, col)| units.row_price(k, units.column(col.name)))
                        .collect(),
                }
            }
        }
    }
}
