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
//!   [`LinearModel`] (named columns and rows), solved as a MILP
//!   ([`StationAccessModel::solve_milp`], time limit, gap and threads in [`SolverSettings`]) or
//!   relaxed and solved with row duals ([`StationAccessModel::solve_lp_relaxation`]);
//!   [`brute_force_optimum`] enumerates station assignments as a test oracle;
//!   [`random_instance`] draws seeded random instances.
//! - [`Units`]: money and energy units; [`Instance::normalized`] states an instance in the units
//!   where its numbers are of order one (rounded to 32 significant bits), which is what every
//!   solve of the station-access model is given, so that no input magnitude meets a solver's
//!   absolute tolerances and a change of the input's units changes no decision.
//! - [`charging`]: the V2B charging model (an LP with a concave charging-power cap, or a MILP
//!   with the literal curve), written once for the Oracle, MPC, Monte-Carlo MPC and CONSENT.
//! - One solver layer: every model is solved as a [`SparseLp`] (`min c'x` with column and row
//!   bounds, some columns integer) by a backend ([`LpBackend`]: HiGHS, CBC, or Clarabel for LPs) under
//!   one [`SolverSettings`], giving one [`Solution`] (primal values, and row duals and reduced
//!   costs where the backend has them) with one [`SolveStatus`] for LP, MILP and conic solves
//!   alike. Every backend status is mapped without loss: a reduced-accuracy point and a time- or
//!   gap-limited MILP incumbent are reported as such, never as optimal; infeasible, unbounded
//!   and failed solves are [`Error`]s. `solve_cbc` (feature `cbc`) remains for models written
//!   with good_lp.

//! ## Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `highs` | yes | [`LpBackend::Highs`]: HiGHS built from source (cmake, a C++ compiler, libclang), no system solver library, no lock between threads |
//! | `cbc` | no | [`LpBackend::Cbc`] and `solve_cbc`: the system's CBC (Debian: `coinor-libcbc-dev`), one process-wide lock |
//! | `vendored-lapack` | yes | the LAPACK/BLAS of Clarabel's SDP cones: reference LAPACK and BLAS compiled from source (cmake, gfortran) and linked statically with the Fortran runtime, so the binary links no system LAPACK, BLAS or `libgfortran` |
//! | `system-lapack` | no | the system's `liblapack` and `libblas` instead (Debian: `liblapack-dev`, `libblas-dev`, or OpenBLAS behind the same names); wins when both are on |
//!
//! Clarabel (pure Rust) is always there; its SDP cones need one of the two LAPACK features, and a
//! build with neither does not compile either. A build without a MILP backend (neither `highs` nor
//! `cbc`) does not compile, and says which feature to enable. A backend that the build lacks is
//! refused at run time with [`Error::InvalidSetting`] naming the feature.
//!
//! ## Example
//!
//! ```
//! use evmech_milp_model::{LpBackend, SolveStatus, SparseLp};
//!
//! // Pick at most one of two items (a tiny knapsack): the better one, worth 5.
//! let mut lp = SparseLp::default();
//! let a = lp.add_binary(-3.0); // the model minimises: values enter negated
//! let b = lp.add_binary(-5.0);
//! lp.add_row(f64::NEG_INFINITY, 1.0, &[(a, 1.0), (b, 1.0)]);
//! let solution = lp.solve(LpBackend::default())?;
//! assert_eq!(solution.status, SolveStatus::Optimal);
//! assert!((solution.x[b] - 1.0).abs() < 1e-9);
//! assert!((solution.objective + 5.0).abs() < 1e-9);
//! # Ok::<_, evmech_milp_model::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(clippy::float_cmp)]

#[cfg(not(any(feature = "highs", feature = "cbc")))]
compile_error!(
    "evmech-milp-model needs a MILP backend: enable the `highs` feature (the default: HiGHS built \
     from source) or `cbc` (the system's CBC, Debian package coinor-libcbc-dev)"
);

#[cfg(not(any(feature = "vendored-lapack", feature = "system-lapack")))]
compile_error!(
    "evmech-milp-model needs a LAPACK/BLAS for Clarabel's SDP cones: enable `vendored-lapack` (the \
     default: reference LAPACK built from source, needs cmake and gfortran) or `system-lapack` \
     (the system's liblapack and libblas, Debian packages liblapack-dev and libblas-dev)"
);

// Links the statically built reference LAPACK/BLAS (nothing of the crate is called by name).
#[cfg(all(feature = "vendored-lapack", not(feature = "system-lapack")))]
extern crate netlib_src as _;

mod brute_force;
#[cfg(feature = "cbc")]
mod cbc;
#[cfg(feature = "cbc")]
mod cbc_backend;
pub mod charging;
mod clarabel_backend;
pub mod conic;
mod error;
#[cfg(feature = "highs")]
mod highs_backend;
mod instance;
mod kept_lp;
mod linear;
mod lp;
mod milp;
mod random;
mod settings;
mod sparse_lp;
mod station_access;
mod status;
mod units;

pub use brute_force::{brute_force_optimum, ENUMERATION_LIMIT};
#[cfg(feature = "cbc")]
#[cfg_attr(docsrs, doc(cfg(feature = "cbc")))]
pub use cbc::solve_cbc;
pub use error::{Error, Result};
pub use instance::{limits, EvRequest, EvSpec, Instance, InstanceSpec, Station};
pub use kept_lp::KeptLp;
pub use linear::{Column, LinearModel, Row, RowName, Sense, VarName};
pub use lp::{solve_lp, LpSolution};
pub use milp::{solve_milp, solve_milp_with, MilpSolution};
pub use random::{random_instance, random_instance_with_evse, RandomSize};
pub use settings::{CbcSettings, SolverSettings};
pub use sparse_lp::{LpBackend, ModelSize, Solution, SparseLp};
pub use station_access::{
    Delivery, LpRelaxation, MilpPlan, Plan, StationAccessModel, StationAccessOptions,
};
pub use status::SolveStatus;
pub use units::Units;
