//! The sparse inner cone (a subset of PSD + NN: certified, never tighter, and exact again after
//! branching) and the time budget (`time_limit_s`, `stopped_by`).

use evmech_copositive::{
    best_responses, price, ConeSettings, Error, InnerCone, LiftKind, Method, Pricing,
    PricingOptions, StoppedBy, Tariff, Tightening,
};
use evmech_milp_model::{random_instance, random_instance_with_evse, RandomSize};

mod common;
use common::{load, tol};

fn sparse(tightening: Tightening) -> PricingOptions {
    PricingOptions {
        lift: LiftKind::Sparse,
        cone_kind: InnerCone::SparsePsdNn,
        tightening,
        ..PricingOptions::default()
    }
}

fn dense(tightening: Tightening) -> PricingOptions {
    PricingOptions {
        tightening,
        ..PricingOptions::default()
    }
}

/// A certificate: `P` PSD and `N >= 0` up to solver accuracy, and the bound above `W*`.
fn assert_certified(p: &Pricing, label: &str) {
    let c = &p.certificate;
    assert!(
        c.min_eig_psd >= -1e-6 && c.min_nn >= -1e-6,
        "{label}: {c:?}"
    );
    assert!(
        p.dual_bound >= p.welfare - tol(p.welfare),
        "{label}: bound below W*"
    );
}

/// The sparse cone and the sparse lift are restrictions of the dense ones, so on every instance
/// the sparse bound is a valid bound and never below the dense one.
#[test]
fn the_sparse_bound_is_certified_and_never_tighter_than_the_dense_one() {
    let size = RandomSize {
        evs: 3,
        stations: 2,
        slots: 4,
    };
    for seed in 0..6 {
        let inst = random_instance(size, 300 + seed).unwrap();
        let label = format!("seed {}", 300 + seed);
        let d = price(&inst, &dense(Tightening::Off)).unwrap();
        let s = price(&inst, &sparse(Tightening::Off)).unwrap();
        assert_certified(&s, &label);
        assert!((d.welfare - s.welfare).abs() < 1e-9, "{label}");
        // Per component: the same components, each sparse bound at or above the dense one.
        assert_eq!(d.components.len(), s.components.len(), "{label}");
        for (cd, cs) in d.components.iter().zip(&s.components) {
            let t = tol(cd.welfare);
            assert!(
                cs.bound >= cd.bound - t,
                "{label}: {} < {}",
                cs.bound,
                cd.bound
            );
            assert_eq!(cs.method, Method::SparsePsdNn);
        }
    }
}

/// With branching the sparse cone closes every gap, and the prices keep their guarantees.
#[test]
fn sparse_cones_with_branching_price_examples_a_to_c_exactly() {
    for name in ["a", "b", "c"] {
        let inst = load(&format!("copositive_example_{name}.json"));
        let p = price(&inst, &sparse(Tightening::Auto)).unwrap();
        let t = tol(p.welfare);
        assert!(p.exact, "example {name}: gap {}", p.gap);
        assert_eq!(p.stopped_by, StoppedBy::Closed);
        assert_certified(&p, name);
        let gain = best_responses(&p, &Tariff::CmpB)
            .unwrap()
            .iter()
            .map(|b| b.gain)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(gain <= t, "example {name}: deviation gain {gain}");
        assert!(p.operator_surplus(&Tariff::CmpB) >= -t);
    }
}

/// A larger site (3-5 EVSEs per station) where the dense cone takes tens of seconds: the sparse
/// one certifies a bound quickly; its gap is reported, never hidden.
#[test]
fn a_ten_ev_site_gets_a_sparse_certificate() {
    let size = RandomSize {
        evs: 8,
        stations: 3,
        slots: 6,
    };
    let inst = random_instance_with_evse(size, 3..=5, 2).unwrap();
    let p = price(&inst, &sparse(Tightening::Off)).unwrap();
    assert_certified(&p, "8x3x6");
    assert_eq!(p.exact, p.gap <= p.tolerance);
    assert_eq!(
        p.stopped_by,
        if p.exact {
            StoppedBy::Closed
        } else {
            StoppedBy::TighteningOff
        }
    );
}

