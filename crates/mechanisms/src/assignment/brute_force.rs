//! Enumeration of all assignments: the test oracle for tiny instances.

use crate::{Error, Result, ValueMatrix};

/// Largest number of agents or items the oracle enumerates.
pub const BRUTE_FORCE_LIMIT: usize = 8;

/// The optimal welfare by enumerating every feasible assignment (each agent takes nothing or an
/// unused item), for at most [`BRUTE_FORCE_LIMIT`] agents and items. Optionally one agent and/or
/// one item are left out, which gives the `W*(N \ {i}, K \ {k})` terms of VCG payments directly.
pub fn brute_force_welfare(
    values: &ValueMatrix,
    skip_agent: Option<usize>,
    skip_item: Option<usize>,
) -> Result<f64> {
    let (n, m) = (values.n_agents(), values.n_items());
    if n > BRUTE_FORCE_LIMIT || m > BRUTE_FORCE_LIMIT {
        return Err(Error::TooLargeForBruteForce {
            agents: n,
            items: m,
            limit: BRUTE_FORCE_LIMIT,
        });
    }
    let taken = skip_item.map_or(0u32, |k| 1 << k);
    Ok(best(values, 0, taken, skip_agent))
}

fn best(values: &ValueMatrix, agent: usize, taken: u32, skip: Option<usize>) -> f64 {
    if agent == values.n_agents() {
        return 0.0;
    }
    let mut result = best(values, agent + 1, taken, skip);
    if Some(agent) == skip {
        return result;
    }
    for k in 0..values.n_items() {
        if taken & (1 << k) == 0 {
            let with = values.get(agent, k) + best(values, agent + 1, taken | (1 << k), skip);
            result = result.max(with);
        }
    }
    result
}
