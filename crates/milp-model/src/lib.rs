//! # evmech-milp-model
//!
//! The EV-charging domain model of evmech and the optimisation models written on it.
//!
//! This crate knows physics and tariffs and how to write them as optimisation models, but nothing
//! about who pays what (that lives in `evmech-mechanisms`, `evmech-copositive` and
//! `evmech-v2b-control`).
//!
//! ## What it holds
//!
//! - [`Instance`]: the station-access domain (time grid, energy prices per slot, stations with EVSE
//!   count and power cap, EV requests with window, energy, rate, value and access costs), validated
//!   on construction with errors that name the field; serde JSON in the CLI's format.
//! - [`StationAccessModel`]: the station-access MILP of the copositive-pricing paper as a typed
//!   [`LinearModel`] (named columns and rows), solved with CBC ([`StationAccessModel::solve_milp`],
//!   time limit and gap in [`CbcSettings`]) or relaxed and solved with Clarabel with row duals
//!   ([`StationAccessModel::solve_lp_relaxation`]); [`brute_force_optimum`] enumerates station
//!   assignments as a test oracle; [`random_instance`] draws seeded random instances.
//! - Exhaustive status mapping: [`SolveStatus`] for CBC, [`ConicStatus`] for Clarabel. A
//!   time-limited or gap-limited MILP solve and a reduced-accuracy conic solve are reported as
//!   such; infeasible, unbounded and failed solves are [`Error`]s.
//!
//! ## What it will hold (see the V2B issue)
//!
//! The V2B charging model (exact LP form for concave piecewise-linear charging curves, MILP form
//! otherwise), written once as constraint families shared by the Oracle, MPC and MC-MPC.
//!
//! ## Example
//!
//! ```
//! use evmech_milp_model::{solve_cbc, CbcSettings, SolveStatus};
//! use good_lp::{variable, variables, Solution, SolverModel};
//!
//! // Pick at most one of two items (a tiny knapsack): the better one, worth 5.
//! let mut vars = variables!();
//! let a = vars.add(variable().binary());
//! let b = vars.add(variable().binary());
//! let model = vars.maximise(3 * a + 5 * b);
//! let (solution, status) = solve_cbc(model, &CbcSettings::default(), |m| m.with(a + b << 1))?;
//! assert_eq!(status, SolveStatus::Optimal);
//! assert!((solution.value(b) - 1.0).abs() < 1e-9);
//! # Ok::<_, evmech_milp_model::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::float_cmp)]

mod brute_force;
mod cbc;
pub mod charging;
mod conic_status;
mod error;
mod instance;
mod linear;
mod lp;
mod milp;
mod random;
mod sparse_lp;
mod station_access;
mod status;

pub use brute_force::{brute_force_optimum, ENUMERATION_LIMIT};
pub use cbc::{solve_cbc, CbcSettings};
pub use conic_status::ConicStatus;
pub use error::{Error, Result};
pub use instance::{EvRequest, EvSpec, Instance, InstanceSpec, Station};
pub use linear::{Column, LinearModel, Row, RowName, Sense, VarName};
pub use lp::{solve_lp, LpSolution};
pub use milp::{solve_milp, MilpSolution};
pub use random::{random_instance, RandomSize};
pub use sparse_lp::{LpBackend, LpPoint, LpQuality, ModelSize, SparseLp};
pub use station_access::{
    Delivery, LpRelaxation, MilpPlan, Plan, StationAccessModel, StationAccessOptions,
};
pub use status::SolveStatus;
