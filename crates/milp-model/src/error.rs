//! The error type of this crate.

use crate::SolveStatus;
use thiserror::Error;

/// Why validating, building or solving a model failed.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An input field is invalid; `field` is its path (`evs[1].departure_slot`).
    #[error("{field}: {reason}")]
    InvalidField {
        /// Path of the field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The model has no feasible point. `rows` names, as `family[index]`, the rows (and column
    /// bounds) of a Farkas certificate of the LP relaxation, largest multiplier first (at most
    /// ten): the constraints that cannot hold together. It is empty when the relaxation is
    /// feasible (integrality alone excludes every point) or the model was not a [`crate::SparseLp`].
    #[error("the model is infeasible{}", certificate_text(rows))]
    Infeasible {
        /// Certificate rows, `family[index]`.
        rows: Vec<String>,
    },
    /// A backend found no point but could not say whether the model is infeasible or unbounded.
    /// [`crate::SparseLp`] resolves it before returning, so callers of its solves never see it.
    #[error("the model is infeasible or unbounded")]
    InfeasibleOrUnbounded,
    /// The objective is unbounded over the feasible set.
    #[error("the model is unbounded")]
    Unbounded,
    /// A solve stopped without a usable point (a limit before any point, numerical trouble, an
    /// interruption, or an infeasibility or unboundedness certificate at reduced accuracy).
    #[error("the {backend} backend stopped with status {status:?}")]
    SolverStopped {
        /// Which backend stopped (`"cbc"`, `"clarabel"`).
        backend: &'static str,
        /// The mapped status.
        status: SolveStatus,
    },
    /// The backend failed for another reason; `message` is the backend's own text.
    #[error("the {backend} backend failed: {message}")]
    SolverFailed {
        /// Which backend failed (`"cbc"`, `"clarabel"`).
        backend: &'static str,
        /// The backend's message.
        message: String,
    },
    /// A setting is out of its documented range.
    #[error("invalid setting `{field}`: {reason}")]
    InvalidSetting {
        /// The setting's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

fn certificate_text(rows: &[String]) -> String {
    if rows.is_empty() {
        String::new()
    } else {
        format!(" (certificate: {})", rows.join(", "))
    }
}

impl Error {
    /// An infeasibility with its certificate rows (see [`Error::Infeasible`]).
    pub fn infeasible(rows: Vec<String>) -> Self {
        Error::Infeasible { rows }
    }

    /// Maps good_lp's resolution error of the given backend, keeping every case distinct.
    pub fn from_resolution(backend: &'static str, err: good_lp::ResolutionError) -> Self {
        match err {
            good_lp::ResolutionError::Infeasible => Error::infeasible(Vec::new()),
            good_lp::ResolutionError::Unbounded => Error::Unbounded,
            good_lp::ResolutionError::Other(message) => Error::SolverFailed {
                backend,
                message: message.to_owned(),
            },
            good_lp::ResolutionError::Str(message) => Error::SolverFailed { backend, message },
        }
    }
}
