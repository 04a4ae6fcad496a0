//! What several test files share. Each test file compiles its own copy and uses only some of
//! it, hence `allow(dead_code)`.
#![allow(dead_code)]

use evmech_v2b_control::policy::{
    ChargingPolicy, Edf, Llf, MaxCharge, McMpc, McMpcOptions, Oracle, OracleMode, ReqCharge,
};
use evmech_v2b_control::{Scenario, SyntheticConfig};

/// Three synthetic weekdays of May 2019 (seed 7): a small episode with arrivals every day.
pub fn three_synthetic_days() -> Scenario {
    SyntheticConfig {
        days: Some(3),
        seed: 7,
        ..SyntheticConfig::default()
    }
    .generate()
    .unwrap()
}

/// One of each charging policy (MC-MPC with 3 futures, both Oracles), for tests that every
/// policy serves an episode and the Oracle bounds them all.
pub fn every_policy() -> Vec<Box<dyn ChargingPolicy>> {
    vec![
        Box::new(MaxCharge),
        Box::new(ReqCharge),
        Box::new(Edf),
        Box::new(Llf::default()),
        Box::new(McMpc::deterministic(1)),
        Box::new(McMpc::new(McMpcOptions {
            scenarios: 3,
            seed: 1,
            ..McMpcOptions::default()
        })),
        Box::new(Oracle::new(OracleMode::Daily)),
        Box::new(Oracle::new(OracleMode::Monthly)),
    ]
}

/// The cheapest Oracle's building cost is at most every policy's: `costs` holds each policy's
/// name and cost.
pub fn assert_the_oracle_bounds(costs: &[(String, f64)]) {
    let best = costs
        .iter()
        .filter(|(policy, _)| policy.starts_with("oracle"))
        .map(|&(_, cost)| cost)
        .fold(f64::INFINITY, f64::min);
    assert!(best.is_finite(), "no Oracle among {costs:?}");
    for (policy, cost) in costs {
        assert!(best <= cost + 1e-6, "oracle {best} > {policy} {cost}");
    }
}
