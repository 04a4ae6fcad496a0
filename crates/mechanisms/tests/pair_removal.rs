//! `W*(N \ {i}, K \ {e})` from one optimal assignment equals a re-solve without the pair, for
//! every pair of every random market (integer values: many ties and zeros; and real values).

use evmech_mechanisms::assignment::{self, PairRemoval};
use evmech_mechanisms::ValueMatrix;
use proptest::prelude::*;

fn matrix(max_n: usize, max_m: usize, max_value: u32) -> impl Strategy<Value = ValueMatrix> {
    (1..=max_n, 1..=max_m).prop_flat_map(move |(n, m)| {
        proptest::collection::vec(0..=max_value, n * m).prop_map(move |cells| {
            let data = cells.into_iter().map(f64::from).collect();
            ValueMatrix::new(n, m, data).expect("valid values")
        })
    })
}

fn check_every_pair(values: &ValueMatrix, tolerance: f64) -> Result<(), TestCaseError> {
    let a = assignment::solve(values);
    let pairs = PairRemoval::new(values, &a);
    for i in 0..values.n_agents() {
        for e in 0..values.n_items() {
            let (rest, _, _) = values.without(Some(i), Some(e));
            let naive = assignment::solve(&rest).welfare();
            let fast = pairs.welfare_without(i, e);
            // One light edge per item: most queries leave the sparse graph and fall back.
            let sparse = PairRemoval::with_light_edges(values, &a, 1).welfare_without(i, e);
            for (got, how) in [(fast, "default"), (sparse, "one light edge")] {
                prop_assert!(
                    (got - naive).abs() <= tolerance,
                    "agent {i}, item {e} ({how}): {got} against a re-solve's {naive}\n{values:?}"
                );
            }
        }
    }
    Ok(())
}

/// The sparse first search and the complete search agree to the bit on larger markets of exact
/// (dyadic) values, for several sizes of the light graph (the complete one alone: `usize::MAX`).
fn check_light_graphs(values: &ValueMatrix) -> Result<(), TestCaseError> {
    let a = assignment::solve(values);
    let complete = PairRemoval::with_light_edges(values, &a, usize::MAX);
    let sparse: Vec<_> = [1, 3, 8, 48]
        .map(|per_node| PairRemoval::with_light_edges(values, &a, per_node))
        .into();
    for i in 0..values.n_agents() {
        for e in (0..values.n_items()).step_by(3) {
            let want = complete.welfare_without(i, e).to_bits();
            for (pairs, per_node) in sparse.iter().zip([1, 3, 8, 48]) {
                let got = pairs.welfare_without(i, e).to_bits();
                prop_assert_eq!(got, want, "agent {}, item {}, {} edges", i, e, per_node);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn integer_markets_match_a_re_solve(values in matrix(6, 6, 6)) {
        check_every_pair(&values, 0.0)?;
    }

    #[test]
    fn real_markets_match_a_re_solve(
        values in (1..=7usize, 1..=7usize).prop_flat_map(|(n, m)| {
            proptest::collection::vec(0.0..100.0f64, n * m)
                .prop_map(move |d| ValueMatrix::new(n, m, d).expect("valid"))
        })
    ) {
        check_every_pair(&values, 1e-9)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_light_graph_changes_no_answer(
        values in (20..=60usize, 20..=60usize, 1..=1000u32).prop_flat_map(|(n, m, top)| {
            proptest::collection::vec(0..=top, n * m).prop_map(move |d| {
                let data = d.into_iter().map(|v| f64::from(v) / 8.0).collect();
                ValueMatrix::new(n, m, data).expect("valid")
            })
        })
    ) {
        check_light_graphs(&values)?;
    }
}
