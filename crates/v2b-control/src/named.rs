//! Parsing the kebab-case names of small closed sets (policies, table rows, profiles).

use crate::{Error, Result};

/// The entry of `all` whose `name` is `text`; otherwise an [`Error::InvalidParameter`] on
/// `field` that lists the names (how every closed set of names in evmech is parsed).
pub fn by_name<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    field: &'static str,
    text: &str,
) -> Result<T> {
    all.iter()
        .copied()
        .find(|&k| name(k) == text)
        .ok_or_else(|| Error::InvalidParameter {
            field,
            reason: format!(
                "unknown {field} entry {text:?}; known: {}",
                all.iter().map(|&k| name(k)).collect::<Vec<_>>().join(", ")
            ),
        })
}
