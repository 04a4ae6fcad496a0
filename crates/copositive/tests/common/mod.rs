//! What the copositive integration tests share: the example instances and the tolerance.

use evmech_milp_model::Instance;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

/// An instance of `examples/data/`.
pub fn load(name: &str) -> Instance {
    let path = format!("{}/../../examples/data/{name}", manifest_dir());
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The exactness tolerance `1e-4 max(1, |W*|)`.
#[allow(dead_code)] // not every test binary that shares this module uses it
pub fn tol(w: f64) -> f64 {
    1e-4 * w.abs().max(1.0)
}

/// Largest deviation gain over users under CMP-A and CMP-B, and both operator surpluses.
#[allow(dead_code)] // not every test binary that shares this module uses it
pub fn guarantees(p: &evmech_copositive::Pricing) -> (f64, f64, f64) {
    use evmech_copositive::{best_responses, Tariff};
    let gain = |t: &Tariff| {
        best_responses(p, t)
            .unwrap()
            .iter()
            .map(|b| b.gain)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    (
        gain(&Tariff::CmpA).max(gain(&Tariff::CmpB)),
        p.operator_surplus(&Tariff::CmpA),
        p.operator_surplus(&Tariff::CmpB),
    )
}
