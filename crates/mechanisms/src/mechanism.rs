//! The `Mechanism` trait and the outcome every mechanism returns.

use crate::{Error, QuasiLinear, Result};
use serde::{Deserialize, Serialize};

/// A direct mechanism: reports in, allocation and payments out.
///
/// The trait is deliberately narrow (one required computation, [`Mechanism::run`]); utilities,
/// revenue and the normative properties are computed on the returned [`Outcome`] by the
/// [`properties`](crate::properties) checkers, so every mechanism is checked by the same code.
///
/// A mechanism's configuration (endowments, posted prices, arrival order ...) lives in the
/// implementing value and is validated when that value is built; [`Mechanism::run`] validates
/// only the reports.
pub trait Mechanism {
    /// What one agent reports (a valuation vector, a charging request ...).
    type Report;
    /// What one agent receives (a session, a charging plan ...).
    type Allocation;
    /// Why a run can fail (invalid reports, a solver that did not converge ...).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Short stable name, used in reports and benchmarks.
    fn name(&self) -> &str;

    /// Runs the mechanism on all reports (agent `i` reported `reports[i]`). Payments are per
    /// agent; positive means the agent pays the operator.
    fn run(
        &self,
        reports: &[Self::Report],
    ) -> std::result::Result<Outcome<Self::Allocation>, Self::Error>;
}

/// Allocation and payment of every agent, in report order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome<A> {
    allocation: Vec<A>,
    payments: Vec<f64>,
}

impl<A> Outcome<A> {
    /// An outcome; `allocation` and `payments` must have one entry per agent and payments must be
    /// finite.
    pub fn new(allocation: Vec<A>, payments: Vec<f64>) -> Result<Self> {
        if allocation.len() != payments.len() {
            return Err(Error::DimensionMismatch {
                what: "payments (one per allocated agent)",
                expected: allocation.len(),
                found: payments.len(),
            });
        }
        if let Some((agent, &p)) = payments.iter().enumerate().find(|(_, p)| !p.is_finite()) {
            return Err(Error::InvalidParameter {
                field: "payments",
                reason: format!("payment of agent {agent} is not finite ({p})"),
            });
        }
        Ok(Outcome {
            allocation,
            payments,
        })
    }

    /// Number of agents.
    pub fn len(&self) -> usize {
        self.payments.len()
    }

    /// Whether there are no agents.
    pub fn is_empty(&self) -> bool {
        self.payments.is_empty()
    }

    /// What each agent receives.
    pub fn allocation(&self) -> &[A] {
        &self.allocation
    }

    /// What each agent pays (negative = the agent is paid).
    pub fn payments(&self) -> &[f64] {
        &self.payments
    }

    /// The operator's revenue, the sum of payments.
    pub fn revenue(&self) -> f64 {
        self.payments.iter().sum()
    }

    /// Quasi-linear utility of agent `agent` whose true type is `true_type`.
    ///
    /// # Panics
    /// If `agent >= self.len()`.
    pub fn utility<T: QuasiLinear<A> + ?Sized>(&self, agent: usize, true_type: &T) -> f64 {
        true_type.value(&self.allocation[agent]) - self.payments[agent]
    }

    /// Social welfare under the given true types: the sum of values (payments cancel out between
    /// agents and operator).
    pub fn welfare<T: QuasiLinear<A>>(&self, types: &[T]) -> f64 {
        self.allocation
            .iter()
            .zip(types)
            .map(|(a, t)| t.value(a))
            .sum()
    }

    /// Splits the outcome into its allocation and payments.
    pub fn into_parts(self) -> (Vec<A>, Vec<f64>) {
        (self.allocation, self.payments)
    }
}
