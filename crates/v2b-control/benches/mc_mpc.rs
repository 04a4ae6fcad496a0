//! MC-MPC speed: one decision with 15 connected EVs at 09:00 for F in {1, 10, 30}, with each LP
//! backend, and a full simulated weekday (the May 2019 fixture's first day).
//!
//! `cargo bench -p evmech-v2b-control --bench mc_mpc`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evmech_milp_model::LpBackend;
use evmech_v2b_control::policy::{
    ChargingPolicy, ConnectedEv, DayView, McMpc, McMpcOptions, Observation,
};
use evmech_v2b_control::{day_plan, simulate, DepartureMode, Scenario, Site};
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn fixture(days: usize) -> Scenario {
    Scenario::from_csv_files(
        Path::new(&format!("{DATA}/caltech_2019-05_weekdays.csv")),
        Path::new(&format!("{DATA}/doe_medium_office_la_hourly.csv")),
        Site::paper_default(),
        DepartureMode::Compliant,
        15,
        Some(days),
    )
    .unwrap()
}

/// Fifteen EVs on the fifteen chargers at slot 36, leaving between 64 and 78.
fn fifteen_evs() -> Vec<ConnectedEv> {
    (0..15)
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
                discharge_cap_kw: if i >= 10 { 20.0 } else { 0.0 },
            }
        })
        .collect()
}

fn decision(c: &mut Criterion) {
    let scenario = fixture(23);
    let (assignment, targets) = day_plan(&scenario, 0);
    let view = DayView {
        scenario: &scenario,
        day: 0,
        assignment: &assignment,
        targets_kwh: &targets,
        past_peak_kw: 150.0,
    };
    let evs = fifteen_evs();
    let obs = Observation {
        view: &view,
        slot: 36,
        building_kw: scenario.days()[0].building_kw[36],
        past_peak_kw: 150.0,
        evs: &evs,
    };
    let mut group = c.benchmark_group("mc_mpc_decision_15_evs");
    group.sample_size(10);
    for backend in [LpBackend::Cbc, LpBackend::Clarabel] {
        for f in [1usize, 10, 30] {
            let mut policy = McMpc::new(McMpcOptions {
                scenarios: f,
                backend,
                ..McMpcOptions::default()
            });
            let size = policy.problem(&obs).to_sparse_lp().unwrap().size();
            let id = format!(
                "{backend:?}/F={f} ({} cols, {} rows)",
                size.columns, size.rows
            );
            if backend == LpBackend::Cbc {
                group.bench_function(
                    BenchmarkId::from_parameter(format!("model only/F={f}")),
                    |b| b.iter(|| policy.problem(&obs).to_sparse_lp().unwrap()),
                );
            }
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| policy.decide(&obs).unwrap())
            });
        }
    }
    group.finish();
}

fn weekday(c: &mut Criterion) {
    let scenario = fixture(1);
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

criterion_group!(benches, decision, weekday);
criterion_main!(benches);
