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
    /// The command line is wrong (an unknown flag, a missing argument, a bad value): clap's
    /// message, naming the flag.
    #[error("{0}")]
    Usage(String),
}

impl InputError {
    /// Process exit code: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            InputError::Read { .. } | InputError::Field { .. } | InputError::Usage(_) => 2,
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
///
/// The file must hold exactly one JSON value (anything after it is refused, so two documents
/// pasted into one file are not silently read as the first) and no object may repeat a key
/// (JSON leaves duplicates undefined; serde would keep the last one without a word). Both checks
/// are linear in the file's size.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, InputError> {
    read(path, true)
}

/// [`read_json`] for a type whose deserialisation refuses repeated keys itself (structs derived
/// by serde, maps read by a visitor that checks): skips the separate pass over every key, which
/// costs a quarter of reading a large two-stage file.
pub fn read_json_typed<T: DeserializeOwned>(path: &Path) -> Result<T, InputError> {
    read(path, false)
}

/// [`read_json`] of a document already in memory; `label` names it in errors (`<input>`).
pub fn parse_json<T: DeserializeOwned>(label: &Path, text: &str) -> Result<T, InputError> {
    parse(label, text, true)
}

/// [`read_json_typed`] of a document already in memory; `label` names it in errors.
pub fn parse_json_typed<T: DeserializeOwned>(label: &Path, text: &str) -> Result<T, InputError> {
    parse(label, text, false)
}

fn read<T: DeserializeOwned>(path: &Path, check_keys: bool) -> Result<T, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text, check_keys)
}

fn parse<T: DeserializeOwned>(path: &Path, text: &str, check_keys: bool) -> Result<T, InputError> {
    // The fast path parses without tracking where it is; only a file that fails is parsed again
    // with the path tracked, to name the field (the tracking costs more than the parse).
    let keys_ok = !check_keys || serde_json::from_str::<UniqueKeys>(text).is_ok();
    match serde_json::from_str::<T>(text) {
        Ok(value) if keys_ok => Ok(value),
        _ => Err(locate_error::<T>(path, text, check_keys)),
    }
}

/// The first error in `text` (a repeated key, a schema error or trailing content), named by
/// its JSON path.
fn locate_error<T: DeserializeOwned>(path: &Path, text: &str, check_keys: bool) -> InputError {
    let located = |e: serde_path_to_error::Error<serde_json::Error>| {
        InputError::field(path, e.path().to_string(), e.into_inner().to_string())
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let keys = if check_keys {
        serde_path_to_error::deserialize::<_, UniqueKeys>(&mut de).map(|_| ())
    } else {
        serde_path_to_error::deserialize::<_, serde::de::IgnoredAny>(&mut de).map(|_| ())
    };
    if let Err(e) = keys {
        return located(e);
    }
    if let Err(e) = de.end() {
        return InputError::field(
            path,
            ".".into(),
            format!("{e}: the file must hold one JSON value and nothing after it"),
        );
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => located(e),
        // Not reached: the fast path failed on the same text.
        Ok(_) => InputError::field(path, ".".into(), "cannot be read".into()),
    }
}

/// An object key, borrowed from the input where it can be.
struct Key<'a>(std::borrow::Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, read only to check that no object in it repeats a key.
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        // Keys are borrowed from the text when they hold no escapes: no allocation per key.
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0;
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key \"{key}\" appears twice in one object"
                )));
            }
            map.next_value::<UniqueKeys>()?;
            seen.insert(key);
        }
        Ok(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
}
