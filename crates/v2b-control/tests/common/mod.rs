//! What several test files share.

use evmech_v2b_control::policy::{
    ChargingPolicy, Edf, Llf, MaxCharge, McMpc, McMpcOptions, Oracle, OracleMode, ReqCharge,
};

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
