//! Properties 2-9 of the copositive spec (section 8) on seeded random instances.
//!
//! The default suite checks a handful of 2-3 EV instances. The wider sweep is ignored by default:
//! `cargo test --release -p evmech-copositive --test properties -- --ignored --nocapture`.
//!
//! Tolerances: money checks use `1e-4 * max(1, W*)` (Clarabel stops near 1e-8 relative residuals,
//! and prices multiply quantities of order 10); the IR statements are epsilon-IR with
//! epsilon = tolerance + the certified gap, exactly as the theory allows.

use evmech_copositive::{
    best_responses, lp_relaxation, price, tou, Pricing, PricingOptions, Tariff,
};
use evmech_milp_model::{random_instance, Instance, RandomSize};

struct Verdicts {
    gap: f64,
    max_gain_a: f64,
    max_gain_b: f64,
    surplus_a: f64,
    surplus_b: f64,
}

fn tol(p: &Pricing) -> f64 {
    1e-4 * p.welfare.abs().max(1.0)
}

/// Checks properties 2-7 and 9 on one instance; returns the numbers for reporting.
fn check(inst: &Instance, label: &str) -> Verdicts {
    let p = price(inst, &PricingOptions::default()).unwrap_or_else(|e| panic!("{label}: {e}"));
    let t = tol(&p);
    let lp = p.model.solve_lp_relaxation().unwrap();
    // 2. Bounds: W* <= DNN bound <= W_LP.
    assert!(
        p.dual_bound >= p.welfare - t,
        "{label}: bound {} < W* {}",
        p.dual_bound,
        p.welfare
    );
    assert!(
        p.dual_bound <= lp.solution.objective + t,
        "{label}: bound above LP"
    );
    // 3. Certificate.
    let c = &p.certificate;
    assert!(c.min_eig_psd >= -1e-6, "{label}: {c:?}");
    assert!(c.min_nn >= -1e-6, "{label}: {c:?}");
    // y*'Sy* = gap + (RLT terms <= 0): between 0 and the gap, equal to it when the gap is 0.
    assert!(
        c.y_s_y >= -t && c.y_s_y <= p.gap + t,
        "{label}: y'Sy {} vs gap {}",
        c.y_s_y,
        p.gap
    );
    let eps = t + p.gap.max(0.0);
    // 4. Signs (raw multipliers before clamping), and complementary slackness up to what
    // copositivity implies: moving slack k by -eps s*_k gives
    // rho s* <= y'Sy / eps + eps eta s*^2 for eps in (0, 1].
    assert!(c.min_raw_price >= -t, "{label}: {c:?}");
    let ysy = c.y_s_y.max(0.0);
    for price in &p.prices {
        let (rho, eta, s) = (price.rho, price.eta, price.slack.max(0.0));
        let bound = if eta * s * s > ysy {
            2.0 * s * (ysy * eta).sqrt()
        } else {
            ysy + eta * s * s
        };
        assert!(
            rho * s <= bound + t,
            "{label}: {price:?} breaks complementary slackness (bound {bound})"
        );
    }
    // 5. Revenue adequacy, and CMP-B collects at most what CMP-A does.
    let (sa, sb) = (
        p.operator_surplus(&Tariff::CmpA),
        p.operator_surplus(&Tariff::CmpB),
    );
    assert!(sa >= -t && sb >= -t, "{label}: surplus A {sa} B {sb}");
    assert!(sb <= sa + t, "{label}: CMP-B {sb} > CMP-A {sa}");
    // 6. Strong IR: no deviation gains more than epsilon.
    let gain = |tariff: &Tariff| {
        best_responses(&p, tariff)
            .unwrap()
            .iter()
            .map(|b| b.gain)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let (ga, gb) = (gain(&Tariff::CmpA), gain(&Tariff::CmpB));
    assert!(
        ga <= eps && gb <= eps,
        "{label}: gains A {ga} B {gb}, eps {eps}"
    );
    // 7. Participation under CMP-B.
    for n in 0..inst.evs().len() {
        let u = p.net_utility(&Tariff::CmpB, n, &p.plan.x);
        assert!(u >= -eps, "{label}: EV {n} net utility {u}");
    }
    // 9. Benchmarks: lost opportunity costs are non-negative.
    for bench in [tou(&p), lp_relaxation(&p).unwrap()] {
        assert!(
            gain(&bench.tariff) >= -t,
            "{label}: {} LOC negative",
            bench.name
        );
    }
    Verdicts {
        gap: p.gap,
        max_gain_a: ga,
        max_gain_b: gb,
        surplus_a: sa,
        surplus_b: sb,
    }
}

#[test]
fn properties_hold_on_random_instances() {
    for seed in 0..4 {
        let size = RandomSize {
            evs: 2 + (seed as usize % 2),
            stations: 2,
            slots: 3,
        };
        let inst = random_instance(size, seed).unwrap();
        check(&inst, &format!("seed {seed}"));
    }
}

#[test]
fn invariances_of_verdicts() {
    // 8. Scaling money by c scales W* and the bound by c; permuting EVs or stations keeps W*,
    // the bound and the verdicts; more capacity never lowers W*.
    let inst = random_instance(
        RandomSize {
            evs: 3,
            stations: 2,
            slots: 3,
        },
        11,
    )
    .unwrap();
    let base = price(&inst, &PricingOptions::default()).unwrap();
    let t = tol(&base);
    let scaled = inst.scale_money(2.5).unwrap();
    let ps = price(&scaled, &PricingOptions::default()).unwrap();
    assert!((ps.welfare - 2.5 * base.welfare).abs() <= 2.5 * t);
    assert!((ps.dual_bound - 2.5 * base.dual_bound).abs() <= 2.5 * t);
    check(&scaled, "scaled");
    for permuted in [
        inst.permute_evs(&[2, 0, 1]).unwrap(),
        inst.permute_stations(&[1, 0]).unwrap(),
    ] {
        let pp = price(&permuted, &PricingOptions::default()).unwrap();
        assert!((pp.welfare - base.welfare).abs() <= t);
        assert!((pp.dual_bound - base.dual_bound).abs() <= t);
        check(&permuted, "permuted");
    }
    let more = inst.with_more_capacity(0, 1, 2.0).unwrap();
    assert!(price(&more, &PricingOptions::default()).unwrap().welfare >= base.welfare - t);
}

#[test]
#[ignore = "wide sweep (minutes): run with --ignored --nocapture"]
fn sweep_random_instances() {
    let mut loose = 0;
    let mut n = 0;
    for evs in 2..=4 {
        for seed in 0..15u64 {
            let slots = 2 + (seed as usize % 3);
            let inst = random_instance(
                RandomSize {
                    evs,
                    stations: 2,
                    slots,
                },
                1000 * evs as u64 + seed,
            )
            .unwrap();
            let v = check(&inst, &format!("evs {evs} seed {seed}"));
            n += 1;
            if v.gap > 1e-4 {
                loose += 1;
            }
            println!(
                "evs {evs} slots {slots} seed {seed}: gap {:.2e} gain A {:.1e} B {:.1e} surplus A {:.3} B {:.3}",
                v.gap, v.max_gain_a, v.max_gain_b, v.surplus_a, v.surplus_b
            );
        }
    }
    println!("{loose} of {n} instances have a gap above 1e-4");
}
