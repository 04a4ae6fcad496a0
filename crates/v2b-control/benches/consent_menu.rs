//! CONSENT speed: all options for one arrival (L = 3, F = 10) at 09:00 with 14 EVs already
//! connected on the fixture's site, by bisection (`DepartureSearch::default()`), enumeration and binaries, on one
//! and two threads, with the default backend and (when the build has it) CBC.
//!
//! `cargo bench -p evmech-v2b-control --bench consent_menu`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evmech_milp_model::LpBackend;
use evmech_v2b_control::negotiation::{DepartureSearch, MenuOptions, Negotiator};
use evmech_v2b_control::policy::ForecastMode;
use evmech_v2b_control::{Arrival, Session};

mod common;

fn menu(c: &mut Criterion) {
    let scenario = common::fixture(None);
    let first = common::FirstDay::of(&scenario);
    let view = first.view(&scenario);
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
        limits: Default::default(),
        chain: None,
    };
    let evs = common::connected_evs(1..15, |_| 0.0);
    let history = scenario.history_before(0);
    let arrival = Arrival {
        config: scenario.config(),
        date: scenario.days()[0].date,
        history: &history,
        hindsight: Some(&view),
        slot: 36,
        session_index: 99,
        session: &session,
        key: 99,
        charger: 0,
        target_kwh: 60.0,
        building_kw: scenario.days()[0].building_kw[36],
        past_peaks_kw: &[150.0],
        connected: &evs,
    };
    let mut group = c.benchmark_group("consent_menu_15_evs");
    group.sample_size(10);
    let cases = [
        (
            DepartureSearch::Bisect,
            LpBackend::default(),
            [1, 2].as_slice(),
        ),
        (DepartureSearch::Enumerate, LpBackend::default(), &[1, 2]),
        (DepartureSearch::Binaries, LpBackend::default(), &[2]),
        (DepartureSearch::Bisect, LpBackend::Cbc, &[1, 2]),
    ];
    for (search, backend, threads) in cases {
        if !backend.is_available() {
            continue;
        }
        // The pool of the month's other days, as the recorded numbers were measured.
        let mut negotiator = Negotiator::consent(0);
        negotiator.settings.forecast = ForecastMode::HindsightPool;
        negotiator.settings.menu = MenuOptions {
            departure_search: search,
            backend: Some(backend),
            ..MenuOptions::default()
        };
        let lps = negotiator
            .menu_input(&arrival)
            .unwrap()
            .menu(&negotiator.settings.menu)
            .unwrap()
            .lp_solves;
        for &t in threads {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap();
            let id = format!(
                "{search:?} {} threads={t} L=3 F=10 ({lps} solves)",
                backend.name()
            );
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| {
                    pool.install(|| {
                        negotiator
                            .menu_input(&arrival)
                            .unwrap()
                            .menu(&negotiator.settings.menu)
                            .unwrap()
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, menu);
criterion_main!(benches);
