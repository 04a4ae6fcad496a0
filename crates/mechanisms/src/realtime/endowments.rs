//! Validated endowments, orders and price vectors shared by the real-time mechanisms.

use crate::{Error, Result, Valuation};
use serde::{Deserialize, Serialize};

/// The reservation each agent holds entering the real-time market (`None` = none), validated:
/// every item index is in range and no item is held twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endowments {
    n_items: usize,
    holdings: Vec<Option<usize>>,
}

impl Endowments {
    /// Validated endowments over `n_items` items, one entry per agent.
    pub fn new(n_items: usize, holdings: Vec<Option<usize>>) -> Result<Self> {
        let mut holder = vec![None; n_items];
        for (agent, item) in holdings.iter().enumerate() {
            if let Some(k) = *item {
                if k >= n_items {
                    return Err(Error::UnknownItem {
                        what: "endowment",
                        item: k,
                        n_items,
                    });
                }
                if let Some(first) = holder[k] {
                    return Err(Error::DuplicateEndowment {
                        item: k,
                        first,
                        second: agent,
                    });
                }
                holder[k] = Some(agent);
            }
        }
        Ok(Endowments { n_items, holdings })
    }

    /// No agent holds anything.
    pub fn none(n_agents: usize, n_items: usize) -> Self {
        Endowments {
            n_items,
            holdings: vec![None; n_agents],
        }
    }

    /// Number of agents.
    pub fn n_agents(&self) -> usize {
        self.holdings.len()
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// The holding of each agent.
    pub fn holdings(&self) -> &[Option<usize>] {
        &self.holdings
    }

    /// The holder of each item.
    pub fn holders(&self) -> Vec<Option<usize>> {
        let mut holder = vec![None; self.n_items];
        for (agent, item) in self.holdings.iter().enumerate() {
            if let Some(k) = *item {
                holder[k] = Some(agent);
            }
        }
        holder
    }

    pub(crate) fn check_agents(&self, n_reports: usize) -> Result<()> {
        if n_reports != self.holdings.len() {
            return Err(Error::DimensionMismatch {
                what: "reports (one per endowed agent)",
                expected: self.holdings.len(),
                found: n_reports,
            });
        }
        Ok(())
    }

    /// Checks one report per agent, each valuing every item.
    pub(crate) fn check_reports(&self, reports: &[Valuation]) -> Result<()> {
        self.check_agents(reports.len())?;
        match reports.iter().find(|r| r.len() != self.n_items) {
            Some(r) => Err(Error::DimensionMismatch {
                what: "valuation entries (one per session)",
                expected: self.n_items,
                found: r.len(),
            }),
            None => Ok(()),
        }
    }
}

/// Checks that `order` is a permutation of `0..n_agents`.
pub fn check_order(order: &[usize], n_agents: usize) -> Result<()> {
    let fail = |reason: String| Error::InvalidOrder { n_agents, reason };
    if order.len() != n_agents {
        return Err(fail(format!("it has {} entries", order.len())));
    }
    let mut seen = vec![false; n_agents];
    for &i in order {
        if i >= n_agents {
            return Err(fail(format!("agent {i} does not exist")));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(fail(format!("agent {i} appears twice")));
        }
    }
    Ok(())
}

/// Checks a price vector: one finite, non-negative price per item.
pub fn check_prices(what: &'static str, prices: &[f64], n_items: usize) -> Result<()> {
    if prices.len() != n_items {
        return Err(Error::DimensionMismatch {
            what,
            expected: n_items,
            found: prices.len(),
        });
    }
    match prices
        .iter()
        .enumerate()
        .find(|(_, p)| !(p.is_finite() && **p >= 0.0))
    {
        Some((item, &value)) => Err(Error::InvalidPrice { what, item, value }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endowments_refuse_duplicates_and_unknown_items() {
        assert_eq!(
            Endowments::new(2, vec![Some(1), Some(1)]),
            Err(Error::DuplicateEndowment {
                item: 1,
                first: 0,
                second: 1
            })
        );
        assert!(matches!(
            Endowments::new(2, vec![Some(2)]),
            Err(Error::UnknownItem { item: 2, .. })
        ));
        let e = Endowments::new(3, vec![None, Some(2)]).unwrap();
        assert_eq!(e.holders(), vec![None, None, Some(1)]);
    }

    #[test]
    fn orders_must_be_permutations() {
        assert!(check_order(&[1, 0, 2], 3).is_ok());
        assert!(check_order(&[1, 1, 2], 3).is_err());
        assert!(check_order(&[0, 1], 3).is_err());
        assert!(check_order(&[0, 3, 1], 3).is_err());
    }

    #[test]
    fn prices_must_be_finite_and_non_negative() {
        assert!(check_prices("reserve", &[0.0, 2.0], 2).is_ok());
        assert!(matches!(
            check_prices("reserve", &[0.0, -2.0], 2),
            Err(Error::InvalidPrice { item: 1, .. })
        ));
        assert!(check_prices("reserve", &[0.0], 2).is_err());
    }
}
