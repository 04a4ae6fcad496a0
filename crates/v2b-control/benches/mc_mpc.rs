//! MC-MPC speed: one decision with 15 connected EVs at 09:00 for F in {1, 10, 30}, on both time
//! grids (hourly, the default, and slots) with each LP backend, the same decision through the
//! live API (`Controller::decide`, state and history in), and a full simulated weekday (the May
//! 2019 fixture's first day). The futures are causal: drawn from the weekdays before the
//! decision.
//!
//! `cargo bench -p evmech-v2b-control --bench mc_mpc`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evmech_milp_model::charging::TimeGrid;
use evmech_milp_model::LpBackend;
use evmech_v2b_control::live::{Controller, LiveEv, LiveOptions, SiteState};
use evmech_v2b_control::policy::PolicyKind;
use evmech_v2b_control::policy::{ChargingPolicy, McMpc, McMpcOptions, Observation};
use evmech_v2b_control::simulate;

mod common;

fn decision(c: &mut Criterion) {
    // The last weekday of the month, its futures drawn causally from the 22 before it.
    let scenario = common::fixture(Some(23));
    let today = 22;
    let history = scenario.history_before(today);
    let evs = common::connected_evs(0..15, |i| if i >= 10 { 20.0 } else { 0.0 });
    let obs = Observation {
        config: scenario.config(),
        date: scenario.days()[today].date,
        slot: 36,
        building_kw: scenario.days()[today].building_kw[36],
        past_peaks_kw: &[150.0],
        evs: &evs,
        history: &history,
        hindsight: None,
    };
    let mut group = c.benchmark_group("mc_mpc_decision_15_evs");
    group.sample_size(10);
    let grids = [
        ("hourly", TimeGrid::HOURLY_AFTER_FIRST_HOUR),
        ("slots", TimeGrid::Slots),
    ];
    let backends = [LpBackend::Highs, LpBackend::Cbc, LpBackend::Clarabel]
        .into_iter()
        .filter(|b| b.is_available());
    for (backend, (grid_name, time_grid)) in backends.flat_map(|b| grids.map(|g| (b, g))) {
        for f in [1usize, 10, 30] {
            let mut policy = McMpc::new(McMpcOptions {
                scenarios: f,
                backend,
                time_grid,
                ..McMpcOptions::default()
            });
            let size = policy
                .problem(&obs)
                .unwrap()
                .problem
                .to_sparse_lp()
                .unwrap()
                .size();
            let id = format!(
                "{backend:?}/{grid_name}/F={f} ({} cols, {} rows)",
                size.columns, size.rows
            );
            if backend == LpBackend::default() {
                group.bench_function(
                    BenchmarkId::from_parameter(format!("model only/{grid_name}/F={f}")),
                    |b| {
                        b.iter(|| {
                            policy
                                .problem(&obs)
                                .unwrap()
                                .problem
                                .to_sparse_lp()
                                .unwrap()
                        })
                    },
                );
            }
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| policy.decide(&obs).unwrap())
            });
        }
    }
    group.finish();
}

/// The live API's call for the same state: 15 connected EVs at 09:00 on the month's last
/// weekday, F = 30 futures from the 22 weekdays before it, default grid and backend (the rolling
/// horizon stops at the month's end, midnight); and the same call a day earlier, 30 May, where the
/// default rolling horizon plans 24 hours ahead, to 09:00 the next day.
fn live(c: &mut Criterion) {
    let scenario = common::fixture(Some(23));
    let mut group = c.benchmark_group("live_decision_15_evs");
    group.sample_size(10);
    for (today, label) in [(22, ""), (21, ", 30 May, 24 h ahead")] {
        let history = scenario.history_before(today);
        let state = live_state(&scenario, today);
        for f in [1usize, 30] {
            let options = LiveOptions {
                policy: if f == 1 {
                    PolicyKind::Mpc
                } else {
                    PolicyKind::McMpc
                },
                scenarios: f,
                ..LiveOptions::default()
            };
            let mut controller = Controller::new(scenario.config().clone(), options).unwrap();
            group.bench_function(BenchmarkId::from_parameter(format!("F={f}{label}")), |b| {
                b.iter(|| controller.decide(&state, &history).unwrap())
            });
        }
    }
    group.finish();
}

/// The benchmark's 15 connected EVs at 09:00 of day `today` as a live state.
fn live_state(scenario: &evmech_v2b_control::Scenario, today: usize) -> SiteState {
    let date = scenario.days()[today].date;
    let at = |slot: usize| {
        let m = slot * 15;
        format!("{date}T{:02}:{:02}:00-07:00", m / 60, m % 60)
    };
    let evs = common::connected_evs(0..15, |_| 0.0)
        .into_iter()
        .map(|ev| LiveEv {
            id: format!("ev{}", ev.charger),
            charger: ev.charger,
            arrival: at(ev.arrival_slot),
            departure: at(ev.departure_slot),
            energy_kwh: ev.energy_kwh,
            target_kwh: ev.target_kwh,
            battery_kwh: ev.battery_kwh,
            limits: Default::default(),
        })
        .collect();
    SiteState {
        time: at(36),
        building_kw: scenario.days()[today].building_kw[36],
        month_peak_kw: 150.0,
        month_peaks_kw: Default::default(),
        evs,
    }
}

fn weekday(c: &mut Criterion) {
    let scenario = common::fixture(Some(1));
    let mut group = c.benchmark_group("simulated_weekday");
    group.sample_size(10);
    for f in [10usize, 30] {
        group.bench_function(BenchmarkId::from_parameter(format!("mc-mpc F={f}")), |b| {
            b.iter(|| {
                let mut policy = McMpc::new(McMpcOptions {
                    scenarios: f,
                    ..McMpcOptions::default()
                });
                simulate(&scenario, &mut policy as &mut dyn ChargingPolicy, None).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decision, live, weekday);
criterion_main!(benches);
