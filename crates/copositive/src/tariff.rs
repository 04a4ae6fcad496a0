//! Payment rules: CMP-A, CMP-B and linear tariffs (TOU, LP and IP pricing).

use crate::{CouplingPrice, Pricing};
use evmech_milp_model::VarName;
use serde::{Deserialize, Serialize};

/// How a user is charged for a plan `x_n` (other users held at the optimum `x*`).
///
/// With `u_k(x_n)` the user's usage of coupling row `k`, `D_k = u_k(x_n) - u_k(x*_n)`, and
/// `kappa_n' x_n` its energy cost at the operator's prices:
///
/// - CMP-A: `kappa' x + sum_k rho_k u_k(x) + sum_k eta_k D_k^2`;
/// - CMP-B: `kappa' x + Phi(x) - Phi(0)` with `Phi(x) = sum_k h_k(D_k - s*_k)` and
///   `h_k(L) = min_{r >= L} rho_k r + eta_k r^2` (opting out is free);
/// - on a branched component ([`Pricing::regions`]) both use the prices of the region the plan
///   lies in: CMP-A becomes `kappa' x + sum_k rho*_k u_k(x*_n) + sum_k (rho_k D_k + eta_k D_k^2)`
///   (the charge at the optimum plus the change at the region's prices; the same formula when
///   the region is the optimum's), CMP-B evaluates each `Phi` in its plan's region;
/// - linear: `kappa' x + sum_k rho_k u_k(x) - sum_j credit_j x_j` (TOU: no `rho`, no credit;
///   LP-relaxation pricing: LP duals; IP pricing: duals with binaries fixed, plus the duals of the
///   fixing rows as credits on the binaries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum Tariff {
    /// Marginal price plus congestion surcharge.
    CmpA,
    /// Opt-out anchored (recommended: strong IR including opting out).
    CmpB,
    /// A linear tariff.
    Linear {
        /// Price of each coupling row, in the order of [`Pricing::prices`].
        rho: Vec<f64>,
        /// Credit paid per unit of each model column (length = number of columns).
        credit: Vec<f64>,
    },
}

/// `h(L) = min_{r >= L} rho r + eta r^2` in closed form (`rho, eta >= 0`).
pub fn h(rho: f64, eta: f64, lower: f64) -> f64 {
    if eta > 0.0 {
        let r = lower.max(-rho / (2.0 * eta));
        rho * r + eta * r * r
    } else {
        rho * lower
    }
}

impl Pricing {
    /// Columns of EV `ev` in the model.
    pub fn columns_of(&self, ev: usize) -> Vec<usize> {
        let cols = &self.model.model().columns;
        (0..cols.len())
            .filter(|&j| cols[j].name.ev() == ev)
            .collect()
    }

    /// Usage `u_k` of every coupling row by EV `ev` at the full point `x`.
    pub fn usage(&self, ev: usize, x: &[f64]) -> Vec<f64> {
        let lm = self.model.model();
        self.prices
            .iter()
            .map(|p| {
                lm.rows[p.model_row]
                    .terms
                    .iter()
                    .filter(|&&(j, _)| lm.columns[j].name.ev() == ev)
                    .map(|&(j, a)| a * x[j])
                    .sum()
            })
            .collect()
    }

    /// Energy cost `kappa_n' x_n` of EV `ev` at the operator's prices, $.
    pub fn energy_cost(&self, ev: usize, x: &[f64]) -> f64 {
        let inst = self.model.instance();
        self.columns_of(ev)
            .into_iter()
            .map(|j| match self.model.model().columns[j].name {
                VarName::Energy { slot, .. } => inst.energy_price_usd_per_kwh()[slot] * x[j],
                _ => 0.0,
            })
            .sum()
    }

    /// The EV owner's value `u_n(x_n)` = energy value minus access cost, $.
    pub fn value(&self, ev: usize, x: &[f64]) -> f64 {
        let cols = self.columns_of(ev);
        let w: f64 = cols
            .iter()
            .map(|&j| self.model.model().objective[j] * x[j])
            .sum();
        w + self.energy_cost(ev, x)
    }

    /// The station EV `ev` uses in the full point `x` (`None` = opted out).
    pub fn choice_of(&self, ev: usize, x: &[f64]) -> Option<usize> {
        let lm = self.model.model();
        self.columns_of(ev)
            .into_iter()
            .find_map(|j| match lm.columns[j].name {
                VarName::Serve { station, .. } if x[j] > 0.5 => Some(station),
                _ => None,
            })
    }

