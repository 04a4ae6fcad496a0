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
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
