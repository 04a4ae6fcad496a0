//! Minimum and maximum Walrasian prices from an optimal assignment, by Dijkstra on reduced costs.

use super::Assignment;
use crate::ValueMatrix;

/// Reduced cost `U_i + P_k - v_ik >= 0` of agent `i` (holding its item) against item `k`.
fn reduced(values: &ValueMatrix, a: &Assignment, agent: usize, item: usize) -> f64 {
    (a.utilities[agent] + a.prices[item] - values.get(agent, item)).max(0.0)
}

/// Dense Dijkstra over the items from a virtual root whose edge costs are `root_cost[k]`;
/// `edge(from, to)` gives the other costs. Returns the distances.
fn dijkstra(m: usize, root_cost: Vec<f64>, edge: impl Fn(usize, usize) -> f64) -> Vec<f64> {
    let mut dist = root_cost;
    let mut done = vec![false; m];
    for _ in 0..m {
        let mut next = None;
        let mut best = f64::INFINITY;
        for k in 0..m {
            if !done[k] && dist[k] < best {
                best = dist[k];
                next = Some(k);
            }
        }
        let Some(from) = next else { break };
        done[from] = true;
        for to in 0..m {
            if !done[to] {
                let d = best + edge(from, to);
                if d < dist[to] {
                    dist[to] = d;
                }
            }
        }
    }
    dist
}

/// For each item, the best value an unassigned agent has for it (0 if none): the price below
/// which an agent left out would want the item.
pub(super) fn best_outside(values: &ValueMatrix, a: &Assignment) -> Vec<f64> {
    let mut best = vec![0.0f64; values.n_items()];
    for (agent, item) in a.item_of.iter().enumerate() {
        if item.is_none() {
            for (b, &v) in best.iter_mut().zip(values.row(agent)) {
                *b = b.max(v);
            }
        }
    }
    best
}

/// The minimum Walrasian price of every item.
///
/// Walrasian prices are the solutions of the difference constraints
/// `p_k - p_{x_i} >= v_ik - v_{i x_i}` (agent `i` prefers its own item), `p_k >= v_jk` for
/// unassigned agents `j`, `p >= 0` and `p = 0` on unsold items. The least solution is the longest
/// path from a root priced 0; reweighting by the dual prices `P` turns the edge weights into the
/// non-negative reduced costs `U_i + P_k - v_ik`, so one dense Dijkstra (`O(m^2 + n m)`) gives
/// `p_min = P - dist`. These are also the VCG (Clarke pivot) payments of the item holders
/// (Leonard 1983).
///
/// `assignment` must be an optimal assignment of `values` from [`solve`](super::solve).
pub fn min_walrasian_prices(values: &ValueMatrix, assignment: &Assignment) -> Vec<f64> {
    let m = values.n_items();
    let best_outside = best_outside(values, assignment);
    let root: Vec<f64> = (0..m)
        .map(|k| (assignment.prices[k] - best_outside[k]).max(0.0))
        .collect();
    let dist = dijkstra(m, root, |from, to| match assignment.agent_of[from] {
        Some(agent) => reduced(values, assignment, agent, to),
        None => f64::INFINITY,
    });
    (0..m)
        .map(|k| (assignment.prices[k] - dist[k]).max(0.0))
        .collect()
}

/// The maximum Walrasian price of every item, `W*(N, K) - W*(N, K \ {k})` (0 for unsold items).
///
/// The greatest solution of the same difference constraints is the shortest path from the root
/// (root edges: `v_{i x_i}` to a sold item, 0 to an unsold one); reweighted by `P` its edges are
/// the reduced costs `U_i + P_k - v_ik` from item `k` to the item of agent `i`, so again one
/// Dijkstra gives `p_max = P + dist`.
///
/// `assignment` must be an optimal assignment of `values` from [`solve`](super::solve).
pub fn max_walrasian_prices(values: &ValueMatrix, assignment: &Assignment) -> Vec<f64> {
    let m = values.n_items();
    let root: Vec<f64> = (0..m)
        .map(|k| match assignment.agent_of[k] {
            Some(agent) => assignment.utilities[agent],
            None => 0.0,
        })
        .collect();
    let dist = dijkstra(m, root, |from, to| match assignment.agent_of[to] {
        Some(agent) => reduced(values, assignment, agent, from),
        None => f64::INFINITY,
    });
    (0..m)
        .map(|k| match assignment.agent_of[k] {
            Some(_) => assignment.prices[k] + dist[k],
            None => 0.0,
        })
        .collect()
}
