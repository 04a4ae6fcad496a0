//! The negotiation inside the simulator: accounting of payments and rejects, determinism, and
//! the Table 1 rows on a synthetic day.

use evmech_lab::consent_table::{run_table, TablePolicy, TableSettings};
use evmech_v2b_control::negotiation::Negotiator;
use evmech_v2b_control::policy::{McMpc, McMpcOptions, ReqCharge};
use evmech_v2b_control::{simulate, simulate_with, FreeAccess, SyntheticConfig};

fn day() -> evmech_v2b_control::Scenario {
    SyntheticConfig {
        days: Some(1),
        seed: 11,
        arrivals_per_day: 14.0,
        ..SyntheticConfig::default()
    }
    .generate()
    .unwrap()
}

fn small_mpc() -> McMpc {
    McMpc::new(McMpcOptions {
        scenarios: 2,
        seed: 1,
        ..McMpcOptions::default()
    })
}

#[test]
fn free_access_is_the_plain_simulation() {
    let s = day();
    let plain = simulate(&s, &mut ReqCharge, None).unwrap();
    let with = simulate_with(&s, &mut ReqCharge, &mut FreeAccess, None).unwrap();
    assert_eq!(plain.building_cost_usd, with.building_cost_usd);
    assert_eq!(with.users.served + with.users.no_charger, with.arrivals);
    assert_eq!(with.payments_usd, 0.0);
}

#[test]
fn consent_accounts_every_arrival_and_payment_and_is_deterministic() {
    let s = day();
    let run = || {
        let mut n = Negotiator::consent(5);
        n.settings.scenarios = 2;
        simulate_with(&s, &mut small_mpc(), &mut n, None).unwrap()
    };
    let r = run();
    let u = &r.users;
    assert!(r.arrivals > 0);
    assert_eq!(u.served + u.declined + u.no_charger, r.arrivals);
    assert_eq!(u.levels_chosen.iter().sum::<usize>(), u.served);
    assert_eq!(u.arrival_policy, "consent");
    let bill = r.energy_cost_usd + r.demand_cost_usd + r.compensation_usd + r.degradation_usd;
    assert!((r.building_cost_usd - (bill - r.payments_usd)).abs() < 1e-9);
    assert!(
        u.lp_solves >= u.served + u.declined,
        "one menu per arrival with a charger"
    );
    let expected_reject = 100.0 * (u.declined + u.no_charger) as f64 / r.arrivals as f64;
    assert!((u.reject_pct - expected_reject).abs() < 1e-12);
    // One record per decided arrival, consistent with the counts and the paper's level limits
    // (at most a 20 % reduction and 105 minutes of delay).
    assert_eq!(u.records.len(), u.served + u.declined);
    assert_eq!(u.records.iter().filter(|a| a.served).count(), u.served);
    for (l, &count) in u.levels_chosen.iter().enumerate() {
        assert_eq!(
            u.records.iter().filter(|a| a.level == Some(l)).count(),
            count
        );
    }
    for a in &u.records {
        assert_eq!(a.served, a.price.is_some(), "{a:?}");
        assert!(a.reduction_kwh >= -1e-9, "{a:?}");
        assert!((0..=7).contains(&a.delay_slots), "{a:?}");
        if a.level == Some(0) {
            assert!(a.reduction_kwh.abs() < 1e-9 && a.delay_slots == 0, "{a:?}");
        }
    }
    let again = run();
    assert_eq!(again.building_cost_usd, r.building_cost_usd);
    assert_eq!(again.users.payments_usd, r.users.payments_usd);
    assert_eq!(again.users.levels_chosen, r.users.levels_chosen);
    assert_eq!(again.users.records, r.users.records);
}

#[test]
fn table_rows_keep_their_defining_properties() {
    let s = day();
    let settings = TableSettings {
        charging_scenarios: 2,
        negotiation_scenarios: 2,
        seed: 3,
        ..TableSettings::default()
    };
    let reports = run_table(&s, &TablePolicy::ALL, &settings, &mut |_, _, _| {}).unwrap();
    let get = |name: &str| reports.iter().find(|r| r.policy == name).unwrap();
    assert_eq!(get("building-only").arrivals, 0);
    assert_eq!(get("building-only").payments_usd, 0.0);
    // MaxCharge serves everyone as soon as possible: the building pays more than alone.
    assert!(get("uncoordinated-free").building_cost_usd > get("building-only").building_cost_usd);
    // Same charging, same energy: the fixed price is what separates rows 3 and 4.
    let (free, fixed) = (get("smart-free"), get("smart-fixed"));
    assert!((fixed.users.user_cost_usd_per_kwh - 0.178).abs() < 1e-9);
    assert!(
        (free.building_cost_usd - fixed.building_cost_usd - fixed.payments_usd).abs() < 1e-6,
        "row 3 - row 4 = row 4's payments"
    );
    for row in [
        "smart-utility",
        "consent-no-reject",
        "smart-free",
        "smart-fixed",
    ] {
        assert_eq!(get(row).users.declined, 0, "{row} has no reject option");
    }
    assert_eq!(
        get("smart-utility").users.levels_chosen,
        vec![get("smart-utility").users.served]
    );
    // The static menu never charges below 0.
    assert!(get("menu").payments_usd >= 0.0);
}

/// The numbers of a report that must not depend on scheduling (timings left out).
fn outcome(r: &evmech_v2b_control::EpisodeReport) -> String {
    format!(
        "{} {:.12} {:.12} {:.12} {:?} {:?} {:?}",
        r.policy,
        r.building_cost_usd,
        r.payments_usd,
        r.peak_kw,
        r.users.levels_chosen,
        r.users.records,
        r.days.iter().map(|d| &d.ev_kw).collect::<Vec<_>>()
    )
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

#[test]
fn threads_do_not_change_the_table_rows() {
    let s = day();
    let settings = TableSettings {
        charging_scenarios: 2,
        negotiation_scenarios: 2,
        seed: 5,
        ..TableSettings::default()
    };
    let rows = [
        TablePolicy::SmartFree,
        TablePolicy::Menu,
        TablePolicy::Consent,
    ];
    let run = |threads: usize| {
        pool(threads).install(|| {
            run_table(&s, &rows, &settings, &mut |_, _, _| {})
                .unwrap()
                .iter()
                .map(outcome)
                .collect::<Vec<_>>()
        })
    };
    let one = run(1);
    assert_eq!(one.len(), rows.len());
    assert_eq!(run(2), one);
    assert_eq!(run(3), one);
}

#[test]
fn threads_do_not_change_a_comparison() {
    use evmech_lab::compare::compare;
    use evmech_v2b_control::policy::{PolicyKind, PolicySettings};
    let s = day();
    let settings = PolicySettings {
        scenarios: 2,
        seed: 2,
        ..PolicySettings::default()
    };
    let kinds = [PolicyKind::ReqCharge, PolicyKind::Llf, PolicyKind::McMpc];
    let run = |threads: usize| {
        pool(threads).install(|| {
            compare(&s, &kinds, &settings, &mut |_, _, _| {})
                .unwrap()
                .iter()
                .map(outcome)
                .collect::<Vec<_>>()
        })
    };
    let one = run(1);
    assert_eq!(run(2), one);
}
