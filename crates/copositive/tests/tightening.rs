//! Closing the gap where the doubly-nonnegative bound is loose (spec section 9): Example C priced
//! exactly, `K^1` against PSD + NN, and a seeded sweep of small random instances.
//!
//! The sweep is ignored by default (a few minutes):
//! `cargo test --release -p evmech-copositive --test tightening -- --ignored --nocapture`.

use evmech_copositive::{
    price, InnerCone, Method, PricingOptions, SolveStatus, Tariff, Tightening,
};
use evmech_milp_model::{random_instance, Instance, RandomSize};

mod common;
use common::{guarantees, load, tol};

fn with(tightening: Tightening) -> PricingOptions {
    PricingOptions {
        tightening,
        ..PricingOptions::default()
    }
}

#[test]
fn example_c_is_priced_exactly_by_branching() {
    let inst = load("copositive_example_c.json");
    let p = price(&inst, &PricingOptions::default()).unwrap();
    let t = tol(p.welfare);
    assert!((p.welfare - 7.21).abs() < 1e-6);
    assert!(p.exact, "{:?}", p.components);
    assert!(p.gap.abs() <= t, "gap {}", p.gap);
    assert!(p.epsilon_ir <= t);
    assert_eq!(p.components[0].method, Method::Branch);
    // The regions partition EV 0's choices (opt out, A, B), some split further (5 regions in
    // the normalised units, measured; 3 when the solves ran in USD and kWh); exactly one holds
    // the optimum.
    assert!(p.regions.len() >= 3, "{:?}", p.regions);
    for choice in [None, Some(0), Some(1)] {
        assert!(p.regions.iter().any(|r| r.choices.contains(&(0, choice))));
    }
    assert!(p.regions.iter().all(|r| r.choices.iter().any(|c| c.0 == 0)));
    assert_eq!(p.regions.iter().filter(|r| r.contains_optimum).count(), 1);
    for r in &p.regions {
        assert!(r.bound <= p.welfare + t, "{r:?}");
    }
    let c = &p.certificate;
    assert!(c.min_eig_psd >= -1e-6 && c.min_nn >= -1e-6, "{c:?}");
    let (gain, surplus_a, surplus_b) = guarantees(&p);
    assert!(gain <= t, "deviation gain {gain}");
    assert!(
        surplus_a >= -t && surplus_b >= -t,
        "{surplus_a} {surplus_b}"
    );
    for n in 0..2 {
        assert!(p.net_utility(&Tariff::CmpB, n, &p.plan.x) >= -t);
    }
}

#[test]
fn example_c_without_tightening_reports_its_gap() {
    let p = price(&load("copositive_example_c.json"), &with(Tightening::Off)).unwrap();
    assert!(!p.exact);
    assert!((p.gap - p.epsilon_ir).abs() < 1e-12);
    assert!((p.dual_bound - 7.4147).abs() < 2e-3, "{}", p.dual_bound);
    assert_eq!(p.components[0].method, Method::PsdNn);
    assert!(p.regions.is_empty());
}

#[test]
fn k1_tightens_psd_nn_on_example_c_but_does_not_close_it() {
    let inst = load("copositive_example_c.json");
    let k0 = price(&inst, &with(Tightening::Off)).unwrap();
    let k1 = price(
        &inst,
        &PricingOptions {
            cone_kind: InnerCone::K1,
            tightening: Tightening::Off,
            ..PricingOptions::default()
        },
    )
    .unwrap();
    let t = tol(k0.welfare);
    // K^1 contains PSD + NN, so its bound is never worse; it is still a certified bound.
    assert!(k1.dual_bound <= k0.dual_bound + t);
    assert!(k1.dual_bound >= k1.welfare - t);
    let c = &k1.certificate;
    assert!(c.min_eig_psd >= -1e-6 && c.min_nn >= -1e-6, "{c:?}");
    assert_eq!(k1.components[0].method, Method::K1);
    // Measured: 7.2337 against W* = 7.21 (PSD + NN: 7.4156). In the normalised units the
    // price regularisation holds K^1 back more than it did in USD and kWh (7.2153 then).
    assert!(k1.gap > t && k1.gap < 0.15 * k0.gap.max(t), "{}", k1.gap);
    // Epsilon-IR with epsilon = gap still holds.
    let (gain, _, surplus_b) = guarantees(&k1);
    assert!(gain <= t + k1.gap && surplus_b >= -t);
}

#[test]
fn a_branching_budget_too_small_leaves_an_honest_gap() {
    let mut options = PricingOptions::default();
    options.branch_budget.max_nodes = 2;
    let p = price(&load("copositive_example_c.json"), &options).unwrap();
    // Splitting EV 0 needs 3 regions: no split fits, the root certificate stays.
    assert!(!p.exact);
    assert!(p.gap > 0.1);
    assert_eq!(p.components[0].method, Method::PsdNn);
}

