//! # evmech-milp-model
//!
//! The EV-charging domain model of evmech and the optimisation models written on it.
//!
//! This crate knows physics and tariffs and how to write them as optimisation models, but nothing
//! about who pays what (that lives in `evmech-mechanisms`, `evmech-copositive` and
//! `evmech-v2b-control`).
//!
//! ## What it holds today
//!
//! - [`SolveStatus`] and [`Error`]: the exhaustive, lossless mapping of the MILP backend's outcomes
//!   (good_lp with the CBC backend). A time-limited or gap-limited solve is a *feasible, not proven
//!   optimal* answer and is reported as such; infeasible, unbounded and failed solves are errors.
//! - [`solve_cbc`]: solves a good_lp model with CBC under explicit [`CbcSettings`] (time limit,
//!   relative gap, threads) and returns the solution together with its status.
//!
//! ## What it will hold (see the station-access and V2B issues)
//!
//! - Typed, validated domain data: time grid, energy prices per slot, stations (EVSE count, power
//!   cap), EV requests (window, energy, max rate, value per kWh, access cost per station).
//! - The station-access MILP, its LP relaxation with row duals, and a brute-force enumerator over
//!   station assignments used as a test oracle.
//! - The V2B charging model (exact LP form for concave piecewise-linear charging curves, MILP form
//!   otherwise), written once as constraint families shared by the Oracle, MPC and MC-MPC.
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

mod cbc;
mod error;
mod status;

pub use cbc::{solve_cbc, CbcSettings};
pub use error::{Error, Result};
pub use status::SolveStatus;
