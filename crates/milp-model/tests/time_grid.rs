//! The coarse time grid: unit steps write the slot model, and on data that are constant within
//! steps a coarse plan is a feasible slot plan whose cost is the coarse optimum (so the coarse
//! optimum bounds the exact one from above).

use evmech_milp_model::charging::{
    ChargingBlock, ChargingCurve, ChargingPlan, ChargingProblem, Flexibility, PlannedEv, TimeGrid,
};
use evmech_milp_model::Error;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const TAU: f64 = 0.25;
const HOURLY: TimeGrid = TimeGrid::HOURLY_AFTER_FIRST_HOUR;

fn planned(key: u64, arrival: usize, departure: usize, e0: f64, need: f64) -> PlannedEv {
    PlannedEv {
        min_kwh: 5.0,
        max_kwh: 70.0,
        charge_efficiency: 0.95,
        discharge_efficiency: 0.95,
        ..PlannedEv::new(key, arrival, departure, e0, e0 + need, 75.0, 20.0)
    }
}

fn problem(building: Vec<f64>, peak: Vec<bool>, evs: Vec<PlannedEv>) -> ChargingProblem {
    let price = peak
        .iter()
        .map(|&p| if p { 0.178 } else { 0.137 })
        .collect();
    ChargingProblem::new(
        TAU,
        vec![ChargingBlock {
            weight: 1.0,
            start_slot: 0,
            building_kw: building,
            price_usd_per_kwh: price,
            peak,
            more_peaks: Vec::new(),
            dr: Vec::new(),
            evs,
        }],
    )
}

fn solve(p: &ChargingProblem) -> ChargingPlan {
    let plan = p.solve().expect("solves");
    assert!(plan.status.is_optimal(), "{:?}", plan.status);
    plan
}

/// 16 slots: four single slots, then three hours; EVs arrive at a step's start and leave at a
/// step's end, building load and tariff are constant within each hour; flat or tapering curves.
fn step_aligned_problem() -> impl Strategy<Value = ChargingProblem> {
    let ev = (
        0usize..7,
        1usize..4,
        0.1f64..0.5,
        0.0f64..0.4,
        any::<bool>(),
        any::<bool>(),
    );
    (
        prop::collection::vec(ev, 1..5),
        prop::collection::vec(20.0f64..80.0, 7),
        prop::collection::vec(any::<bool>(), 7),
    )
        .prop_map(|(evs, loads, charged)| {
            // Step k covers slots [bounds[k], bounds[k + 1]).
            let bounds = [0, 1, 2, 3, 4, 8, 12, 16];
            let mut building = Vec::new();
            let mut peak = Vec::new();
            for k in 0..7 {
                for _ in bounds[k]..bounds[k + 1] {
                    building.push(loads[k]);
                    peak.push(charged[k]);
                }
            }
            let evs = evs
                .into_iter()
                .enumerate()
                .map(|(i, (a, stay, s0, need, bi, paper))| {
                    let departure = bounds[(a + stay).min(7)];
                    let mut ev = planned(i as u64, bounds[a], departure, 75.0 * s0, 75.0 * need);
                    ev.target_kwh = ev.target_kwh.min(ev.max_kwh);
                    if bi {
                        ev.max_discharge_kw = 20.0;
                    }
                    if paper {
                        // Tapers above 80 % of 75 kWh: the step's power must respect the cap in
                        // every slot of the step.
                        ev.curve = ChargingCurve::Paper;
                        ev.max_kwh = 74.0;
                        ev.target_kwh = (ev.energy_kwh + 75.0 * need).min(72.0);
                    }
                    ev
                })
                .collect();
            problem(building, peak, evs)
        })
}

