//! The error type of this crate.

use thiserror::Error;

/// Why a mechanism, a solver or a validation refused its input.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A valuation entry is NaN or infinite.
    #[error("value of agent {agent} for item {item} is not finite ({value})")]
    NonFiniteValue {
        /// Agent index.
        agent: usize,
        /// Item index.
        item: usize,
        /// The offending value.
        value: f64,
    },
    /// A valuation entry is negative (values are for getting an item; nothing is worth 0).
    #[error("value of agent {agent} for item {item} is negative ({value})")]
    NegativeValue {
        /// Agent index.
        agent: usize,
        /// Item index.
        item: usize,
        /// The offending value.
        value: f64,
    },
    /// Two collections that must have the same length do not.
    #[error("{what}: expected {expected} entries, found {found}")]
    DimensionMismatch {
        /// What was measured.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// An item index is out of range.
    #[error("{what} names item {item}, but there are only {n_items} items")]
    UnknownItem {
        /// Where the index appeared.
        what: &'static str,
        /// The index.
        item: usize,
        /// Number of items.
        n_items: usize,
    },
    /// Two agents hold the same item as an endowment.
    #[error("item {item} is the endowment of both agent {first} and agent {second}")]
    DuplicateEndowment {
        /// The item.
        item: usize,
        /// First holder.
        first: usize,
        /// Second holder.
        second: usize,
    },
    /// An arrival or priority order is not a permutation of the agents.
    #[error("order is not a permutation of 0..{n_agents}: {reason}")]
    InvalidOrder {
        /// Number of agents.
        n_agents: usize,
        /// What is wrong (a repeated or out-of-range agent, or a wrong length).
        reason: String,
    },
    /// A price is negative or not finite.
    #[error("{what} of item {item} is {value}; prices must be finite and non-negative")]
    InvalidPrice {
        /// Which price vector.
        what: &'static str,
        /// Item index.
        item: usize,
        /// The offending value.
        value: f64,
    },
    /// A tolerance part is negative or not finite.
    #[error("tolerance `{field}` must be finite and non-negative, got {value}")]
    InvalidTolerance {
        /// `abs` or `rel`.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A configuration parameter is out of range.
    #[error("invalid parameter `{field}`: {reason}")]
    InvalidParameter {
        /// Parameter name.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The brute-force oracle was asked for an instance larger than it enumerates.
    #[error("brute force enumerates at most {limit} agents and items, got {agents} x {items}")]
    TooLargeForBruteForce {
        /// Agents requested.
        agents: usize,
        /// Items requested.
        items: usize,
        /// The limit.
        limit: usize,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_send_sync_static() {
        fn assert_traits<T: std::error::Error + Send + Sync + 'static>() {}
        assert_traits::<super::Error>();
    }
}
