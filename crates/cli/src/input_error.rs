//! Errors of the command-line tool, each with its exit code.

use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a command failed.
#[derive(Debug, Error)]
pub enum InputError {
    /// The input file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The input is not valid JSON or does not fit the schema.
    #[error("{path}: {field}: {message}")]
    Field {
        /// The file.
        path: PathBuf,
        /// JSON path of the offending field (`evs[1].rt_values.A`).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The mechanism refused the (validated) input.
    #[error("{0}")]
    Mechanism(#[from] evmech_mechanisms::Error),
    /// V2B data or a simulation failed.
    #[error("{0}")]
    V2b(#[from] evmech_v2b_control::Error),
    /// An output file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Pricing failed (a solver status other than solved or inaccurate, an oversized lift ...).
    #[error("{0}")]
    Pricing(#[from] evmech_copositive::Error),
}

impl InputError {
    /// Process exit code: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            InputError::Read { .. } | InputError::Field { .. } => 2,
            InputError::V2b(e) => match e {
                evmech_v2b_control::Error::Csv { .. }
                | evmech_v2b_control::Error::Read { .. }
                | evmech_v2b_control::Error::File { .. }
                | evmech_v2b_control::Error::InvalidField { .. }
                | evmech_v2b_control::Error::InvalidParameter { .. } => 2,
                _ => 1,
            },
            InputError::Mechanism(_) | InputError::Pricing(_) | InputError::Write { .. } => 1,
        }
    }
}

impl InputError {
    /// A bad field of the input file at `path`.
    pub fn field(path: &Path, field: String, message: String) -> Self {
        InputError::Field {
            path: path.to_owned(),
            field,
            message,
        }
    }
}

/// Reads and deserialises a JSON input file; schema errors name the JSON path of the field.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| InputError::field(path, e.path().to_string(), e.into_inner().to_string()))
}
