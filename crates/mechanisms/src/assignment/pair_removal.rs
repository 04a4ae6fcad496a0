//! `W*(N \ {i}, K \ {e})` from one optimal assignment, by one early-stopping Dijkstra.

use super::walrasian::best_outside;
use super::Assignment;
use crate::ValueMatrix;

/// Answers "what is the optimal welfare once agent `i` and item `e` both leave the market",
/// `W*(N \ {i}, K \ {e})`, for many pairs from one optimal assignment, without re-solving.
///
/// The core of the assignment game is the set of optimal duals `(U, P)`, and the welfare lost
/// when an agent and an item leave together is the most that the pair can get in the core:
///
/// $$W^*(N, K) - W^*(N \setminus \{i\}, K \setminus \{e\}) = \max_{(U, P) \in \text{core}} U_i + P_e.$$
///
/// (With `e` unsold-or-not and `i` on its own item this is the familiar `v_{ie}`; with `i`
/// unassigned it is the maximum Walrasian price of `e`.) Writing `U_i = v_{i x_i} - P_{x_i}`
/// for an assigned agent, the maximum is `v_{i x_i} + max (P_e - P_{x_i})` over Walrasian
/// prices, a longest difference between two prices of a system of difference constraints: the
/// shortest path from `x_i` to `e` in the constraint graph. Reweighted by the assignment's own
/// prices its edges are the non-negative reduced costs `U_a + P_k - v_ak`, so a Dijkstra from
/// `x_i` (or from the outside root for an unassigned agent) that stops when it reaches `e` gives
/// it. Cost: `O(m (n + m))` in the worst case, usually far less; the naive alternative is a whole
/// `O(n m min(n, m))` re-solve per pair. Cross-checked against re-solves in the property tests.
///
/// # Example
/// ```
/// use evmech_mechanisms::{assignment, ValueMatrix};
/// let v = ValueMatrix::from_rows(&[[6.0, 3.0], [4.0, 1.0], [2.0, 2.0]])?;
/// let a = assignment::solve(&v);
/// let pairs = assignment::PairRemoval::new(&v, &a);
/// // Without agent 0 and item 1, agent 1 takes item 0: welfare 4.
/// assert_eq!(pairs.welfare_without(0, 1), 4.0);
/// # Ok::<_, evmech_mechanisms::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PairRemoval<'a> {
    assignment: &'a Assignment,
    /// For each item, the best value an unassigned agent has for it (0 if none).
    outside: Vec<f64>,
    /// The assigned agents, as (agent, its item).
    holders: Vec<(usize, usize)>,
    /// `by_item[k * holders.len() + h]`: the value of holder `h` for item `k` (the matrix
    /// transposed to the holders, so one node's edges are read as one contiguous slice).
    by_item: Vec<f64>,
    /// Each agent's value for its own item (0 if unassigned).
    own_value: Vec<f64>,
}

impl<'a> PairRemoval<'a> {
    /// Prepares the queries; `assignment` must be an optimal assignment of `values` from
    /// [`solve`](super::solve).
    pub fn new(values: &ValueMatrix, assignment: &'a Assignment) -> Self {
        let holders: Vec<(usize, usize)> = assignment
            .item_of
            .iter()
            .enumerate()
            .filter_map(|(agent, item)| item.map(|k| (agent, k)))
            .collect();
        let m = values.n_items();
        let mut by_item = vec![0.0; m * holders.len()];
        for (h, &(agent, _)) in holders.iter().enumerate() {
            for (k, &v) in values.row(agent).iter().enumerate() {
                by_item[k * holders.len() + h] = v;
            }
        }
        let own_value = (0..values.n_agents())
            .map(|agent| values.value_of(agent, assignment.item_of[agent]))
            .collect();
        PairRemoval {
            assignment,
            own_value,
            outside: best_outside(values, assignment),
            holders,
            by_item,
        }
    }

    /// `W*(N \ {agent}, K \ {item})`; `agent` and `item` must be in range.
    pub fn welfare_without(&self, agent: usize, item: usize) -> f64 {
        let a = self.assignment;
        let w = a.welfare;
        let gain = match a.item_of[agent] {
            // On its own item: U_i + P_e = v_ie for every core point.
            Some(own) if own == item => self.own_value[agent],
            // max (U_i + P_e) = U_i + P_e + dist(x_i -> e), U and P the assignment's own dual.
            Some(own) => a.utilities[agent] + a.prices[item] + self.distance(Node::Item(own), item),
            // U_i = 0 in the core: the maximum Walrasian price of e.
            None => a.prices[item] + self.distance(Node::Root, item),
        };
        w - gain
    }
}

/// A node of the price-difference graph: an item, or the root standing for "outside" (price 0).
#[derive(Clone, Copy)]
enum Node {
    Root,
    Item(usize),
}

impl PairRemoval<'_> {
    /// Shortest reduced-cost distance from `from` to item `target`.
    ///
    /// Edges (reduced by the assignment's prices `P`, all non-negative): item `k` to the item
    /// `x_a` of each assigned agent `a`, `U_a + P_k - v_ak`; item `k` to the root, `P_k - b_k`
    /// with `b_k` the best value of an unassigned agent for `k` (or 0); the root to `x_a`, `U_a`;
    /// the root to an unsold item, 0.
    fn distance(&self, from: Node, target: usize) -> f64 {
        let a = self.assignment;
        let m = a.agent_of.len();
        let root = m; // node index of the root
        let mut dist = vec![f64::INFINITY; m + 1];
        let mut done = vec![false; m + 1];
        dist[match from {
            Node::Root => root,
            Node::Item(k) => k,
        }] = 0.0;
        loop {
            let mut next = None;
            let mut best = f64::INFINITY;
            for (node, (&d, &finished)) in dist.iter().zip(&done).enumerate() {
                if !finished && d < best {
                    best = d;
                    next = Some(node);
                }
            }
            let Some(node) = next else {
                return f64::INFINITY;
            };
            if node == target {
                return best;
            }
            done[node] = true;
            let mut relax = |to: usize, w: f64| {
                let d = best + w.max(0.0);
                if d < dist[to] {
                    dist[to] = d;
                }
            };
            if node == root {
                for (k, owner) in a.agent_of.iter().enumerate() {
                    relax(k, owner.map_or(0.0, |agent| a.utilities[agent]));
                }
            } else {
                let k = node;
                let n_h = self.holders.len();
                let column = &self.by_item[k * n_h..(k + 1) * n_h];
                for (&(agent, to), &v) in self.holders.iter().zip(column) {
                    relax(to, a.utilities[agent] + a.prices[k] - v);
                }
                relax(root, a.prices[k] - self.outside[k]);
            }
        }
    }
}
