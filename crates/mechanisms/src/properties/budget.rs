//! Budget balance.

use super::Verdict;
use crate::Outcome;
use serde::{Deserialize, Serialize};

/// Witness of a budget check: the revenue and the payments it sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revenue {
    /// Sum of payments.
    pub revenue: f64,
    /// The payments.
    pub payments: Vec<f64>,
}

fn scale(payments: &[f64]) -> f64 {
    payments.iter().map(|p| p.abs()).sum()
}

/// Weak budget balance: the operator never pays out, revenue `>= 0`. Slack = revenue.
pub fn weak_budget_balance<A>(outcome: &Outcome<A>) -> Verdict<Revenue> {
    let mut v = Verdict::empty();
    let revenue = outcome.revenue();
    v.record(revenue, scale(outcome.payments()), || Revenue {
        revenue,
        payments: outcome.payments().to_vec(),
    });
    v
}

/// Strong budget balance: revenue `= 0`. Slack = `-|revenue|`.
pub fn strong_budget_balance<A>(outcome: &Outcome<A>) -> Verdict<Revenue> {
    let mut v = Verdict::empty();
    let revenue = outcome.revenue();
    v.record(-revenue.abs(), scale(outcome.payments()), || Revenue {
        revenue,
        payments: outcome.payments().to_vec(),
    });
    v
}