    /// The prices EV `ev` faces when it makes `choice` (the others at the optimum): the prices
    /// of the region of its component that holds that choice, [`Pricing::prices`] when its
    /// component was not branched or the choice is the optimal one.
    pub fn prices_for(&self, ev: usize, choice: Option<usize>) -> Vec<CouplingPrice> {
        let mut prices = self.prices.clone();
        let Some(component) = self.components.iter().position(|c| c.evs.contains(&ev)) else {
            return prices;
        };
        let region = self.regions.iter().find(|r| {
            r.component == component
                && crate::branch::region_contains(
                    (&r.choices, &r.excluded),
                    &self.plan.assignment,
                    Some((ev, choice)),
                )
        });
        if let Some(region) = region {
            for p in &region.prices {
                prices[p.index].rho = p.rho;
                prices[p.index].eta = p.eta;
            }
        }
        prices
    }

    /// `Phi_n(x) = sum_k h_k(D_k(x) - s*_k)` over the rows EV `ev` can use, at the prices of the
    /// region of `x` ([`Pricing::prices_for`]).
    pub fn phi(&self, ev: usize, x: &[f64]) -> f64 {
        let prices = self.prices_for(ev, self.choice_of(ev, x));
        let now = self.usage(ev, x);
        let opt = self.usage(ev, &self.plan.x);
        let touched = self.touched_rows(ev);
        touched
            .into_iter()
            .map(|k| {
                let p = &prices[k];
                h(p.rho, p.eta, now[k] - opt[k] - p.slack)
            })
            .sum()
    }

    /// Indices (into [`Pricing::prices`]) of the coupling rows with a term of EV `ev`.
    pub fn touched_rows(&self, ev: usize) -> Vec<usize> {
        let lm = self.model.model();
        (0..self.prices.len())
            .filter(|&k| {
                lm.rows[self.prices[k].model_row]
                    .terms
                    .iter()
                    .any(|&(j, _)| lm.columns[j].name.ev() == ev)
            })
            .collect()
    }

    /// The point `x*` with EV `ev` opted out.
    pub fn opted_out(&self, ev: usize) -> Vec<f64> {
        let mut x = self.plan.x.clone();
        for j in self.columns_of(ev) {
            x[j] = match self.model.model().columns[j].name {
                VarName::OptOut { .. } => 1.0,
                _ => 0.0,
            };
        }
        x
    }

    /// What EV `ev` pays under `tariff` for the plan it has in the full point `x`.
    pub fn payment(&self, tariff: &Tariff, ev: usize, x: &[f64]) -> f64 {
        let kappa = self.energy_cost(ev, x);
        match tariff {
            Tariff::CmpA => {
                let now = self.usage(ev, x);
                let opt = self.usage(ev, &self.plan.x);
                let region = self.prices_for(ev, self.choice_of(ev, x));
                let at_optimum: f64 = self.prices.iter().zip(&opt).map(|(p, u)| p.rho * u).sum();
                let change: f64 = region
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        let d = now[k] - opt[k];
                        p.rho * d + p.eta * d * d
                    })
                    .sum();
                kappa + at_optimum + change
            }
            Tariff::CmpB => kappa + self.phi(ev, x) - self.phi(ev, &self.opted_out(ev)),
            Tariff::Linear { rho, credit } => {
                let now = self.usage(ev, x);
                let credits: f64 = self.columns_of(ev).iter().map(|&j| credit[j] * x[j]).sum();
                kappa + rho.iter().zip(&now).map(|(r, u)| r * u).sum::<f64>() - credits
            }
        }
    }

    /// Net utility `u_n(x_n) - P_n(x_n)` of EV `ev`.
    pub fn net_utility(&self, tariff: &Tariff, ev: usize, x: &[f64]) -> f64 {
        self.value(ev, x) - self.payment(tariff, ev, x)
    }

    /// Operator surplus at the optimum: payments minus energy cost.
    pub fn operator_surplus(&self, tariff: &Tariff) -> f64 {
        (0..self.model.instance().evs().len())
            .map(|n| self.payment(tariff, n, &self.plan.x) - self.energy_cost(n, &self.plan.x))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::h;

    #[test]
    fn h_is_the_constrained_minimum() {
        // Brute force over a fine grid of r >= L.
        for &(rho, eta, l) in &[
            (1.0, 0.5, -3.0),
            (1.0, 0.5, 0.5),
            (0.0, 2.0, -1.0),
            (2.0, 0.0, 1.5),
        ] {
            let grid = (0..200_000).map(|i| l + f64::from(i) * 1e-4);
            let best = grid
                .map(|r| rho * r + eta * r * r)
                .fold(f64::INFINITY, f64::min);
            assert!((h(rho, eta, l) - best).abs() < 1e-6, "{rho} {eta} {l}");
        }
    }
}
