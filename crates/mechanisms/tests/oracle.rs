//! Brute-force oracle cross-checks of the assignment solver, the VCG payments and the Walrasian
//! prices (enumeration of all assignments, at most 6 agents and 6 items), plus the fast-versus-naive
//! payment check on larger and on non-integer instances.

mod common;

use common::{arb_matrix, config};
use evmech_mechanisms::assignment::{
    brute_force_welfare, max_walrasian_prices, min_walrasian_prices, solve,
};
use evmech_mechanisms::vcg::{naive_vcg_payments, vcg_payments};
use evmech_mechanisms::{Tolerance, ValueMatrix};
use proptest::prelude::*;

/// Prices `p` support allocation `x` as a competitive equilibrium: each agent's holding is in
/// its demand set and unsold items cost 0.
fn is_walrasian(
    v: &ValueMatrix,
    x: &[Option<usize>],
    p: &[f64],
    tol: Tolerance,
) -> Result<(), String> {
    for (i, xi) in x.iter().enumerate() {
        let own = v.value_of(i, *xi) - xi.map_or(0.0, |k| p[k]);
        for k in 0..v.n_items() {
            let alt = v.get(i, k) - p[k];
            if !tol.leq(alt, own) {
                return Err(format!(
                    "agent {i} prefers item {k} ({alt}) to its own ({own}) at {p:?}"
                ));
            }
        }
        if !tol.leq(0.0, own) {
            return Err(format!("agent {i} has negative surplus {own}"));
        }
    }
    let sold: Vec<bool> = (0..v.n_items()).map(|k| x.contains(&Some(k))).collect();
    for k in 0..v.n_items() {
        if !sold[k] && !tol.approx_eq(p[k], 0.0) {
            return Err(format!("unsold item {k} has price {}", p[k]));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn solver_matches_brute_force_and_is_feasible(v in arb_matrix(6, 6, 5)) {
        let a = solve(&v);
        prop_assert_eq!(a.welfare(), brute_force_welfare(&v, None, None).unwrap());
        prop_assert_eq!(a.welfare(), v.welfare(a.item_of()));
        for (i, item) in a.item_of().iter().enumerate() {
            if let Some(k) = *item {
                prop_assert_eq!(a.agent_of()[k], Some(i));
                prop_assert!(v.get(i, k) > 0.0, "agent {} given item {} it values at 0", i, k);
            }
        }
        prop_assert_eq!(
            a.agent_of().iter().flatten().count(),
            a.item_of().iter().flatten().count()
        );
    }

    #[test]
    fn dual_is_feasible_and_complementary(v in arb_matrix(6, 6, 5)) {
        let a = solve(&v);
        for i in 0..v.n_agents() {
            prop_assert!(a.utilities()[i] >= 0.0);
            for k in 0..v.n_items() {
                prop_assert!(a.utilities()[i] + a.prices()[k] >= v.get(i, k));
            }
            match a.item_of()[i] {
                Some(k) => prop_assert_eq!(a.utilities()[i] + a.prices()[k], v.get(i, k)),
                None => prop_assert_eq!(a.utilities()[i], 0.0),
            }
        }
        let dual: f64 = a.utilities().iter().sum::<f64>() + a.prices().iter().sum::<f64>();
        prop_assert_eq!(dual, a.welfare());
    }

    #[test]
    fn vcg_payments_equal_the_clarke_pivot_by_enumeration(v in arb_matrix(6, 6, 5)) {
        let a = solve(&v);
        let fast = vcg_payments(&v, &a);
        prop_assert_eq!(&fast, &naive_vcg_payments(&v, &a));
        for (i, item) in a.item_of().iter().enumerate() {
            let w_minus_i = brute_force_welfare(&v, Some(i), None).unwrap();
            let clarke = w_minus_i - (a.welfare() - v.value_of(i, *item));
            prop_assert_eq!(fast[i], clarke, "agent {}", i);
        }
    }

    #[test]
    fn walrasian_bounds_match_enumeration(v in arb_matrix(6, 6, 5)) {
        let a = solve(&v);
        let low = min_walrasian_prices(&v, &a);
        let high = max_walrasian_prices(&v, &a);
        prop_assert!(is_walrasian(&v, a.item_of(), &low, Tolerance::EXACT).is_ok(),
            "{:?}", is_walrasian(&v, a.item_of(), &low, Tolerance::EXACT));
        prop_assert!(is_walrasian(&v, a.item_of(), &high, Tolerance::EXACT).is_ok(),
            "{:?}", is_walrasian(&v, a.item_of(), &high, Tolerance::EXACT));
        prop_assert!(is_walrasian(&v, a.item_of(), a.prices(), Tolerance::EXACT).is_ok());
        for k in 0..v.n_items() {
            prop_assert!(low[k] <= a.prices()[k] && a.prices()[k] <= high[k]);
            let expected_high = match a.agent_of()[k] {
                Some(_) => a.welfare() - brute_force_welfare(&v, None, Some(k)).unwrap(),
                None => 0.0,
            };
            prop_assert_eq!(high[k], expected_high, "item {}", k);
        }
    }

    #[test]
    fn minimum_prices_are_minimal_among_walrasian_prices(v in arb_matrix(5, 5, 4)) {
        // Every Walrasian price vector is >= the minimum one, so lowering any positive minimum
        // price (by half a unit, data are integers) must break the equilibrium.
        let a = solve(&v);
        let low = min_walrasian_prices(&v, &a);
        for k in (0..v.n_items()).filter(|&k| low[k] > 0.0) {
            let mut p = low.clone();
            p[k] -= 0.5;
            prop_assert!(is_walrasian(&v, a.item_of(), &p, Tolerance::EXACT).is_err(), "item {}", k);
        }
    }

    #[test]
    fn fast_and_naive_payments_agree_on_larger_instances(v in arb_matrix(25, 25, 1000)) {
        let a = solve(&v);
        prop_assert_eq!(vcg_payments(&v, &a), naive_vcg_payments(&v, &a));
    }

    #[test]
    fn fast_and_naive_payments_agree_on_real_valued_data(
        (n, m, data) in (1usize..12, 1usize..12).prop_flat_map(|(n, m)| {
            (Just(n), Just(m), proptest::collection::vec(0.0f64..10.0, n * m))
        })
    ) {
        let v = ValueMatrix::new(n, m, data).unwrap();
        let a = solve(&v);
        let tol = Tolerance::solver_default().scaled(n + m);
        for (fast, naive) in vcg_payments(&v, &a).iter().zip(naive_vcg_payments(&v, &a)) {
            prop_assert!(tol.approx_eq(*fast, naive), "{} vs {}", fast, naive);
        }
        prop_assert!(is_walrasian(&v, a.item_of(), &max_walrasian_prices(&v, &a), tol).is_ok());
    }
}

#[test]
fn brute_force_refuses_large_instances() {
    let v = ValueMatrix::new(9, 1, vec![1.0; 9]).unwrap();
    assert!(brute_force_welfare(&v, None, None).is_err());
}

#[test]
fn empty_and_degenerate_instances() {
    let empty = ValueMatrix::new(0, 0, vec![]).unwrap();
    assert_eq!(solve(&empty).welfare(), 0.0);
    let no_items = ValueMatrix::new(3, 0, vec![]).unwrap();
    assert_eq!(solve(&no_items).item_of(), &[None, None, None]);
    let zeros = ValueMatrix::new(2, 2, vec![0.0; 4]).unwrap();
    let a = solve(&zeros);
    assert_eq!(a.item_of(), &[None, None]);
    assert_eq!(vcg_payments(&zeros, &a), vec![0.0, 0.0]);
}
