//! Individual rationality and reservation awareness.

use super::Verdict;
use crate::{Error, Outcome, QuasiLinear, Result};
use serde::{Deserialize, Serialize};

/// Witness of a participation check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentWitness {
    /// The agent.
    pub agent: usize,
    /// Its utility in the outcome.
    pub utility: f64,
    /// Its outside option (0 for IR, the value of its endowment for reservation awareness).
    pub outside: f64,
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected != found {
        return Err(Error::DimensionMismatch {
            what,
            expected,
            found,
        });
    }
    Ok(())
}

fn participation<A, T: QuasiLinear<A>>(
    outcome: &Outcome<A>,
    types: &[T],
    outside: impl Fn(usize) -> f64,
) -> Result<Verdict<AgentWitness>> {
    check_len("true types (one per agent)", outcome.len(), types.len())?;
    let mut v = Verdict::empty();
    for (agent, t) in types.iter().enumerate() {
        let utility = outcome.utility(agent, t);
        let out = outside(agent);
        v.record(utility - out, utility.abs().max(out.abs()), || {
            AgentWitness {
                agent,
                utility,
                outside: out,
            }
        });
    }
    Ok(v)
}

/// Individual rationality: every agent's utility is `>= 0` under its true type.
pub fn individual_rationality<A, T: QuasiLinear<A>>(
    outcome: &Outcome<A>,
    types: &[T],
) -> Result<Verdict<AgentWitness>> {
    participation(outcome, types, |_| 0.0)
}

/// Reservation awareness: every agent's utility in the outcome is at least the value of keeping
/// its endowment, `v_i(x_i) - p_i >= v_i(e_i)` (IR relative to the endowment). `outcome` holds
/// the payments of the market being checked (for the two-stage market: the real-time payments).
pub fn reservation_awareness<A, T: QuasiLinear<A>>(
    outcome: &Outcome<A>,
    types: &[T],
    endowments: &[A],
) -> Result<Verdict<AgentWitness>> {
    check_len(
        "endowments (one per agent)",
        outcome.len(),
        endowments.len(),
    )?;
    participation(outcome, types, |i| types[i].value(&endowments[i]))
}
