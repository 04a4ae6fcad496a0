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
    /// The lifted problem is larger than the configured limit.
    #[error("a component lifts to n1 = {n1}, above the limit {limit}")]
    TooLarge {
        /// Lifted order.
        n1: usize,
        /// The limit.
        limit: usize,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
