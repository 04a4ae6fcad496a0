//! Examples A, B and C of the copositive spec (section 8 and 9).

use evmech_copositive::{price, LiftKind, PricingOptions, SolveStatus};
use evmech_milp_model::RowName;

mod common;
use common::{load, tol};

#[test]
fn example_a_is_priced_exactly() {
    for lift in [LiftKind::Reduced, LiftKind::Full] {
        let opts = PricingOptions {
            lift,
            ..Default::default()
        };
        let p = price(&load("copositive_example_a.json"), &opts).unwrap();
        println!(
            "{lift:?}: {:?} {:?} {:?}",
            p.certificate, p.components, p.prices
        );
        assert!((p.welfare - 6.0).abs() < 1e-6);
        assert!(p.gap.abs() < tol(p.welfare), "{lift:?}: gap {}", p.gap);
        assert_eq!(p.status, SolveStatus::Optimal);
        assert!(p.certificate.min_eig_psd > -1e-6);
        assert!(p.certificate.min_nn > -1e-6);
        // The congested row is the EVSE at A; it carries a positive price.
        let evse_a: f64 = p
            .prices
            .iter()
            .filter(|c| matches!(c.row, RowName::Evse { station: 0, .. }))
            .map(|c| c.rho + c.eta)
            .sum();
        assert!(evse_a > 0.01, "{:?}", p.prices);
    }
}

#[test]
fn example_b_is_priced_exactly() {
    let p = price(
        &load("copositive_example_b.json"),
        &PricingOptions::default(),
    )
    .unwrap();
    println!(
        "{:?} {:?} status {:?} {:.3}s",
        p.certificate, p.components, p.status, p.solve_seconds
    );
    assert!((p.welfare - 13.3).abs() < 1e-6);
    assert!(p.gap.abs() < tol(p.welfare), "gap {}", p.gap);
    // The certificate is proven (repaired if the solver stopped at reduced accuracy).
    assert_eq!(p.status, SolveStatus::Optimal);
}

#[test]
fn example_a_payments_and_deviations() {
    use evmech_copositive::{best_responses, ip_pricing, lp_relaxation, tou, Tariff};
    let p = price(
        &load("copositive_example_a.json"),
        &PricingOptions::default(),
    )
    .unwrap();
    let eps = tol(p.welfare) + p.gap.max(0.0);
    for tariff in [Tariff::CmpA, Tariff::CmpB] {
        let br = best_responses(&p, &tariff).unwrap();
        for b in &br {
            assert!(b.gain <= eps, "{tariff:?}: {b:?}");
        }
        assert!(p.operator_surplus(&tariff) >= -eps, "{tariff:?}");
        println!(
            "{tariff:?}: payments {:?} surplus {}",
            (0..2)
                .map(|n| p.payment(&tariff, n, &p.plan.x))
                .collect::<Vec<_>>(),
            p.operator_surplus(&tariff)
        );
    }
    // CMP-B: participation is voluntary and its surplus is at most CMP-A's.
    for n in 0..2 {
        assert!(p.net_utility(&Tariff::CmpB, n, &p.plan.x) >= -eps);
    }
    assert!(p.operator_surplus(&Tariff::CmpB) <= p.operator_surplus(&Tariff::CmpA) + eps);
    // TOU: EV 1 wants plug A; its lost opportunity cost is 0.3 (spec section 8).
    let t = tou(&p);
    let br = best_responses(&p, &t.tariff).unwrap();
    assert!((br[1].gain - 0.3).abs() < 1e-5, "{br:?}");
    assert_eq!(br[1].best_station, Some(0));
    assert!(br[0].gain.abs() < 1e-5);
    for bench in [lp_relaxation(&p).unwrap(), ip_pricing(&p).unwrap()] {
        let br = best_responses(&p, &bench.tariff).unwrap();
        println!(
            "{}: gains {:?} surplus {}",
            bench.name,
            br.iter().map(|b| b.gain).collect::<Vec<_>>(),
            p.operator_surplus(&bench.tariff)
        );
        assert!(br.iter().all(|b| b.gain >= -1e-6), "LOC is non-negative");
    }
}

