//! Dominant-strategy incentive compatibility over a supplied set of misreports.

use super::Verdict;
use crate::{Mechanism, QuasiLinear};
use serde::{Deserialize, Serialize};

/// One unilateral misreport: agent `agent` reports `report` instead of its truthful report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deviation<R> {
    /// The deviating agent.
    pub agent: usize,
    /// Its misreport.
    pub report: R,
}

/// Witness of an incentive check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviationWitness {
    /// Index of the deviation in the supplied list.
    pub deviation: usize,
    /// The deviating agent.
    pub agent: usize,
    /// Its utility when truthful.
    pub truthful_utility: f64,
    /// Its utility when misreporting.
    pub deviating_utility: f64,
}

/// Checks that no supplied misreport raises its agent's true utility at the profile `truthful`.
///
/// Dominance over the others' reports is checked by calling this at many profiles (the property
/// tests do). Slack of a deviation = truthful utility - deviating utility.
///
/// # Errors
/// The mechanism's error on the truthful profile or on any deviation.
///
/// # Panics
/// If a deviation names an agent outside the profile, or `types` is shorter than `truthful`.
pub fn incentive_compatibility<M, T>(
    mechanism: &M,
    types: &[T],
    truthful: &[M::Report],
    deviations: &[Deviation<M::Report>],
) -> Result<Verdict<DeviationWitness>, M::Error>
where
    M: Mechanism,
    M::Report: Clone,
    T: QuasiLinear<M::Allocation>,
{
    let base = mechanism.run(truthful)?;
    let mut verdict = Verdict::empty();
    let mut profile = truthful.to_vec();
    for (d, dev) in deviations.iter().enumerate() {
        let agent = dev.agent;
        profile[agent] = dev.report.clone();
        let outcome = mechanism.run(&profile);
        profile[agent] = truthful[agent].clone();
        let outcome = outcome?;
        let truthful_utility = base.utility(agent, &types[agent]);
        let deviating_utility = outcome.utility(agent, &types[agent]);
        verdict.record(
            truthful_utility - deviating_utility,
            truthful_utility.abs().max(deviating_utility.abs()),
            || DeviationWitness {
                deviation: d,
                agent,
                truthful_utility,
                deviating_utility,
            },
        );
    }
    Ok(verdict)
}
