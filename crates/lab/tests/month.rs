//! The shared month (May 2019 Caltech sessions, DOE building): the policies' ordering, and the
//! MC-MPC quality target (ignored by default: under a minute in release).
//!
//! `cargo test --release -p evmech-lab --test month -- --ignored`

use evmech_lab::compare::compare;
use evmech_v2b_control::policy::{ForecastMode, McMpc};
use evmech_v2b_control::policy::{PolicyKind, PolicySettings};
use evmech_v2b_control::{simulate, EpisodeReport, Scenario, SessionOptions, Site};
use std::path::Path;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn data_dir() -> String {
    format!("{}/../v2b-control/tests/data", manifest_dir())
}

fn month() -> Scenario {
    Scenario::from_csv_files(
        Path::new(&format!("{}/caltech_2019-05_weekdays.csv", data_dir())),
        Path::new(&format!("{}/doe_medium_office_la_hourly.csv", data_dir())),
        Site::paper_default(),
        &SessionOptions::paper(),
        None,
    )
    .unwrap()
}

fn run_with(kinds: &[PolicyKind], scenarios: usize, forecast: ForecastMode) -> Vec<EpisodeReport> {
    let settings = PolicySettings {
        scenarios,
        forecast,
        ..PolicySettings::default()
    };
    compare(&month(), kinds, &settings, &mut |_, _, _| {}).unwrap()
}

fn run(kinds: &[PolicyKind], scenarios: usize) -> Vec<EpisodeReport> {
    run_with(kinds, scenarios, ForecastMode::History)
}

/// Deterministic MPC against an open peer (openv2b's deterministic MPC, which also sees no
/// future arrival: 3,905 USD of energy and demand, a 165 kW peak, on the first five weekdays
/// with the same sessions, building load and tariff).
#[test]
fn deterministic_mpc_bills_no_more_than_the_open_peer_on_five_weekdays() {
    let scenario = Scenario::from_csv_files(
        Path::new(&format!("{}/caltech_2019-05_weekdays.csv", data_dir())),
        Path::new(&format!("{}/doe_medium_office_la_hourly.csv", data_dir())),
        Site::paper_default(),
        &SessionOptions::paper(),
        Some(5),
    )
    .unwrap();
    assert_eq!(
        scenario
            .days()
            .iter()
            .map(|d| d.sessions.len())
            .sum::<usize>(),
        94
    );
    let r = simulate(&scenario, &mut McMpc::deterministic(0), None).unwrap();
    let bill = r.energy_cost_usd + r.demand_cost_usd;
    assert!(
        bill <= 3905.0,
        "MPC bills {bill:.2} USD, peak {:.1} kW",
        r.peak_kw
    );
    assert!(r.missing_soc_kwh < 1e-6);
    assert_eq!(r.forecasts.values().sum::<usize>(), r.decisions);
}

#[test]
fn heuristics_and_the_oracle_order_as_in_table_10() {
    use PolicyKind::*;
    let r = run(&[MaxCharge, ReqCharge, Edf, Llf, Oracle], 1);
    let cost: Vec<f64> = r.iter().map(|x| x.building_cost_usd).collect();
    assert_eq!(r[0].days.len(), 23);
    assert_eq!(r[0].arrivals, 416);
    assert!(
        cost[0] > cost[1],
        "MaxCharge {} <= ReqCharge {}",
        cost[0],
        cost[1]
    );
    for (i, c) in cost.iter().enumerate().take(4) {
        assert!(cost[4] < *c, "Oracle {} >= {} {c}", cost[4], r[i].policy);
    }
    for x in [&r[0], &r[1], &r[4]] {
        assert!(
            x.missing_soc_kwh < 1e-6,
            "{} misses {}",
            x.policy,
            x.missing_soc_kwh
        );
        assert_eq!(x.fallbacks, 0);
    }
}

#[test]
#[ignore = "under a minute in release: the papers' quality target, with hindsight futures"]
fn mc_mpc_on_the_hindsight_pool_is_within_two_percent_of_the_oracle() {
    let r = run_with(
        &[PolicyKind::McMpc, PolicyKind::Oracle],
        30,
        ForecastMode::HindsightPool,
    );
    check_gap(&r, 0.02);
}

/// The causal default meets the 2 % target on this month (+0.57 % measured; +1.18 % to the end of
/// the day, +2.23 % with that and the paper's eq. 20 refinement; `docs/v2b.md`).
#[test]
#[ignore = "under a minute in release: causal futures from the month's own past days"]
fn causal_mc_mpc_is_within_two_percent_of_the_oracle() {
    let r = run(&[PolicyKind::McMpc, PolicyKind::Oracle], 30);
    check_gap(&r, 0.02);
}

fn check_gap(r: &[EpisodeReport], limit: f64) {
    let gap = r[0].building_cost_usd / r[1].building_cost_usd - 1.0;
    println!(
        "MC-MPC {:.2} vs Oracle {:.2}: {:+.2}%",
        r[0].building_cost_usd,
        r[1].building_cost_usd,
        100.0 * gap
    );
    assert!(gap < limit, "gap {gap}");
    assert!(r[0].missing_soc_kwh < 1e-6);
    assert_eq!(r[0].fallbacks, 0);
    assert_eq!(r[0].clamps, 0);
}
