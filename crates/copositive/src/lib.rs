//! # evmech-copositive
//!
//! Prices for EV charging and station access from the copositive dual of the station-access MILP
//! (Jiang, Zhou, Taylor, Alizadeh, *Pricing EV Charging and Station Access via Copositive
//! Duality*). See `docs/copositive.md` for the model, the lift, the proofs and the choices made.
//!
//! - [`Lift`]: the lifted, homogenised completely positive program (full Burer lift, or the
//!   reduced lift with RLT products), after the exact reductions of [`reduce`] (redundant
//!   coupling rows, connected components).
//! - [`price`]: MILP optimum (CBC), then per component the copositive dual over the PSD + NN inner
//!   cone (a Clarabel SDP on the PSD triangle cone) with a small price regularisation that makes
//!   the price choice unique and reproducible, and the certificate (smallest eigenvalue of `P`, smallest entry of `N`, gap, signs,
//!   complementary slackness).
//! - [`InnerCone::SparsePsdNn`] with [`LiftKind::Sparse`]: PSD + NN on the cliques of a chordal
//!   extension of the data's sparsity pattern ([`chordal`]), which Clarabel decomposes into one
//!   small PSD block per clique: valid (a subset of PSD + NN), looser, and one to two orders of
//!   magnitude faster on larger sites.
//! - [`InnerCone::Linear`]: LP duality over the linear lift ([`LiftKind::Linear`], plus rows
//!   implied at every integer point), the face of the inner cone that linear multipliers reach:
//!   one simplex solve per region of a branching, so 20-EV sites are priced exactly in seconds
//!   (prices linear in each region). [`Tightening::Auto`] uses it for a component too large for a
//!   PSD + NN block ([`ComponentReport::cone`]).
//! - [`PricingOptions::time_limit_s`]: the best certified prices within a wall-clock budget, with
//!   [`Pricing::stopped_by`] saying why the run stopped.
//! - [`InnerCone::Polyhedral`]: the de Klerk-Pasechnik `C^1` inner cone as an LP, for lifts too
//!   large for the SDP (weaker; the gap shows by how much); [`InnerCone::K1`]: Parrilo's `K^1`
//!   (tighter than PSD + NN, small lifts only).
//! - [`Tightening::Auto`] (the default): where the PSD + NN bound is loose, branch on the EVs'
//!   station choices and price each region ([`PriceRegion`], [`Pricing::prices_for`]) until the
//!   gap is closed or the [`BranchBudget`] is spent. [`Pricing::exact`],
//!   [`Pricing::epsilon_ir`] and each component's [`Method`] say what was achieved; a loose bound
//!   is never reported as exact.
//! - [`SolveStatus`] (the one status type of `evmech-milp-model`): every Clarabel status mapped;
//!   `AlmostSolved` is [`SolveStatus::Inaccurate`], never folded into success, and an
//!   infeasibility certificate at reduced accuracy is never read as "no plan".
//!
//! The crate links BLAS/LAPACK from the system (Debian's `liblapack-dev`/`libblas-dev`, pulled in
//! by `coinor-libcbc-dev`; `libopenblas-dev` makes them faster): see its `build.rs`.
//!
//! ## Example
//!
//! ```
//! use evmech_copositive::{price, PricingOptions};
//! use evmech_milp_model::Instance;
//!
//! // Example A of `docs/copositive.md`: two EVs want the one plug at station A.
//! let json = r#"{"slot_hours": 1.0, "energy_price": [0.1, 0.1],
//!   "stations": [{"id": "A", "evse": 1, "power_kw": 14}, {"id": "B", "evse": 1, "power_kw": 14}],
//!   "evs": [{"id": "ev0", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": 7, "max_kw": 7,
//!            "value_per_kwh": 0.6, "access_cost": {"A": 0, "B": 0.5}},
//!           {"id": "ev1", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": 7, "max_kw": 7,
//!            "value_per_kwh": 0.5, "access_cost": {"A": 0, "B": 0.3}}]}"#;
//! let instance: Instance = serde_json::from_str(json).unwrap();
//! let pricing = price(&instance, &PricingOptions::default())?;
//! assert!((pricing.welfare - 6.0).abs() < 1e-6);
//! assert!(pricing.gap.abs() < 1e-4); // the doubly-nonnegative bound is tight here
//! assert!(pricing.exact && pricing.regions.is_empty()); // so no branching was needed
//! # Ok::<_, evmech_copositive::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::float_cmp)]

mod benchmarks;
mod best_response;
mod branch;
pub mod chordal;
mod component;
mod conic;
mod error;
mod hot;
mod k1;
mod lift;
mod linear;
mod mechanism;
mod polyhedral;
mod pricing;
pub mod reduce;
mod repair;
mod sdp;
mod sym;
mod tariff;
mod units;

pub use benchmarks::{ip_pricing, lp_relaxation, tou, Benchmark};
pub use best_response::{best_response, best_responses, BestResponse};
pub use branch::{BranchBudget, Choice};
pub use conic::{ConeSettings, DualSolution, Regularization};
pub use error::{Error, Result};
pub use evmech_milp_model::SolveStatus;
pub use k1::{k1_min_linear, solve_k1};
pub use lift::{Coord, Lift, LiftKind, LiftedConstraint, LiftedKind};
pub use mechanism::{ChargingPlan, CopositiveMechanism, PaymentRule, Site};
pub use polyhedral::{c1_inequalities, c1_min_slack, solve_c1};
pub use pricing::{
    price, Certificate, ComponentReport, CouplingPrice, CouplingRows, InnerCone, Method,
    PriceRegion, Pricing, PricingOptions, RegionPrice, StoppedBy, Tightening,
};
pub use sdp::{aggregate_pattern, solve_psd_nn, solve_sparse_psd_nn, sparse_support};
pub use sym::{svec_index, svec_len, svec_positions, SymSparse};
pub use tariff::{h, Tariff};
