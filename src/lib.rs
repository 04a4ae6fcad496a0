#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

/// Mechanism-design core: the `Mechanism` trait, property checkers, assignment, VCG, the
/// two-stage reservation market (re-export of `evmech-mechanisms`).
pub use evmech_mechanisms as mechanisms;

/// EV-charging domain model and optimisation models (re-export of `evmech-milp-model`).
pub use evmech_milp_model as milp_model;

/// Copositive-duality pricing (re-export of `evmech-copositive`).
pub use evmech_copositive as copositive;

/// Vehicle-to-building control and CONSENT negotiation (re-export of `evmech-v2b-control`).
pub use evmech_v2b_control as v2b_control;

/// Experiments on the V2B library: policy comparisons, the CONSENT tables, CSV and SVG output
/// (re-export of `evmech-lab`).
pub use evmech_lab as lab;
