//! Shortest augmenting paths (Hungarian method) with an always-free "unassigned" column.

use super::Assignment;
use crate::ValueMatrix;

/// Solves the assignment game exactly.
///
/// Agents are inserted one at a time; each insertion is a Dijkstra search over the items with
/// reduced costs, ending at an unsold item or at the virtual "unassigned" column, which has
/// unlimited capacity and value 0. Cost: `O(n * m * min(n, m))` time, `O(n + m)` memory beyond the
/// matrix (`O(n^2 m)` for `n <= m`).
///
/// Exactness: the algorithm only adds and subtracts values, so integer data (below `2^53`) gives
/// exact welfare, duals and prices.
///
/// Deterministic ties: agents are inserted in index order; among items at equal reduced distance
/// the search takes "unassigned" first, then the lowest item index. Finally, an agent left on an
/// item it values at exactly 0 is unassigned (this keeps optimality and the dual), so no agent is
/// ever given an item it does not value.
///
/// # Example
/// ```
/// use evmech_mechanisms::{assignment, ValueMatrix};
/// let v = ValueMatrix::from_rows(&[[6.0, 3.0], [4.0, 1.0], [2.0, 2.0]])?;
/// let a = assignment::solve(&v);
/// assert_eq!(a.item_of(), &[Some(0), None, Some(1)]);
/// assert_eq!(a.welfare(), 8.0);
/// # Ok::<_, evmech_mechanisms::Error>(())
/// ```
pub fn solve(values: &ValueMatrix) -> Assignment {
    let n = values.n_agents();
    let m = values.n_items();
    // Columns: 0 = search root, 1..=m = items, m + 1 = "unassigned" (never occupied).
    let null = m + 1;
    let mut u = vec![0.0f64; n + 1]; // row potentials (cost form: u_i + v_j <= c_ij)
    let mut v = vec![0.0f64; m + 2]; // column potentials
    let mut owner = vec![0usize; m + 2]; // owner[j] = 1-based row on column j, 0 = free
    let mut way = vec![0usize; m + 2];
    // Lazy potentials: within one search, `minv` holds distances plus `shift` (the sum of the
    // steps taken so far) and the used columns' potentials are settled once at the end, so each
    // step is one pass over a row instead of two passes over every column. With integer data
    // every quantity is an exact integer either way.
    let mut minv = vec![f64::INFINITY; m + 2];
    let mut used = vec![false; m + 2];
    let mut used_at = vec![0.0f64; m + 2];
    let mut used_list: Vec<usize> = Vec::with_capacity(m + 2);

    for i in 1..=n {
        owner[0] = i;
        let mut j0 = 0usize;
        let mut shift = 0.0f64;
        minv.fill(f64::INFINITY);
        used.fill(false);
        used_list.clear();
        loop {
            used[j0] = true;
            used_at[j0] = shift;
            used_list.push(j0);
            let i0 = owner[j0];
            // Scan "unassigned" first, then the items in index order, keeping the first strict
            // minimum: ties prefer leaving an agent out, then the lowest item.
            let base = shift - u[i0];
            let mut delta = f64::INFINITY;
            let mut j1 = null;
            {
                let cur = base - v[null];
                if cur < minv[null] {
                    minv[null] = cur;
                    way[null] = j0;
                }
                if minv[null] - shift < delta {
                    delta = minv[null] - shift;
                }
            }
            // The row of agent i0 as costs (negated values), read as one contiguous slice and
            // walked together with the items' columns (zipped: no bounds check per entry, the
            // same arithmetic in the same order).
            let row = values.row(i0 - 1);
            let items = minv[1..=m]
                .iter_mut()
                .zip(&mut way[1..=m])
                .zip(used[1..=m].iter().zip(&v[1..=m]));
            for (k, (&value, ((minv_j, way_j), (&used_j, &v_j)))) in
                row.iter().zip(items).enumerate()
            {
                if used_j {
                    continue;
                }
                let cur = base - value - v_j;
                if cur < *minv_j {
                    *minv_j = cur;
                    *way_j = j0;
                }
                if *minv_j - shift < delta {
                    delta = *minv_j - shift;
                    j1 = k + 1;
                }
            }
            shift += delta;
            j0 = j1;
            if j0 == null || owner[j0] == 0 {
                break;
            }
        }
        // Settle the potentials of the columns (and their rows) used in this search.
        for &j in &used_list {
            let d = shift - used_at[j];
            u[owner[j]] += d;
            v[j] -= d;
        }
        // Augment along the search tree back to the root.
        let end = j0;
        loop {
            let prev = way[j0];
            owner[j0] = owner[prev];
            j0 = prev;
            if j0 == 0 {
                break;
            }
        }
        if end == null {
            // The agent that reached "unassigned" stays there; the column is never occupied.
            owner[null] = 0;
        }
    }

    let mut item_of = vec![None; n];
    let mut agent_of = vec![None; m];
    for (item, &row) in owner[1..=m].iter().enumerate() {
        if row != 0 {
            let agent = row - 1;
            if values.get(agent, item) > 0.0 {
                item_of[agent] = Some(item);
                agent_of[item] = Some(agent);
            }
        }
    }
    let welfare = values.welfare(&item_of);
    // Back to the maximisation dual: U = -u, P = -v (and U, P >= 0 by construction).
    let utilities = (1..=n).map(|i| (-u[i]).max(0.0)).collect();
    let prices = (1..=m)
        .map(|j| {
            if agent_of[j - 1].is_some() {
                (-v[j]).max(0.0)
            } else {
                0.0
            }
        })
        .collect();
    Assignment {
        item_of,
        agent_of,
        welfare,
        utilities,
        prices,
    }
}