#[test]
fn polyhedral_cone_is_certified_and_reports_its_gap() {
    use evmech_copositive::{best_responses, InnerCone, Method, Tariff, Tightening};
    let opts = PricingOptions {
        cone_kind: InnerCone::Polyhedral,
        tightening: Tightening::Off,
        ..Default::default()
    };
    let p = price(&load("copositive_example_a.json"), &opts).unwrap();
    // S is in C^1 (so copositive): every C^1 inequality holds; the PSD part is zero.
    assert!(p.certificate.min_nn >= -1e-7, "{:?}", p.certificate);
    assert_eq!(p.certificate.min_eig_psd, 0.0);
    // C^1 is weak here: its bound is the LP bound 6.3, and the gap says so.
    assert!(p.dual_bound >= p.welfare - 1e-6);
    assert!((p.gap - 0.3).abs() < 1e-4, "gap {}", p.gap);
    // The epsilon-IR guarantee with epsilon = gap still holds.
    for tariff in [Tariff::CmpA, Tariff::CmpB] {
        for b in best_responses(&p, &tariff).unwrap() {
            assert!(b.gain <= p.gap + 1e-4, "{tariff:?} {b:?}");
        }
    }
    // Branching closes it with C^1 certificates too: with every choice fixed a region is an LP.
    let branched = price(
        &load("copositive_example_a.json"),
        &PricingOptions {
            tightening: Tightening::Branch,
            ..opts
        },
    )
    .unwrap();
    assert!(branched.exact, "gap {}", branched.gap);
    assert_eq!(branched.components[0].method, Method::Branch);
    for tariff in [Tariff::CmpA, Tariff::CmpB] {
        for b in best_responses(&branched, &tariff).unwrap() {
            assert!(b.gain <= 1e-4 * 6.0, "{tariff:?} {b:?}");
        }
    }
}

#[test]
fn c1_slack_detects_non_copositive_matrices() {
    use evmech_copositive::{c1_inequalities, c1_min_slack};
    use nalgebra::DMatrix;
    let identity = DMatrix::<f64>::identity(3, 3);
    assert!(c1_min_slack(&identity) >= 0.0);
    let mut bad = identity.clone();
    bad[(0, 1)] = -0.9;
    bad[(1, 0)] = -0.9;
    assert!(c1_min_slack(&bad) < 0.0);
    assert_eq!(c1_inequalities(3), 3 + 6 + 1);
}

#[test]
fn cmp_mechanisms_pass_the_generic_property_checkers() {
    use evmech_copositive::{CopositiveMechanism, PaymentRule, Site};
    use evmech_mechanisms::properties::{individual_rationality, weak_budget_balance};
    use evmech_mechanisms::{Mechanism, Tolerance};
    let inst = load("copositive_example_b.json");
    let site = Site {
        slot_hours: inst.slot_hours(),
        energy_price_usd_per_kwh: inst.energy_price_usd_per_kwh().to_vec(),
        stations: inst.stations().to_vec(),
    };
    let reports = inst.evs().to_vec();
    let tol = Tolerance::new(1e-4, 1e-5).unwrap();
    for rule in [PaymentRule::CmpA, PaymentRule::CmpB] {
        let mech = CopositiveMechanism::new(site.clone(), rule, PricingOptions::default());
        let out = mech.run(&reports).unwrap();
        assert_eq!(out.allocation()[1].station, Some(1), "{}", mech.name());
        // Payments include the energy cost, so revenue >= 0 follows from revenue adequacy.
        assert!(weak_budget_balance(&out).holds(tol));
        let ir = individual_rationality(&out, &reports).unwrap();
        assert!(ir.holds(tol), "{}: {ir:?}", mech.name());
    }
    // Reports are validated: a request with the wrong number of access costs is refused.
    let mut bad = reports.clone();
    bad[0].access_cost_usd.pop();
    let mech = CopositiveMechanism::new(site, PaymentRule::CmpB, PricingOptions::default());
    assert!(mech.run(&bad).is_err());
}