/// Instances of the sweep: 2-3 EVs, 2 stations, 2-4 slots.
fn sweep_instances(count: u64) -> impl Iterator<Item = (String, Instance)> {
    (0..count).map(|seed| {
        let size = RandomSize {
            evs: 2 + (seed % 2) as usize,
            stations: 2,
            slots: 2 + (seed / 2 % 3) as usize,
        };
        let inst = random_instance(size, 7_000 + seed).unwrap();
        (
            format!(
                "{}x{}x{} seed {}",
                size.evs,
                size.stations,
                size.slots,
                7_000 + seed
            ),
            inst,
        )
    })
}

#[test]
fn loose_random_instances_are_closed_by_auto() {
    // Seeds of the sweep below where PSD + NN alone is loose.
    for seed in [7_002u64, 7_090] {
        let k = seed - 7_000;
        let (label, inst) = sweep_instances(k + 1).last().unwrap();
        let off = price(&inst, &with(Tightening::Off)).unwrap();
        assert!(!off.exact, "{label}: expected a loose PSD + NN bound");
        let p = price(&inst, &PricingOptions::default()).unwrap();
        let t = tol(p.welfare);
        assert!(p.exact && p.gap <= t, "{label}: gap {}", p.gap);
        let (gain, surplus_a, surplus_b) = guarantees(&p);
        assert!(gain <= t, "{label}: gain {gain}");
        assert!(surplus_a >= -t && surplus_b >= -t, "{label}");
    }
}

#[test]
#[ignore = "sweep (minutes): run with --release -- --ignored --nocapture"]
fn sweep_tightening_methods() {
    let count = 240;
    let (mut loose, mut k1_closed, mut k1_tried, mut branch_closed) = (0, 0, 0, 0);
    let (mut t_off, mut t_k1, mut t_branch, mut worst_auto) = (0.0, 0.0, 0.0, 0.0_f64);
    let mut worst_gap = f64::NEG_INFINITY;
    let (mut inaccurate, mut solver_inaccurate) = (0, 0);
    for (label, inst) in sweep_instances(count) {
        let off = price(&inst, &with(Tightening::Off)).unwrap();
        t_off += off.solve_seconds;
        let auto = price(&inst, &PricingOptions::default()).unwrap();
        inaccurate += usize::from(auto.status != SolveStatus::Optimal);
        solver_inaccurate += auto
            .components
            .iter()
            .filter(|c| c.solver_status != SolveStatus::Optimal)
            .count();
        worst_auto = worst_auto.max(auto.solve_seconds);
        worst_gap = worst_gap.max(auto.gap / auto.welfare.abs().max(1.0));
        assert!(auto.exact, "{label}: auto left gap {}", auto.gap);
        if off.exact {
            println!(
                "{label}: tight, {:.2} s / auto {:.2} s",
                off.solve_seconds, auto.solve_seconds
            );
            continue;
        }
        loose += 1;
        t_branch += auto.solve_seconds;
        branch_closed += usize::from(auto.exact);
        let (gain, sa, sb) = guarantees(&auto);
        let t = tol(auto.welfare);
        assert!(
            gain <= t && sa >= -t && sb >= -t,
            "{label}: {gain} {sa} {sb}"
        );
        let n1 = off.components.iter().map(|c| c.n1).max().unwrap_or(0);
        let mut k1_note = String::from("skipped (n1 > 22)");
        if n1 <= 22 {
            let mut options = with(Tightening::K1);
            options.cone.time_limit_s = 60.0;
            k1_tried += 1;
            k1_note = match price(&inst, &options) {
                Ok(k1) => {
                    t_k1 += k1.solve_seconds;
                    k1_closed += usize::from(k1.exact);
                    format!("gap {:.2e} in {:.1} s", k1.gap, k1.solve_seconds)
                }
                Err(e) => {
                    t_k1 += 60.0;
                    format!("failed ({e})")
                }
            };
        }
        println!(
            "{label}: n1 {n1}, W* {:.4}, PSD+NN gap {:.4}; K1 {k1_note}; branch gap {:.1e}, {} regions, {:.2} s; max gain {gain:.1e}",
            auto.welfare,
            off.gap,
            auto.gap,
            auto.regions.len(),
            auto.solve_seconds
        );
    }
    println!(
        "{count} instances, {loose} loose under PSD + NN ({t_off:.1} s in total); K1 closed {k1_closed} of {k1_tried} tried ({t_k1:.1} s); branching closed {branch_closed} of {loose} ({t_branch:.1} s); slowest auto {worst_auto:.2} s; largest relative auto gap {worst_gap:.1e}; {inaccurate} inaccurate results ({solver_inaccurate} components with a reduced-accuracy solve, repaired)"
    );
    assert!(worst_auto < 10.0);
    assert_eq!(
        inaccurate, 0,
        "every certificate proven after polish and repair"
    );
}
