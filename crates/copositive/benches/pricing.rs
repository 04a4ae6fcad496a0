//! Pricing time against the lifted size n1, full and reduced lifts; the sparse cones on a larger
//! site; LP certificates per region on it and on a 20-EV site; Example C (loose under PSD + NN) without tightening, with `auto` (branching) and with
//! `K^1`.
//!
//! `cargo bench -p evmech-copositive --bench pricing`; results in `docs/benchmarks.md`.
//! Larger instances (one solve takes tens of seconds) are timed once by the
//! `copositive_pricing` example instead.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evmech_copositive::{price, InnerCone, LiftKind, PricingOptions, Tightening};
use evmech_milp_model::{random_instance, random_instance_with_evse, Instance, RandomSize};
use std::time::Duration;

fn example(name: &str) -> Instance {
    // Read when the bench runs (cargo sets it): a binary another checkout built into the
    // shared build cache would otherwise look in that checkout.
    let root =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let path = format!("{root}/../../examples/data/{name}");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("valid")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("copositive_pricing");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let mut cases: Vec<(String, Instance, Vec<LiftKind>)> = vec![
        (
            "example_a".into(),
            example("copositive_example_a.json"),
            vec![LiftKind::Reduced, LiftKind::Full],
        ),
        (
            "example_b".into(),
            example("copositive_example_b.json"),
            vec![LiftKind::Reduced, LiftKind::Full],
        ),
    ];
    let size = RandomSize {
        evs: 4,
        stations: 2,
        slots: 4,
    };
    cases.push((
        "random_4x2x4".into(),
        random_instance(size, 5).expect("valid"),
        vec![LiftKind::Reduced],
    ));
    for (name, inst, lifts) in cases {
        for lift in lifts {
            let options = PricingOptions {
                lift,
                ..PricingOptions::default()
            };
            let n1 = price(&inst, &options)
                .expect("priced")
                .components
                .iter()
                .map(|c| c.n1)
                .max()
                .unwrap_or(0);
            let id = BenchmarkId::new(format!("{name}/{lift:?}"), format!("n1={n1}"));
            group.bench_with_input(id, &inst, |b, inst| {
                b.iter(|| price(inst, &options).expect("priced"))
            });
        }
    }
    // A larger site (3-5 EVSEs per station) where the dense cone takes about 40 s: the sparse
    // cones (chordal decomposition) alone.
    let site = random_instance_with_evse(
        RandomSize {
            evs: 6,
            stations: 3,
            slots: 6,
        },
        3..=5,
        5,
    )
    .expect("valid");
    let sparse = PricingOptions {
        lift: LiftKind::Sparse,
        cone_kind: InnerCone::SparsePsdNn,
        ..PricingOptions::default()
    };
    group.bench_with_input(
        BenchmarkId::new("random_6x3x6_evse3-5_seed5", "sparse"),
        &site,
        |b, inst| b.iter(|| price(inst, &sparse).expect("priced")),
    );
    // The same site and a 20-EV one with LP certificates per region (`cone: "linear"`).
    let linear = PricingOptions {
        cone_kind: InnerCone::Linear,
        ..PricingOptions::default()
    };
    let fleet = random_instance_with_evse(
        RandomSize {
            evs: 20,
            stations: 3,
            slots: 8,
        },
        3..=5,
        4,
    )
    .expect("valid");
    for (name, inst) in [
        ("random_6x3x6_evse3-5_seed5", &site),
        ("random_20x3x8_evse3-5_seed4", &fleet),
    ] {
        group.bench_with_input(BenchmarkId::new(name, "linear"), inst, |b, inst| {
            b.iter(|| price(inst, &linear).expect("priced"))
        });
    }
    let c = example("copositive_example_c.json");
    for tightening in [Tightening::Off, Tightening::Auto, Tightening::K1] {
        let options = PricingOptions {
            tightening,
            ..PricingOptions::default()
        };
        let id = BenchmarkId::new("example_c", format!("{tightening:?}"));
        group.bench_with_input(id, &c, |b, inst| {
            b.iter(|| price(inst, &options).expect("priced"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
