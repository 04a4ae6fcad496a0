//! Generic checkers of the normative properties, usable with any [`Mechanism`](crate::Mechanism).
//!
//! Each checker returns a [`Verdict`]: the worst slack found (negative = violated) and the
//! witness where it was found, never just a bool, so a failing test prints its counterexample.
//!
//! | property | checker | slack per agent / profile |
//! |---|---|---|
//! | dominant-strategy IC (over supplied misreports) | [`incentive_compatibility`] | `u_i(truth) - u_i(misreport)` |
//! | individual rationality | [`individual_rationality`] | `u_i` |
//! | reservation awareness | [`reservation_awareness`] | `u_i - v_i(e_i)` |
//! | weak budget balance | [`weak_budget_balance`] | revenue |
//! | strong budget balance | [`strong_budget_balance`] | `-abs(revenue)` |
//! | revenue | [`Outcome::revenue`](crate::Outcome::revenue) | |

mod budget;
mod incentives;
mod participation;

pub use budget::{strong_budget_balance, weak_budget_balance, Revenue};
pub use incentives::{incentive_compatibility, Deviation, DeviationWitness};
pub use participation::{individual_rationality, reservation_awareness, AgentWitness};

use crate::Tolerance;
use serde::{Deserialize, Serialize};

/// Outcome of a property check: the worst slack and where it occurred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict<W> {
    /// Smallest slack over everything checked (`+inf` when nothing was checked).
    pub worst_slack: f64,
    /// Magnitude of the quantities compared at the worst place (for the relative tolerance).
    pub scale: f64,
    /// Where the worst slack occurred.
    pub witness: Option<W>,
    /// How many constraints were checked.
    pub checked: usize,
}

impl<W> Verdict<W> {
    pub(crate) fn empty() -> Self {
        Verdict {
            worst_slack: f64::INFINITY,
            scale: 0.0,
            witness: None,
            checked: 0,
        }
    }

    pub(crate) fn record(&mut self, slack: f64, scale: f64, witness: impl FnOnce() -> W) {
        self.checked += 1;
        if slack < self.worst_slack {
            self.worst_slack = slack;
            self.scale = scale;
            self.witness = Some(witness());
        }
    }

    /// Whether the property holds: `worst_slack >= -(abs + rel * scale)`.
    pub fn holds(&self, tol: Tolerance) -> bool {
        self.worst_slack >= -(tol.abs + tol.rel * self.scale)
    }

    /// The size of the worst violation (0 when the property holds exactly).
    pub fn violation(&self) -> f64 {
        (-self.worst_slack).max(0.0)
    }
}
