//! Shared generators and helpers for the mechanisms tests.
#![allow(dead_code)]

use evmech_mechanisms::realtime::Endowments;
use evmech_mechanisms::{Valuation, ValueMatrix};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Proptest configuration of this crate: a fixed seed (the same cases on every run and machine;
/// set `PROPTEST_CASES` to run more) and the given number of cases.
pub fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5eed_0fe7_3ec4),
        ..Config::default()
    }
}

/// Builds valuations from integer rows.
pub fn vals(rows: &[&[f64]]) -> Vec<Valuation> {
    rows.iter()
        .map(|r| Valuation::new(r.to_vec()).expect("valid"))
        .collect()
}

/// An `n x m` matrix of small integers (many ties, exact arithmetic).
pub fn arb_matrix(
    max_n: usize,
    max_m: usize,
    max_value: u32,
) -> impl Strategy<Value = ValueMatrix> {
    (0..=max_n, 0..=max_m).prop_flat_map(move |(n, m)| {
        proptest::collection::vec(0..=max_value, n * m).prop_map(move |data| {
            ValueMatrix::new(n, m, data.into_iter().map(f64::from).collect()).expect("valid")
        })
    })
}

/// A real-time instance: valuations, random endowments, prices and an arrival order.
#[derive(Debug, Clone)]
pub struct RtInstance {
    pub values: Vec<Valuation>,
    pub endowments: Endowments,
    pub prices: Vec<f64>,
    pub order: Vec<usize>,
}

pub fn arb_rt_instance(max_n: usize, max_m: usize) -> impl Strategy<Value = RtInstance> {
    (1..=max_n, 1..=max_m).prop_flat_map(|(n, m)| {
        (
            proptest::collection::vec(proptest::collection::vec(0u32..=5, m), n),
            proptest::collection::vec(proptest::option::weighted(0.6, 0..m), n),
            proptest::collection::vec(prop_oneof![Just(0u32), Just(0), 1u32..=2], m),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        )
            .prop_map(move |(v, wished, q, order)| {
                // Give each agent its wished item unless already taken.
                let mut taken = vec![false; m];
                let holdings = wished
                    .into_iter()
                    .map(|w| w.filter(|&k| !std::mem::replace(&mut taken[k], true)))
                    .collect();
                RtInstance {
                    values: v
                        .into_iter()
                        .map(|r| Valuation::new(r.into_iter().map(f64::from).collect()).unwrap())
                        .collect(),
                    endowments: Endowments::new(m, holdings).expect("distinct"),
                    prices: q.into_iter().map(f64::from).collect(),
                    order,
                }
            })
    })
}

/// Every valuation over `m` items with entries from `grid`: the misreport set of DSIC checks.
pub fn grid_reports(m: usize, grid: &[f64]) -> Vec<Valuation> {
    let mut out = vec![Vec::new()];
    for _ in 0..m {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<f64>| {
                grid.iter().map(move |&g| {
                    let mut p = prefix.clone();
                    p.push(g);
                    p
                })
            })
            .collect();
    }
    out.into_iter()
        .map(|r| Valuation::new(r).unwrap())
        .collect()
}
