//! Identical futures merge: the sample-average model with one block per draw has the same
//! optimal value as the model with one block per distinct future, weighted by how often it was
//! drawn. The blocks share only the first slot's action (non-anticipativity), so for a fixed
//! first action every copy of a future has the same best continuation. MC-MPC relies on this
//! to write a decision's model once per distinct future.

use evmech_milp_model::charging::{ChargingBlock, ChargingProblem, ChargingWeights, PlannedEv};
use evmech_milp_model::LpBackend;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const SLOTS: usize = 8;

/// The EV connected now: in every block, with the same key (its first action is shared).
fn connected(e0: f64) -> PlannedEv {
    PlannedEv {
        min_kwh: 7.5,
        max_discharge_kw: 10.0,
        ..PlannedEv::new(0, 0, SLOTS, e0, 50.0, 75.0, 20.0)
    }
}

/// One possible future: a building load and one later arrival (slot, energy need).
#[derive(Debug, Clone)]
struct Future {
    building: Vec<f64>,
    arrival: usize,
    need: f64,
}

fn future() -> impl Strategy<Value = Future> {
    (
        prop::collection::vec(20.0f64..80.0, SLOTS),
        1usize..SLOTS - 1,
        5.0f64..30.0,
    )
        .prop_map(|(building, arrival, need)| Future {
            building,
            arrival,
            need,
        })
}

/// The block of future `f`, its arrival keyed by `copy` (every draw's EVs have their own keys,
/// as MC-MPC writes them).
fn block(f: &Future, e0: f64, copy: u64, weight: f64) -> ChargingBlock {
    let price: Vec<f64> = (0..SLOTS)
        .map(|t| if t >= 4 { 0.178 } else { 0.137 })
        .collect();
    let later = PlannedEv::new(
        1000 + copy,
        f.arrival,
        SLOTS,
        10.0,
        10.0 + f.need,
        60.0,
        20.0,
    );
    ChargingBlock {
        weight,
        start_slot: 0,
        building_kw: f.building.clone(),
        price_usd_per_kwh: price,
        peak: vec![true; SLOTS],
        more_peaks: Vec::new(),
        dr: Vec::new(),
        evs: vec![connected(e0), later],
    }
}

fn problem(blocks: Vec<ChargingBlock>, past_peak: f64) -> ChargingProblem {
    let mut p = ChargingProblem {
        weights: ChargingWeights {
            demand_usd_per_kw: 11.67,
            shortfall_usd_per_kwh: 100.0,
            degradation_usd_per_kwh: 0.05,
        },
        backend: LpBackend::default(),
        ..ChargingProblem::new(0.25, blocks)
    };
    p.past_peak_kw = past_peak;
    p
}

fn objective(p: &ChargingProblem) -> f64 {
    let plan = p.solve().expect("solves");
    assert!(plan.status.is_optimal(), "{:?}", plan.status);
    plan.objective_usd
}

proptest! {
    #![proptest_config(Config { cases: 24, rng_seed: RngSeed::Fixed(17), ..Config::default() })]

    #[test]
    fn one_block_per_distinct_future_has_the_value_of_one_block_per_draw(
        pool in prop::collection::vec(future(), 1..4),
        draws in prop::collection::vec(0usize..4, 2..9),
        e0 in 10.0f64..40.0,
        past_peak in 0.0f64..90.0,
    ) {
        let draws: Vec<usize> = draws.into_iter().map(|d| d % pool.len()).collect();
        let n = draws.len() as f64;
        let per_draw: Vec<ChargingBlock> = draws
            .iter()
            .enumerate()
            .map(|(copy, &d)| block(&pool[d], e0, copy as u64, 1.0 / n))
            .collect();
        let merged: Vec<ChargingBlock> = (0..pool.len())
            .filter_map(|d| {
                let copies = draws.iter().filter(|&&x| x == d).count();
                (copies > 0).then(|| block(&pool[d], e0, d as u64, copies as f64 / n))
            })
            .collect();
        prop_assume!(merged.len() < per_draw.len());
        let full = objective(&problem(per_draw, past_peak));
        let small = objective(&problem(merged, past_peak));
        prop_assert!(
            (full - small).abs() <= 1e-6 * (1.0 + full.abs()),
            "per draw {full} vs merged {small}"
        );
    }
}

/// The merge is not an approximation that happens to hold: two different futures at half
/// weight each are not one of them at full weight.
#[test]
fn different_futures_do_not_merge() {
    let calm = Future {
        building: vec![30.0; SLOTS],
        arrival: 6,
        need: 5.0,
    };
    let busy = Future {
        building: vec![30.0, 30.0, 30.0, 30.0, 90.0, 90.0, 90.0, 90.0],
        arrival: 2,
        need: 30.0,
    };
    let both = objective(&problem(
        vec![block(&calm, 20.0, 0, 0.5), block(&busy, 20.0, 1, 0.5)],
        0.0,
    ));
    let calm_only = objective(&problem(vec![block(&calm, 20.0, 0, 1.0)], 0.0));
    assert!((both - calm_only).abs() > 1.0, "{both} vs {calm_only}");
}
