//! Assignment solve, all VCG payments from Walrasian prices, and the naive `n + 1` re-solves.
//!
//! `cargo bench -p evmech-mechanisms --bench assignment`; results in `docs/benchmarks.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use evmech_mechanisms::{assignment, vcg, ValueMatrix};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

/// Square instance of integer values in `[0, 10^6]` (exact arithmetic, few ties).
fn instance(n: usize, seed: u64) -> ValueMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data = (0..n * n)
        .map(|_| f64::from(rng.random_range(0..=1_000_000u32)))
        .collect();
    ValueMatrix::new(n, n, data).expect("valid")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("assignment");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for &n in &[10usize, 100, 500, 1000, 2000] {
        let v = instance(n, 42);
        group.bench_with_input(BenchmarkId::new("solve", n), &v, |b, v| {
            b.iter(|| assignment::solve(black_box(v)))
        });
        group.bench_with_input(BenchmarkId::new("vcg_all_payments", n), &v, |b, v| {
            b.iter(|| {
                let a = assignment::solve(black_box(v));
                vcg::vcg_payments(v, &a)
            })
        });
        group.bench_with_input(BenchmarkId::new("walrasian_min_max_only", n), &v, |b, v| {
            let a = assignment::solve(v);
            b.iter(|| {
                (
                    assignment::min_walrasian_prices(black_box(v), &a),
                    assignment::max_walrasian_prices(v, &a),
                )
            })
        });
        // W*(N \ {i}, K \ {e}) for n pairs (agent i with the item of agent i + 1: never its
        // own), as the endowment pivot of real-time VCG asks, one thread.
        group.bench_with_input(
            BenchmarkId::new("pair_removal_all_agents", n),
            &v,
            |b, v| {
                let a = assignment::solve(v);
                b.iter(|| {
                    let pairs = assignment::PairRemoval::new(black_box(v), &a);
                    (0..n)
                        .map(|i| pairs.welfare_without(i, (i + 1) % n))
                        .sum::<f64>()
                })
            },
        );
        // The naive baseline re-solves once per agent: n + 1 solves. Beyond 500 agents one
        // iteration takes minutes, so it is measured only up to 500.
        if n <= 500 {
            group.bench_with_input(BenchmarkId::new("vcg_naive_resolves", n), &v, |b, v| {
                b.iter(|| {
                    let a = assignment::solve(black_box(v));
                    vcg::naive_vcg_payments(v, &a)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