#[test]
fn stopped_by_says_why_the_gap_is_open() {
    let c = load("copositive_example_c.json");
    assert_eq!(
        price(&c, &dense(Tightening::Auto)).unwrap().stopped_by,
        StoppedBy::Closed
    );
    let off = price(&c, &dense(Tightening::Off)).unwrap();
    assert_eq!(off.stopped_by, StoppedBy::TighteningOff);
    assert_eq!(off.components[0].stopped_by, StoppedBy::TighteningOff);
    let mut small = dense(Tightening::Auto);
    small.branch_budget.max_nodes = 2;
    let p = price(&c, &small).unwrap();
    assert!(!p.exact);
    assert_eq!(p.stopped_by, StoppedBy::BranchBudget);
}

/// No time at all: not even the first certificate, and the error says so (never a made-up
/// bound).
#[test]
fn a_spent_budget_is_an_error_not_a_guess() {
    let a = load("copositive_example_a.json");
    let options = PricingOptions {
        time_limit_s: Some(0.0),
        ..PricingOptions::default()
    };
    match price(&a, &options) {
        Err(Error::TimeLimit { component: 0, .. }) => {}
        other => panic!("expected a time-limit error, got {other:?}"),
    }
}

#[test]
fn a_negative_or_nan_budget_is_rejected() {
    let a = load("copositive_example_a.json");
    for bad in [-1.0, f64::NAN] {
        let options = PricingOptions {
            time_limit_s: Some(bad),
            ..PricingOptions::default()
        };
        match price(&a, &options) {
            Err(Error::InvalidOption { field, .. }) => assert_eq!(field, "time_limit_s"),
            other => panic!("{bad}: expected InvalidOption, got {other:?}"),
        }
    }
    // An infinite or generous budget changes nothing.
    for ok in [f64::INFINITY, 1e9] {
        let options = PricingOptions {
            time_limit_s: Some(ok),
            ..PricingOptions::default()
        };
        let p = price(&a, &options).unwrap();
        assert!(p.exact && p.stopped_by == StoppedBy::Closed);
    }
    // A conic solve needs at least one thread; two give the same exact prices on example A.
    let threads = |threads: u32| PricingOptions {
        cone: ConeSettings {
            threads,
            ..ConeSettings::default()
        },
        ..PricingOptions::default()
    };
    match price(&a, &threads(0)) {
        Err(Error::InvalidOption { field, .. }) => assert_eq!(field, "cone.threads"),
        other => panic!("0 threads: expected InvalidOption, got {other:?}"),
    }
    assert!(price(&a, &threads(2)).unwrap().exact);
}

/// The clique cones written by us (`ConeSettings::own_cliques`) and Clarabel's decomposition of
/// the one sparse cone are the same cone (Agler's theorem): the same bound up to the solvers'
/// accuracy, both certified.
#[test]
fn own_clique_cones_give_the_bound_of_clarabels_decomposition() {
    let size = RandomSize {
        evs: 3,
        stations: 2,
        slots: 4,
    };
    let mut instances: Vec<(String, _)> = (0..3)
        .map(|seed| {
            let inst = random_instance(size, 300 + seed).unwrap();
            (format!("seed {}", 300 + seed), inst)
        })
        .collect();
    instances.push(("example C".into(), load("copositive_example_c.json")));
    for (label, inst) in instances {
        let clarabel = price(&inst, &sparse(Tightening::Off)).unwrap();
        let mut own = sparse(Tightening::Off);
        own.cone.own_cliques = true;
        let own = price(&inst, &own).unwrap();
        assert_certified(&own, &label);
        let t = tol(own.welfare);
        assert!(
            (own.dual_bound - clarabel.dual_bound).abs() <= t,
            "{label}: own {} against Clarabel's {}",
            own.dual_bound,
            clarabel.dual_bound
        );
    }
}
