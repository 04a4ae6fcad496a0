//! The error type of this crate.

use thiserror::Error;

/// Why loading or validating V2B data failed.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A CSV file has a bad header, row or field; `line` is 1-based (the header is line 1).
    #[error("{file}:{line}: {field}: {reason}")]
    Csv {
        /// File name (or a description of the source).
        file: String,
        /// 1-based line number.
        line: usize,
        /// Column name.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A JSON data file (ACN-Data API sessions, a tariff, an openv2b scenario file) has a bad
    /// field; `field` is its path in the file (`_items[3].connectionTime`).
    #[error("{file}: {field}: {reason}")]
    File {
        /// File name (or a description of the source).
        file: String,
        /// Path of the field in the file.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be opened or read.
    #[error("cannot read {file}: {reason}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        reason: String,
    },
    /// An input field is invalid; `field` is its path (`chargers[2].max_charge_kw`).
    #[error("{field}: {reason}")]
    InvalidField {
        /// Path of the field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter is out of range.
    #[error("invalid parameter `{field}`: {reason}")]
    InvalidParameter {
        /// Parameter name.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A policy's optimisation failed (infeasible, unbounded or a solver failure).
    #[error("policy {policy}: the charging model failed: {source}")]
    Solver {
        /// The policy.
        policy: String,
        /// The model's error.
        #[source]
        source: evmech_milp_model::Error,
    },
    /// A policy's solve returned only a reduced-accuracy point.
    #[error("policy {policy}: the solver returned a reduced-accuracy point")]
    InaccurateSolve {
        /// The policy.
        policy: String,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
