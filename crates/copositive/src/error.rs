//! The error type of this crate.

use crate::SolveStatus;
use thiserror::Error;

/// Why pricing failed.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The MILP side failed (infeasible input, CBC failure ...).
    #[error(transparent)]
    Model(#[from] evmech_milp_model::Error),
    /// The outcome could not be assembled (a non-finite payment).
    #[error(transparent)]
    Outcome(#[from] evmech_mechanisms::Error),
    /// Clarabel refused the problem data or settings.
    #[error("conic solver setup failed: {0}")]
    SolverSetup(String),
    /// The conic solve ended without a usable dual (infeasible, iteration or time limit ...).
    #[error("the conic solver stopped with status {status:?}")]
    Solver {
        /// The mapped status.
        status: SolveStatus,
    },
    /// No certified bound for a component within [`PricingOptions::time_limit_s`](crate::PricingOptions::time_limit_s).
    #[error("no certified bound for component {component} within the time limit of {seconds} s")]
    TimeLimit {
        /// Index of the component (in the order of `Pricing::components`).
        component: usize,
        /// The time limit, seconds.
        seconds: f64,
    },
    /// An option is outside its range.
    #[error("{field}: {reason}")]
    InvalidOption {
        /// The option's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The lifted problem is larger than the configured limit (`PricingOptions::max_n1`).
    #[error("a component's largest PSD block has order {n1}, above the limit {limit}")]
    TooLarge {
        /// Order of the largest PSD block (the lifted order `n1` under a dense cone).
        n1: usize,
        /// The limit.
        limit: usize,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
