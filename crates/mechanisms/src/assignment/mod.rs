//! Exact assignment of unit-demand agents to unit-supply items, with competitive prices.
//!
//! The assignment game: agent `i` values item `k` at `v[i][k] >= 0`, getting nothing is worth 0,
//! each agent gets at most one item and each item goes to at most one agent. [`solve`] finds a
//! welfare-maximising assignment together with an optimal dual `(U, P)`:
//!
//! $$U_i + P_k \ge v_{ik},\quad U_i, P_k \ge 0,\quad U_i + P_{x_i} = v_{i x_i},\quad
//! U_i = 0 \text{ if } x_i = \varnothing,\quad P_k = 0 \text{ if } k \text{ is unsold}.$$
//!
//! Any such `P` is a Walrasian (competitive-equilibrium) price vector: every agent's item is in
//! its demand set. The set of Walrasian prices is a lattice (Shapley and Shubik 1971);
//! [`min_walrasian_prices`] and [`max_walrasian_prices`] compute its two ends from the optimal
//! assignment by one Dijkstra each on the reduced costs, without any re-solve. The minimum
//! prices are the VCG payments (Leonard 1983); the maximum price of item `k` is
//! `W*(N, K) - W*(N, K \ {k})`. [`PairRemoval`] gives `W*(N \ {i}, K \ {e})` (an agent and an
//! item leaving together, as the endowment pivot of real-time VCG needs) by one early-stopping
//! Dijkstra per pair.
//!
//! See `docs/assignment.md` for the derivations.

mod brute_force;
mod hungarian;
mod light_graph;
mod pair_removal;
mod walrasian;

pub use brute_force::{brute_force_welfare, BRUTE_FORCE_LIMIT};
pub use hungarian::solve;
pub use pair_removal::PairRemoval;
pub use walrasian::{max_walrasian_prices, min_walrasian_prices};

use serde::{Deserialize, Serialize};

/// A welfare-maximising assignment and an optimal dual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub(crate) item_of: Vec<Option<usize>>,
    pub(crate) agent_of: Vec<Option<usize>>,
    pub(crate) welfare: f64,
    pub(crate) utilities: Vec<f64>,
    pub(crate) prices: Vec<f64>,
}

impl Assignment {
    /// The item of each agent (`None` = unassigned).
    pub fn item_of(&self) -> &[Option<usize>] {
        &self.item_of
    }

    /// The agent of each item (`None` = unsold).
    pub fn agent_of(&self) -> &[Option<usize>] {
        &self.agent_of
    }

    /// Total value of the assignment.
    pub fn welfare(&self) -> f64 {
        self.welfare
    }

    /// Dual agent utilities `U` (each agent's surplus at prices [`Assignment::prices`]).
    pub fn utilities(&self) -> &[f64] {
        &self.utilities
    }

    /// Dual item prices `P`: some Walrasian price vector (not necessarily the minimum).
    pub fn prices(&self) -> &[f64] {
        &self.prices
    }
}
