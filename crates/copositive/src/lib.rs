//! # evmech-copositive
//!
//! Prices for EV charging and station access from the copositive dual of the station-access MILP
//! (Jiang, Zhou, Taylor, Alizadeh, *Pricing EV Charging and Station Access via Copositive Duality*).
//!
//! ## What it holds today
//!
//! - [`SolveStatus`] (the `ConicStatus` of `evmech-milp-model`): the exhaustive mapping of every
//!   Clarabel [`clarabel::solver::SolverStatus`]. Clarabel's `AlmostSolved` becomes
//!   [`SolveStatus::Inaccurate`], which is never folded into success: prices read from an
//!   inaccurate dual stay visibly inaccurate.
//!
//! ## What it will hold (see the copositive-pricing issues)
//!
//! - The lifted equality form and the homogenised completely positive program (full Burer lift and
//!   the reduced lift with RLT products), connected-component decomposition, redundancy removal.
//! - Inner approximations of the copositive cone (PSD + NN as a Clarabel SDP on the PSD triangle
//!   cone; polyhedral cones as LPs), marginal and congestion prices per coupling row, a canonical
//!   price choice, certificates, and the CMP-A / CMP-B payment rules as `Mechanism`s.
//! - Benchmarks against time-of-use, LP-relaxation and IP (O'Neill et al.) pricing.
//!
//! The crate links BLAS/LAPACK from the system (Debian's `liblapack-dev`/`libblas-dev`, pulled in
//! by `coinor-libcbc-dev`; `libopenblas-dev` makes them faster): see its `build.rs`.
//!
//! ## Example
//!
//! ```
//! use evmech_copositive::SolveStatus;
//! use clarabel::solver::SolverStatus;
//!
//! assert_eq!(SolveStatus::from(SolverStatus::AlmostSolved), SolveStatus::Inaccurate);
//! assert!(!SolveStatus::Inaccurate.is_solved());
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::float_cmp)]

pub use evmech_milp_model::ConicStatus as SolveStatus;
