//! Clarke-pivot payments: fast (from minimum Walrasian prices) and naive (`n` re-solves).

use crate::assignment::{self, min_walrasian_prices, Assignment};
use crate::ValueMatrix;

/// All VCG (Clarke pivot) payments from one optimal assignment, without re-solving.
///
/// Agent `i` pays `W*(N \ {i}, K) - (W* - v_{i x_i})`. In the assignment game this equals the
/// minimum Walrasian price of `x_i` (Leonard 1983), which
/// [`min_walrasian_prices`] computes with one Dijkstra, so all `n` payments cost
/// `O(m^2 + n m)` on top of the assignment. Unassigned agents pay 0.
///
/// # Example
/// ```
/// use evmech_mechanisms::{assignment, vcg, ValueMatrix};
/// let v = ValueMatrix::from_rows(&[[6.0, 3.0], [4.0, 1.0], [2.0, 2.0]])?;
/// let a = assignment::solve(&v);
/// assert_eq!(vcg::vcg_payments(&v, &a), vec![4.0, 0.0, 1.0]);
/// # Ok::<_, evmech_mechanisms::Error>(())
/// ```
pub fn vcg_payments(values: &ValueMatrix, assignment: &Assignment) -> Vec<f64> {
    let prices = min_walrasian_prices(values, assignment);
    assignment
        .item_of()
        .iter()
        .map(|item| item.map_or(0.0, |k| prices[k]))
        .collect()
}

/// The same payments by definition: one assignment re-solve without each assigned agent
/// (`n + 1` solves in all). Kept as the benchmark baseline and as a cross-check.
pub fn naive_vcg_payments(values: &ValueMatrix, assignment: &Assignment) -> Vec<f64> {
    assignment
        .item_of()
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            None => 0.0,
            Some(k) => {
                let (without_i, _, _) = values.without(Some(i), None);
                let w_minus_i = assignment::solve(&without_i).welfare();
                (w_minus_i - (assignment.welfare() - values.get(i, *k))).max(0.0)
            }
        })
        .collect()
}
