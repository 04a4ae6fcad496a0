//! Valuations of unit-demand agents over unit-supply items.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A quasi-linear agent: utility is `value(allocation) - payment`.
///
/// Implemented by the true types handed to the property checkers; the same trait serves every
/// mechanism, whatever its allocation type.
pub trait QuasiLinear<A> {
    /// Value of receiving `allocation`.
    fn value(&self, allocation: &A) -> f64;

    /// Utility of receiving `allocation` and paying `payment`.
    fn utility(&self, allocation: &A, payment: f64) -> f64 {
        self.value(allocation) - payment
    }
}

/// One agent's value for each item; receiving no item is worth 0.
///
/// Entries are finite and non-negative (checked by [`Valuation::new`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<f64>", into = "Vec<f64>")]
pub struct Valuation(Vec<f64>);

impl Valuation {
    /// A validated valuation.
    pub fn new(values: Vec<f64>) -> Result<Self> {
        check_values(0, &values)?;
        Ok(Valuation(values))
    }

    /// A valuation of `n_items` zeros (an agent that wants nothing).
    pub fn zeros(n_items: usize) -> Self {
        Valuation(vec![0.0; n_items])
    }

    /// Value of each item.
    pub fn values(&self) -> &[f64] {
        &self.0
    }

    /// Number of items valued.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no item is valued.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Value of `item`; an item beyond the vector is worth 0 (as a missing entry in JSON input).
    pub fn of(&self, item: Option<usize>) -> f64 {
        item.and_then(|k| self.0.get(k).copied()).unwrap_or(0.0)
    }
}

impl TryFrom<Vec<f64>> for Valuation {
    type Error = Error;
    fn try_from(values: Vec<f64>) -> Result<Self> {
        Valuation::new(values)
    }
}

impl From<Valuation> for Vec<f64> {
    fn from(v: Valuation) -> Self {
        v.0
    }
}

impl QuasiLinear<Option<usize>> for Valuation {
    fn value(&self, allocation: &Option<usize>) -> f64 {
        self.of(*allocation)
    }
}

fn check_values(agent: usize, values: &[f64]) -> Result<()> {
    for (item, &value) in values.iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFiniteValue { agent, item, value });
        }
        if value < 0.0 {
            return Err(Error::NegativeValue { agent, item, value });
        }
    }
    Ok(())
}

/// Dense `agents x items` value matrix (row-major), the input of the assignment solver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueMatrix {
    n_agents: usize,
    n_items: usize,
    data: Vec<f64>,
}

impl ValueMatrix {
    /// A validated matrix from row-major data of length `n_agents * n_items`.
    pub fn new(n_agents: usize, n_items: usize, data: Vec<f64>) -> Result<Self> {
        let expected = n_agents
            .checked_mul(n_items)
            .ok_or(Error::InvalidParameter {
                field: "n_agents * n_items",
                reason: "overflows usize".into(),
            })?;
        if data.len() != expected {
            return Err(Error::DimensionMismatch {
                what: "value matrix entries",
                expected,
                found: data.len(),
            });
        }
        if n_items > 0 {
            for (agent, row) in data.chunks(n_items).enumerate() {
                check_values(agent, row)?;
            }
        }
        Ok(ValueMatrix {
            n_agents,
            n_items,
            data,
        })
    }

    /// A matrix from one valuation per agent, each of length `n_items`.
    pub fn from_valuations(n_items: usize, valuations: &[Valuation]) -> Result<Self> {
        let mut data = Vec::with_capacity(valuations.len() * n_items);
        for v in valuations {
            if v.len() != n_items {
                return Err(Error::DimensionMismatch {
                    what: "valuation entries (one per item)",
                    expected: n_items,
                    found: v.len(),
                });
            }
            data.extend_from_slice(v.values());
        }
        Ok(ValueMatrix {
            n_agents: valuations.len(),
            n_items,
            data,
        })
    }

    /// A matrix from rows (convenient in tests and examples); all rows need the same length.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self> {
        let n_items = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * n_items);
        for r in rows {
            let r = r.as_ref();
            if r.len() != n_items {
                return Err(Error::DimensionMismatch {
                    what: "row length of value matrix",
                    expected: n_items,
                    found: r.len(),
                });
            }
            data.extend_from_slice(r);
        }
        ValueMatrix::new(rows.len(), n_items, data)
    }

    /// Number of agents (rows).
    pub fn n_agents(&self) -> usize {
        self.n_agents
    }

    /// Number of items (columns).
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// Value of `agent` for `item`.
    ///
    /// # Panics
    /// If either index is out of range.
    pub fn get(&self, agent: usize, item: usize) -> f64 {
        assert!(item < self.n_items, "item {item} out of range");
        self.data[agent * self.n_items + item]
    }

    /// Value of `agent` for an optional item (no item is worth 0).
    pub fn value_of(&self, agent: usize, item: Option<usize>) -> f64 {
        item.map_or(0.0, |k| self.get(agent, k))
    }

    /// The values of one agent.
    pub fn row(&self, agent: usize) -> &[f64] {
        &self.data[agent * self.n_items..(agent + 1) * self.n_items]
    }

    /// Welfare `sum_i v_i(x_i)` of an allocation (one optional item per agent).
    pub fn welfare(&self, allocation: &[Option<usize>]) -> f64 {
        allocation
            .iter()
            .enumerate()
            .map(|(i, &k)| self.value_of(i, k))
            .sum()
    }

    /// The sub-matrix without the listed agent and item (each optional); also returns the map from
    /// new row/column indices to the old ones.
    pub fn without(
        &self,
        agent: Option<usize>,
        item: Option<usize>,
    ) -> (ValueMatrix, Vec<usize>, Vec<usize>) {
        let rows: Vec<usize> = (0..self.n_agents).filter(|&i| Some(i) != agent).collect();
        let cols: Vec<usize> = (0..self.n_items).filter(|&k| Some(k) != item).collect();
        let mut data = Vec::with_capacity(rows.len() * cols.len());
        for &i in &rows {
            let row = self.row(i);
            data.extend(cols.iter().map(|&k| row[k]));
        }
        let sub = ValueMatrix {
            n_agents: rows.len(),
            n_items: cols.len(),
            data,
        };
        (sub, rows, cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_name_agent_and_item() {
        assert_eq!(
            ValueMatrix::from_rows(&[[1.0, 2.0], [3.0, -1.0]]),
            Err(Error::NegativeValue {
                agent: 1,
                item: 1,
                value: -1.0
            })
        );
        assert!(matches!(
            Valuation::new(vec![f64::INFINITY]),
            Err(Error::NonFiniteValue { item: 0, .. })
        ));
        assert!(ValueMatrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_err());
    }

    #[test]
    fn without_drops_a_row_and_a_column() {
        let v = ValueMatrix::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).unwrap();
        let (sub, rows, cols) = v.without(Some(0), Some(1));
        assert_eq!(rows, vec![1]);
        assert_eq!(cols, vec![0, 2]);
        assert_eq!(sub.row(0), &[4.0, 6.0]);
    }

    #[test]
    fn valuation_round_trips_through_json_and_refuses_bad_entries() {
        let v: Valuation = serde_json::from_str("[1.0, 2.5]").unwrap();
        assert_eq!(v.values(), &[1.0, 2.5]);
        assert_eq!(serde_json::to_string(&v).unwrap(), "[1.0,2.5]");
        assert!(serde_json::from_str::<Valuation>("[-1.0]").is_err());
    }
}
