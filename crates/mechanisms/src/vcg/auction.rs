//! The day-ahead VCG auction as a `Mechanism`, and the reserve prices it hands to real time.

use super::payments::vcg_payments;
use crate::assignment::{self, max_walrasian_prices, min_walrasian_prices};
use crate::{Error, Mechanism, Outcome, Result, Valuation, ValueMatrix};
use serde::{Deserialize, Serialize};

/// Which per-session reserve prices the day-ahead auction hands to the real-time market.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReserveRule {
    /// The minimum Walrasian prices: a reserved session is priced at its holder's VCG payment,
    /// an unreserved one at 0 (the default).
    #[default]
    Vcg,
    /// The maximum Walrasian prices `W*(N, K) - W*(N, K \ {k})`.
    MaxWalrasian,
    /// All reserve prices 0.
    Zero,
}

/// Everything the day-ahead VCG auction computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VcgResult {
    /// Reserved session of each agent (`None` = no reservation).
    pub allocation: Vec<Option<usize>>,
    /// Clarke-pivot payment of each agent (`>= 0`).
    pub payments: Vec<f64>,
    /// Welfare of the allocation under the reported values.
    pub welfare: f64,
    /// Minimum Walrasian price of each session (= the holder's VCG payment; 0 if unsold).
    pub min_walrasian_prices: Vec<f64>,
    /// Maximum Walrasian price of each session (0 if unsold).
    pub max_walrasian_prices: Vec<f64>,
}

impl VcgResult {
    /// Runs the auction on a value matrix (agents x sessions).
    pub fn compute(values: &ValueMatrix) -> Self {
        let a = assignment::solve(values);
        let payments = vcg_payments(values, &a);
        VcgResult {
            min_walrasian_prices: min_walrasian_prices(values, &a),
            max_walrasian_prices: max_walrasian_prices(values, &a),
            allocation: a.item_of().to_vec(),
            payments,
            welfare: a.welfare(),
        }
    }

    /// The reserve prices for the real-time market under `rule`.
    pub fn reserve_prices(&self, rule: ReserveRule) -> Vec<f64> {
        match rule {
            ReserveRule::Vcg => self.min_walrasian_prices.clone(),
            ReserveRule::MaxWalrasian => self.max_walrasian_prices.clone(),
            ReserveRule::Zero => vec![0.0; self.min_walrasian_prices.len()],
        }
    }
}

/// The day-ahead VCG auction for unit-demand reservations of unit-supply sessions.
///
/// Reports are valuation vectors (one entry per session). DSIC, efficient for the reports,
/// individually rational, revenue `>= 0`.
///
/// # Example
/// ```
/// use evmech_mechanisms::{vcg::DayAheadVcg, Mechanism, Valuation};
/// let auction = DayAheadVcg::new(2);
/// let bids = [vec![6.0, 3.0], vec![4.0, 1.0], vec![2.0, 2.0]]
///     .into_iter()
///     .map(Valuation::new)
///     .collect::<Result<Vec<_>, _>>()?;
/// let outcome = auction.run(&bids)?;
/// assert_eq!(outcome.allocation(), &[Some(0), None, Some(1)]);
/// assert_eq!(outcome.payments(), &[4.0, 0.0, 1.0]);
/// # Ok::<_, evmech_mechanisms::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayAheadVcg {
    n_sessions: usize,
}

impl DayAheadVcg {
    /// An auction over `n_sessions` sessions.
    pub fn new(n_sessions: usize) -> Self {
        DayAheadVcg { n_sessions }
    }

    /// Number of sessions on sale.
    pub fn n_sessions(&self) -> usize {
        self.n_sessions
    }

    /// Runs the auction and returns everything it computes (prices included).
    pub fn run_detailed(&self, reports: &[Valuation]) -> Result<VcgResult> {
        let values = ValueMatrix::from_valuations(self.n_sessions, reports)?;
        Ok(VcgResult::compute(&values))
    }
}

impl Mechanism for DayAheadVcg {
    type Report = Valuation;
    type Allocation = Option<usize>;
    type Error = Error;

    fn name(&self) -> &str {
        "da-vcg"
    }

    fn run(&self, reports: &[Valuation]) -> Result<Outcome<Option<usize>>> {
        let r = self.run_detailed(reports)?;
        Outcome::new(r.allocation, r.payments)
    }
}