/// Checks that `plan` is a feasible plan of the slot problem `p` and returns its cost there.
fn slot_cost(p: &ChargingProblem, plan: &ChargingPlan) -> f64 {
    let block = &p.blocks[0];
    let bp = &plan.blocks[0];
    let w = p.weights;
    let mut peak: f64 = p.past_peak_kw;
    for (k, &g) in bp.grid_kw.iter().enumerate() {
        assert!(g >= -1e-6, "slot {k} exports {g}");
        if block.peak[k] {
            peak = peak.max(g);
        }
    }
    assert!(bp.peak_kw >= peak - 1e-6, "peak {} < {peak}", bp.peak_kw);
    let mut cost = w.demand_usd_per_kw * peak;
    for (ev, ep) in block.evs.iter().zip(&bp.evs) {
        assert_eq!(ep.first_slot, ev.arrival_slot);
        assert_eq!(ep.charge_kw.len(), ev.departure_slot - ev.arrival_slot);
        assert_eq!(ep.energy_kwh.len(), ep.charge_kw.len() + 1);
        let mut e = ev.energy_kwh;
        for (i, (&c, &d)) in ep.charge_kw.iter().zip(&ep.discharge_kw).enumerate() {
            assert!((-1e-9..=ev.max_charge_kw + 1e-6).contains(&c), "charge {c}");
            assert!(
                (-1e-9..=ev.max_discharge_kw + 1e-6).contains(&d),
                "discharge {d}"
            );
            assert!((ep.energy_kwh[i] - e).abs() < 1e-6, "energy {i}");
            let cap = ev.curve.concave_cap_kw(ev.max_charge_kw, ev.battery_kwh, e);
            assert!(
                c <= cap + 1e-6,
                "charge {c} above the curve's cap {cap} at {e} kWh"
            );
            e += TAU * (ev.charge_efficiency * c - d / ev.discharge_efficiency);
            assert!(e >= ev.min_kwh.min(ev.energy_kwh) - 1e-6 && e <= ev.max_kwh + 1e-6);
            cost += w.degradation_usd_per_kwh * TAU * d;
        }
        assert!((ep.energy_kwh[ep.charge_kw.len()] - e).abs() < 1e-6);
        cost += w.shortfall_usd_per_kwh * (ev.target_kwh - e).max(0.0);
    }
    cost + bp
        .grid_kw
        .iter()
        .zip(&block.price_usd_per_kwh)
        .map(|(g, price)| price * TAU * g)
        .sum::<f64>()
}

proptest! {
    #![proptest_config(Config { cases: 24, rng_seed: RngSeed::Fixed(21), ..Config::default() })]

    /// Steps of one slot are the slot model, column for column and row for row.
    #[test]
    fn unit_steps_write_the_slot_model(p in step_aligned_problem(), fine in 1usize..6) {
        let mut q = p.clone();
        q.time_grid = TimeGrid::Coarse { fine_slots: fine, step_slots: 1 };
        prop_assert_eq!(p.to_sparse_lp().unwrap(), q.to_sparse_lp().unwrap());
    }

    /// On step-constant data a coarse plan is a slot plan with constant power in each step: it is
    /// feasible for the slot problem, costs there what the coarse model says, and so costs at
    /// least the slot optimum.
    #[test]
    fn a_coarse_plan_is_a_feasible_slot_plan_at_its_own_cost(p in step_aligned_problem()) {
        let exact = solve(&p);
        let mut q = p.clone();
        q.time_grid = HOURLY;
        let coarse = solve(&q);
        prop_assert!(coarse.size.columns < exact.size.columns || p.blocks[0].evs.iter().all(|e| e.departure_slot <= 4));
        let cost = slot_cost(&p, &coarse);
        prop_assert!((cost - coarse.objective_usd).abs() < 1e-5 * (1.0 + cost),
            "slot cost {} vs coarse objective {}", cost, coarse.objective_usd);
        prop_assert!(coarse.objective_usd >= exact.objective_usd - 1e-6 * (1.0 + exact.objective_usd),
            "coarse {} < exact {}", coarse.objective_usd, exact.objective_usd);
        let slot_plan_cost = slot_cost(&p, &exact);
        prop_assert!((slot_plan_cost - exact.objective_usd).abs() < 1e-5 * (1.0 + slot_plan_cost));
    }
}

