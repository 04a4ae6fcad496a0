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
            prop_assert!(
                (fast - naive).abs() <= tolerance,
                "agent {i}, item {e}: {fast} against a re-solve's {naive}\n{values:?}"
            );
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
