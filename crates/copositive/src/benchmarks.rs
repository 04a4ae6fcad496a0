//! The benchmark tariffs of the paper and one more: TOU, LP-relaxation pricing, IP pricing.

use crate::{Pricing, Result, SolveStatus, Tariff};
use evmech_milp_model::{solve_lp, Units};
use serde::{Deserialize, Serialize};

/// A benchmark tariff with the status of the solve that produced its prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// `tou`, `lp` or `ip`.
    pub name: &'static str,
    /// The tariff.
    pub tariff: Tariff,
    /// Status of the LP solve behind the prices (`Solved` for TOU, which needs none).
    pub status: SolveStatus,
}

/// Time-of-use: users pay the operator's energy price per kWh, nothing for access or congestion.
pub fn tou(pricing: &Pricing) -> Benchmark {
    Benchmark {
        name: "tou",
        tariff: Tariff::Linear {
            rho: vec![0.0; pricing.prices.len()],
            credit: vec![0.0; pricing.model.model().columns.len()],
        },
        status: SolveStatus::Optimal,
    }
}

/// LP-relaxation pricing: binaries relaxed to `[0, 1]`, coupling rows priced at their LP duals,
/// no quadratic part.
pub fn lp_relaxation(pricing: &Pricing) -> Result<Benchmark> {
    let lp = pricing.model.solve_lp_relaxation()?;
    let rho = pricing
        .prices
        .iter()
        .map(|p| lp.solution.row_duals[p.model_row].max(0.0))
        .collect();
    Ok(Benchmark {
        name: "lp",
        tariff: Tariff::Linear {
            rho,
            credit: vec![0.0; pricing.model.model().columns.len()],
        },
        status: lp.solution.status,
    })
}

/// IP pricing (O'Neill et al. 2005): binaries fixed at the optimum, coupling rows priced at the
/// duals of that LP, and each binary activity charged the dual `delta_j` of its fixing row.
///
/// By partial Lagrangian duality of the fixed LP, `x*_n` maximises
/// `w'x - rho'u(x) - delta'z` over the user's own (relaxed, hence also binary) set, so IP prices
/// support the optimum; the charges are user-specific and can be negative (credits). The duals of
/// an EV's binaries are defined only up to a common shift against its assignment row, which
/// changes every option's charge equally; they are normalised so that opting out costs nothing.
///
/// The LP is solved in the instance's normalising units (`Units::normalizing` of
/// `evmech-milp-model`) and its prices and credits converted back to USD.
pub fn ip_pricing(pricing: &Pricing) -> Result<Benchmark> {
    let units = Units::normalizing(pricing.model.instance());
    let scaled = pricing.in_units(&units);
    let mut bench = ip_pricing_as_given(&scaled)?;
    bench.tariff = bench.tariff.in_units(&scaled, &units.inverse());
    Ok(bench)
}

/// [`ip_pricing`] in the pricing's own units.
fn ip_pricing_as_given(pricing: &Pricing) -> Result<Benchmark> {
    let lm = pricing.model.model();
    let fixes: Vec<(usize, f64)> = lm
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.binary)
        .map(|(j, _)| (j, pricing.plan.x[j]))
        .collect();
    let fixed = lm.with_fixed(&fixes);
    let sol = solve_lp(&fixed)?;
    let rho = pricing
        .prices
        .iter()
        .map(|p| sol.row_duals[p.model_row].max(0.0))
        .collect();
    let delta = |k: usize| sol.row_duals[lm.rows.len() + k];
    let mut credit = vec![0.0; lm.columns.len()];
    for (k, &(j, _)) in fixes.iter().enumerate() {
        let ev = lm.columns[j].name.ev();
        let opt_out = pricing.model.opt_out_column(ev);
        let k0 = fixes
            .iter()
            .position(|&(c, _)| c == opt_out)
            .expect("opt-out is binary");
        credit[j] = -(delta(k) - delta(k0));
    }
    Ok(Benchmark {
        name: "ip",
        tariff: Tariff::Linear { rho, credit },
        status: sol.status,
    })
}
