//! CONSENT speed: all options for one arrival (L = 3, F = 10) at 09:00 with 14 EVs already
//! connected on the fixture's site, by bisection (the default), enumeration and binaries.
//!
//! `cargo bench -p evmech-v2b-control --bench consent_menu`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evmech_v2b_control::negotiation::{DepartureSearch, MenuOptions, Negotiator};
use evmech_v2b_control::policy::{ConnectedEv, DayView};
use evmech_v2b_control::{day_plan, Arrival, DepartureMode, Scenario, Session, Site};
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// Fourteen EVs on chargers 1..15 at slot 36, leaving between 64 and 77.
fn connected() -> Vec<ConnectedEv> {
    (1..15)
        .map(|i| {
            let battery = [40.0, 75.0, 100.0][i % 3];
            let e = battery * (0.2 + 0.03 * i as f64);
            ConnectedEv {
                session: i,
                key: 1_000 + i as u64,
                charger: i,
                arrival_slot: 30 + i % 6,
                departure_slot: 64 + i,
                energy_kwh: e,
                target_kwh: (e + 0.35 * battery).min(0.95 * battery),
                min_kwh: 0.1 * battery,
                max_kwh: battery,
                battery_kwh: battery,
                charge_cap_kw: 20.0,
                discharge_cap_kw: 0.0,
            }
        })
        .collect()
}

fn menu(c: &mut Criterion) {
    let scenario = Scenario::from_csv_files(
        Path::new(&format!("{DATA}/caltech_2019-05_weekdays.csv")),
        Path::new(&format!("{DATA}/doe_medium_office_la_hourly.csv")),
        Site::paper_default(),
        DepartureMode::Compliant,
        15,
        None,
    )
    .unwrap();
    let (assignment, targets) = day_plan(&scenario, 0);
    let view = DayView {
        scenario: &scenario,
        day: 0,
        assignment: &assignment,
        targets_kwh: &targets,
        past_peak_kw: 150.0,
    };
    let session = Session {
        id: "bench".into(),
        date: scenario.days()[0].date,
        arrival_slot: 36,
        departure_slot: 68,
        requested_departure_slot: 68,
        battery_kwh: 75.0,
        arrival_energy_kwh: 25.0,
        requested_energy_kwh: 60.0,
        hindsight: false,
        reported_need_kwh: 35.0,
        need_clipped: false,
    };
    let evs = connected();
    let arrival = Arrival {
        view: &view,
        slot: 36,
        session_index: 99,
        session: &session,
        key: 99,
        charger: 0,
        target_kwh: 60.0,
        building_kw: scenario.days()[0].building_kw[36],
        past_peak_kw: 150.0,
        connected: &evs,
    };
    let mut group = c.benchmark_group("consent_menu_15_evs");
    group.sample_size(10);
    for search in [
        DepartureSearch::Bisect,
        DepartureSearch::Enumerate,
        DepartureSearch::Binaries,
    ] {
        let mut negotiator = Negotiator::consent(0);
        negotiator.settings.menu = MenuOptions {
            departure_search: search,
            ..MenuOptions::default()
        };
        let lps = negotiator
            .menu_input(&arrival)
            .menu(&negotiator.settings.menu)
            .unwrap()
            .lp_solves;
        group.bench_function(
            BenchmarkId::from_parameter(format!("{search:?} L=3 F=10 ({lps} solves)")),
            |b| {
                b.iter(|| {
                    negotiator
                        .menu_input(&arrival)
                        .menu(&negotiator.settings.menu)
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, menu);
criterion_main!(benches);
