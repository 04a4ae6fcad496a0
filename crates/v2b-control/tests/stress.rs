//! Spec 8.1's stress transforms (paper App. G): what each one changes, what it keeps, seeding,
//! and a simulated episode under all of them.

mod common;

use evmech_v2b_control::policy::MaxCharge;
use evmech_v2b_control::{simulate, Error, Scenario, Stress};

fn episode() -> Scenario {
    common::three_synthetic_days()
}

fn named(name: &str, seed: u64) -> Scenario {
    episode()
        .stressed(&Stress::named(name, seed).unwrap())
        .unwrap()
}

#[test]
fn no_stress_is_the_identity_and_draws_are_seeded() {
    let base = episode();
    assert_eq!(base.stressed(&Stress::default()).unwrap(), base);
    assert_eq!(named("none", 3), base);
    assert_eq!(named("all", 3), named("all", 3));
    assert_ne!(named("all", 3), named("all", 4));
}

#[test]
fn departures_move_within_the_day_and_requests_stay() {
    let base = episode();
    let moved = named("departure", 1);
    let n = base.slots_per_day();
    let mut changed = 0;
    for (d0, d1) in base.days().iter().zip(moved.days()) {
        assert_eq!(d0.building_kw, d1.building_kw);
        for (s0, s1) in d0.sessions.iter().zip(&d1.sessions) {
            assert_eq!(s0.requested_departure_slot, s1.requested_departure_slot);
            assert_eq!(s0.requested_energy_kwh, s1.requested_energy_kwh);
            assert!(s1.departure_slot > s1.arrival_slot && s1.departure_slot <= n);
            changed += usize::from(s0.departure_slot != s1.departure_slot);
        }
    }
    assert!(changed > 0);
}

#[test]
fn targets_move_by_at_most_the_spread_within_the_battery() {
    let base = episode();
    let moved = named("target", 1);
    let mut changed = 0;
    for (d0, d1) in base.days().iter().zip(moved.days()) {
        for (s0, s1) in d0.sessions.iter().zip(&d1.sessions) {
            let (a, b) = (s0.requested_energy_kwh, s1.requested_energy_kwh);
            assert!(b >= s1.arrival_energy_kwh && b <= s1.battery_kwh);
            assert!((b - a).abs() <= 0.15 * a + 1e-9, "{a} -> {b}");
            assert_eq!(s0.departure_slot, s1.departure_slot);
            changed += usize::from((a - b).abs() > 1e-9);
        }
    }
    assert!(changed > 0);
}

#[test]
fn daily_load_shifts_by_at_most_the_spread_of_its_mean() {
    let base = episode();
    let moved = named("load", 1);
    for (d0, d1) in base.days().iter().zip(moved.days()) {
        let mean = d0.building_kw.iter().sum::<f64>() / d0.building_kw.len() as f64;
        let shift = d1.building_kw[48] - d0.building_kw[48];
        assert!(shift.abs() <= 0.15 * mean + 1e-9);
        for (a, b) in d0.building_kw.iter().zip(&d1.building_kw) {
            assert!((b - (a + shift).max(0.0)).abs() < 1e-9);
        }
        assert_eq!(d0.sessions, d1.sessions);
    }
}

#[test]
fn prices_rise_by_a_fifth_from_noon_to_four_only() {
    let base = episode();
    let moved = named("price", 1);
    let date = base.days()[0].date;
    for k in 0..base.slots_per_day() {
        let (p0, p1) = (
            base.tariff().energy_price(date, k),
            moved.tariff().energy_price(date, k),
        );
        if (48..64).contains(&k) {
            assert!((p1 - 1.2 * p0).abs() < 1e-12, "slot {k}");
        } else {
            assert_eq!(p0, p1, "slot {k}");
        }
    }
    assert_eq!(base.days(), moved.days());
}

#[test]
fn a_doubled_fleet_has_every_session_twice_with_distinct_ids() {
    let base = episode();
    let moved = named("fleet", 1);
    for (d0, d1) in base.days().iter().zip(moved.days()) {
        assert_eq!(d1.sessions.len(), 2 * d0.sessions.len());
        let mut ids: Vec<&str> = d1.sessions.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), d1.sessions.len());
    }
    // More EVs than chargers: some cannot plug in.
    let calm = simulate(&base, &mut MaxCharge, None).unwrap();
    let busy = simulate(&moved, &mut MaxCharge, None).unwrap();
    assert_eq!(busy.arrivals, 2 * calm.arrivals);
    assert!(busy.rejected_sessions > calm.rejected_sessions);
}

#[test]
fn all_stresses_simulate_and_bad_stresses_are_named() {
    let report = simulate(&named("all", 2), &mut MaxCharge, None).unwrap();
    assert!(report.building_cost_usd.is_finite());
    assert!(matches!(
        Stress::named("storm", 0),
        Err(Error::InvalidParameter {
            field: "stress",
            ..
        })
    ));
    let bad = Stress {
        fleet_factor: 0,
        ..Stress::default()
    };
    assert!(matches!(
        episode().stressed(&bad),
        Err(Error::InvalidParameter {
            field: "stress.fleet_factor",
            ..
        })
    ));
}