#[test]
fn an_ev_present_for_part_of_a_step_gets_its_energy_in_the_slots_it_is_there() {
    // Steps: 0, 1, 2, 3, [4, 8), [8, 12); the EV is there from slot 6 to slot 10 and needs
    // 16 kWh at 20 kW (5 kWh per slot at full power): the partial steps must carry it.
    let ev = planned(1, 6, 10, 20.0, 16.0 * 0.95);
    let mut p = problem(vec![30.0; 12], vec![false; 12], vec![ev]);
    p.time_grid = HOURLY;
    let plan = solve(&p);
    let ep = &plan.blocks[0].evs[0];
    assert_eq!(ep.first_slot, 6);
    assert_eq!(ep.charge_kw.len(), 4);
    assert!(ep.charge_kw.iter().all(|&c| c <= 20.0 + 1e-6));
    assert!(ep.shortfall_kwh < 1e-6, "shortfall {}", ep.shortfall_kwh);
    assert!((ep.energy_kwh[4] - (20.0 + 16.0 * 0.95)).abs() < 1e-6);
    // Slots 4 and 5 carry no EV power.
    assert!((plan.blocks[0].grid_kw[4] - 30.0).abs() < 1e-9);
    assert!((plan.blocks[0].grid_kw[5] - 30.0).abs() < 1e-9);
}

#[test]
fn a_coarse_step_respects_the_tapering_cap_in_its_last_slot() {
    // 55 -> 69 kWh in slots 4..8 (one coarse step) on the paper's curve (cap 100 - SoC % above
    // 80 %): slot by slot at full power the EV gets there; at one constant power it cannot,
    // because the cap at the last slot's energy is below the power that would be needed.
    let mut ev = planned(1, 4, 8, 55.0, 14.0);
    ev.curve = ChargingCurve::Paper;
    ev.max_kwh = 74.0;
    let p = problem(vec![30.0; 8], vec![false; 8], vec![ev]);
    let exact = solve(&p);
    assert!(exact.blocks[0].evs[0].shortfall_kwh < 1e-6);
    let mut q = p.clone();
    q.time_grid = HOURLY;
    let coarse = solve(&q);
    let cost = slot_cost(&p, &coarse);
    assert!((cost - coarse.objective_usd).abs() < 1e-6 * (1.0 + cost));
    assert!(coarse.blocks[0].evs[0].shortfall_kwh > 0.1);
}

#[test]
fn the_first_slot_is_exact_and_shared_by_futures() {
    // Two futures that differ after the first hour share the first slot's action.
    let ev = planned(7, 0, 12, 20.0, 30.0);
    let mut p = problem(vec![40.0; 12], vec![true; 12], vec![ev.clone()]);
    let mut other = p.blocks[0].clone();
    other.building_kw[8..].iter_mut().for_each(|b| *b = 90.0);
    p.blocks[0].weight = 0.5;
    other.weight = 0.5;
    p.blocks.push(other);
    p.time_grid = HOURLY;
    let plan = solve(&p);
    let a = plan.blocks[0].evs[0].charge_kw[0];
    let b = plan.blocks[1].evs[0].charge_kw[0];
    assert!((a - b).abs() < 1e-9);
    assert_eq!(
        plan.first_action_kw(7, 0),
        Some(a - plan.blocks[0].evs[0].discharge_kw[0])
    );
}

#[test]
fn bad_grids_are_named() {
    let ev = planned(1, 0, 8, 20.0, 10.0);
    let mut p = problem(vec![30.0; 8], vec![false; 8], vec![ev]);
    p.time_grid = TimeGrid::Coarse {
        fine_slots: 0,
        step_slots: 4,
    };
    assert!(matches!(p.solve(), Err(Error::InvalidField { field, .. }) if field == "time_grid"));
    p.time_grid = HOURLY;
    p.flexibility = Some(Flexibility {
        key: 1,
        max_reduction_kwh: 0.0,
        departure_slots: vec![8],
        tie_break_usd: 1e-6,
    });
    assert!(matches!(p.solve(), Err(Error::InvalidField { field, .. }) if field == "time_grid"));
}

#[test]
fn time_grids_round_trip_through_json() {
    for grid in [TimeGrid::Slots, HOURLY] {
        let json = serde_json::to_string(&grid).unwrap();
        assert_eq!(serde_json::from_str::<TimeGrid>(&json).unwrap(), grid);
    }
    assert_eq!(
        serde_json::to_string(&HOURLY).unwrap(),
        r#"{"kind":"coarse","fine_slots":4,"step_slots":4}"#
    );
}
