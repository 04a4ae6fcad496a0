//! The impossibility results of spec sections 4-5, checked by computation on their instances.
//!
//! - Lemma 3 / Theorem 4 (T5): every DSIC + efficient + reservation-aware mechanism is a Groves
//!   mechanism whose pivot satisfies `h_i <= W^e_{-i}`; on the bilateral-trade instance this
//!   caps revenue at -2, so weak budget balance fails.
//! - Theorem 5 (T4): no Groves mechanism is strongly budget balanced on one session and two EVs
//!   with values in {0, 1}: the linear system for the pivots is inconsistent.

mod common;

use common::vals;
use evmech_mechanisms::assignment::brute_force_welfare;
use evmech_mechanisms::realtime::{Endowments, Pivot, RtVcg};
use evmech_mechanisms::{Mechanism, ValueMatrix};
use nalgebra::{DMatrix, DVector};

/// Largest pivot `h_i(v_{-i})` that reservation awareness allows: RA for every own type `v_i` in
/// `grid` means `h_i <= W(v_i, v_{-i}) - v_i(e_i)` (Lemma 3, step 1), for a one-session market.
fn ra_pivot_bound(others: &[f64], own_endowed: bool, grid: &[f64]) -> f64 {
    grid.iter()
        .map(|&own| {
            let mut rows: Vec<[f64; 1]> = vec![[own]];
            rows.extend(others.iter().map(|&x| [x]));
            let w =
                brute_force_welfare(&ValueMatrix::from_rows(&rows).unwrap(), None, None).unwrap();
            w - if own_endowed { own } else { 0.0 }
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn t5_lemma3_caps_revenue_of_dsic_efficient_reservation_aware_mechanisms() {
    // Ex2: one session A reserved by EV 1 (value 1); EV 2 values it at 3.
    let v = [1.0, 3.0];
    let endowed = [true, false];
    // The type grid contains the "large M" profile of the proof (M = 100).
    let grid: Vec<f64> = (0..=10).map(f64::from).chain([100.0]).collect();
    let values = ValueMatrix::from_rows(&[[v[0]], [v[1]]]).unwrap();
    let efficient_w = brute_force_welfare(&values, None, None).unwrap();
    let efficient_x = [None, Some(0)]; // EV 2 gets A
    assert_eq!(values.welfare(&efficient_x), efficient_w);
    let mut revenue_cap = 0.0;
    for (i, &is_endowed) in endowed.iter().enumerate() {
        let others: Vec<f64> = (0..2).filter(|&j| j != i).map(|j| v[j]).collect();
        let h_max = ra_pivot_bound(&others, is_endowed, &grid);
        // Lemma 3: the bound equals the endowment pivot W^e_{-i} = W*(N \ {i}, K \ {e_i}).
        let w_e = brute_force_welfare(&values, Some(i), is_endowed.then_some(0)).unwrap();
        assert_eq!(h_max, w_e, "agent {i}");
        revenue_cap += h_max - (efficient_w - values.value_of(i, efficient_x[i]));
    }
    assert_eq!(revenue_cap, -2.0);
    // The endowment-pivot VCG attains the cap: the best any such mechanism can do is a deficit.
    let endow = RtVcg::new(
        Pivot::Endowment,
        Endowments::new(1, vec![Some(0), None]).unwrap(),
    );
    assert_eq!(endow.run(&vals(&[&[1.0], &[3.0]])).unwrap().revenue(), -2.0);
}

#[test]
fn t5_theorem4_no_pivot_shift_restores_budget_balance() {
    // Any Groves pivot h_i = W^e_{-i} - c_i with c_i >= 0 keeps RA; revenue only falls.
    // Raising a pivot (c_i < 0) breaks RA at some type in the grid.
    let endow = RtVcg::new(
        Pivot::Endowment,
        Endowments::new(1, vec![Some(0), None]).unwrap(),
    );
    for own in [0.0, 1.0, 2.0, 5.0, 100.0] {
        let out = endow.run(&vals(&[&[own], &[3.0]])).unwrap();
        // RA slack of EV 1 with its own value `own`: v(x) - p - v(e).
        let slack = out.utility(0, &vals(&[&[own]])[0]) - own;
        assert!(slack >= 0.0);
        if own >= 3.0 {
            // EV 1 keeps A and its RA binds exactly: any higher pivot would violate RA here.
            assert_eq!(slack, 0.0, "own = {own}");
        }
    }
}

/// The linear system "revenue = 0 at every profile" for Groves pivots on one session and two EVs
/// with values in `domain`: unknowns h_1(v_2), h_2(v_1); equation h_1(v_2) + h_2(v_1) = max(v_1, v_2).
fn strong_bb_system(domain: &[f64]) -> (DMatrix<f64>, DVector<f64>) {
    let d = domain.len();
    let profiles: Vec<(usize, usize)> = (0..d).flat_map(|a| (0..d).map(move |b| (a, b))).collect();
    let mut a = DMatrix::zeros(profiles.len(), 2 * d);
    let mut b = DVector::zeros(profiles.len());
    for (row, &(v1, v2)) in profiles.iter().enumerate() {
        a[(row, v2)] = 1.0; // h_1 depends on v_2
        a[(row, d + v1)] = 1.0; // h_2 depends on v_1
        b[row] = domain[v1].max(domain[v2]);
    }
    (a, b)
}

fn consistent(a: &DMatrix<f64>, b: &DVector<f64>) -> bool {
    let mut aug = a.clone().insert_column(a.ncols(), 0.0);
    aug.set_column(a.ncols(), b);
    a.clone().rank(1e-9) == aug.rank(1e-9)
}

#[test]
fn t4_theorem5_strong_budget_balance_is_inconsistent_with_groves() {
    let (a, b) = strong_bb_system(&[0.0, 1.0]);
    assert_eq!(a.nrows(), 4);
    assert!(
        !consistent(&a, &b),
        "the four equations of Theorem 5 have no solution"
    );
    // Larger domains contain the same contradiction.
    let (a3, b3) = strong_bb_system(&[0.0, 1.0, 2.0]);
    assert!(!consistent(&a3, &b3));
    // Sanity of the test itself: with a zero right-hand side (no trade value) it is consistent.
    assert!(consistent(&a, &DVector::zeros(4)));
}
