//! The charging model on the hand-checkable cases of spec section 11 (A-D, H, K), both
//! backends, and LP = MILP where the curve's concave cap is exact.

use approx::assert_abs_diff_eq;
use evmech_milp_model::charging::{
    ChargingBlock, ChargingCurve, ChargingProblem, ChargingWeights, CurveForm, PeakCoupling,
    PlannedEv,
};
use evmech_milp_model::{Error, LpBackend};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn ev(key: u64, slots: usize, e0: f64, target: f64, bidirectional: bool) -> PlannedEv {
    PlannedEv {
        min_kwh: 10.0,
        max_discharge_kw: if bidirectional { 20.0 } else { 0.0 },
        ..PlannedEv::new(key, 0, slots, e0, target, 100.0, 20.0)
    }
}

fn block(building: &[f64], price: &[f64], peak: &[bool], evs: Vec<PlannedEv>) -> ChargingBlock {
    ChargingBlock {
        weight: 1.0,
        start_slot: 0,
        building_kw: building.to_vec(),
        price_usd_per_kwh: price.to_vec(),
        peak: peak.to_vec(),
        more_peaks: Vec::new(),
        dr: Vec::new(),
        evs,
    }
}

fn problem(blocks: Vec<ChargingBlock>, demand: f64) -> ChargingProblem {
    ChargingProblem {
        weights: ChargingWeights {
            demand_usd_per_kw: demand,
            shortfall_usd_per_kwh: 100.0,
            degradation_usd_per_kwh: 0.05,
        },
        ..ChargingProblem::new(0.25, blocks)
    }
}

/// Every backend this build has.
fn backends() -> Vec<LpBackend> {
    [LpBackend::Highs, LpBackend::Cbc, LpBackend::Clarabel]
        .into_iter()
        .filter(|b| b.is_available())
        .collect()
}

fn solve(p: &ChargingProblem, backend: LpBackend) -> evmech_milp_model::charging::ChargingPlan {
    let mut p = p.clone();
    p.backend = backend;
    let plan = p.solve().expect("solves");
    assert!(plan.status.is_optimal(), "{:?}", plan.status);
    plan
}

#[test]
fn a_tou_shift_charges_in_the_cheap_slots() {
    let b = block(
        &[10.0; 4],
        &[0.178, 0.178, 0.137, 0.137],
        &[false; 4],
        vec![ev(1, 4, 10.0, 20.0, false)],
    );
    let p = problem(vec![b], 0.0);
    for backend in backends() {
        let plan = solve(&p, backend);
        assert_abs_diff_eq!(plan.objective_usd, 2.945, epsilon = 1e-5);
        let charge = &plan.blocks[0].evs[0].charge_kw;
        assert_abs_diff_eq!(charge[2] + charge[3], 40.0, epsilon = 1e-4);
    }
}

#[test]
fn b_demand_split_and_the_carried_in_peak() {
    let b = block(
        &[20.0, 20.0],
        &[0.178; 2],
        &[true; 2],
        vec![ev(1, 2, 20.0, 27.5, false)],
    );
    let mut p = problem(vec![b], 11.67);
    for backend in backends() {
        let plan = solve(&p, backend);
        assert_abs_diff_eq!(plan.objective_usd, 411.565, epsilon = 1e-4);
        assert_abs_diff_eq!(plan.blocks[0].peak_kw, 35.0, epsilon = 1e-5);
    }
    p.past_peak_kw = 38.0;
    for backend in backends() {
        assert_abs_diff_eq!(solve(&p, backend).objective_usd, 446.575, epsilon = 1e-4);
    }
}

#[test]
fn c_energy_against_demand_breaks_even_at_five_cents() {
    for (k_dc, x, j) in [(0.04, 20.0, 4.00), (0.06, 0.0, 4.80)] {
        let b = block(
            &[30.0, 10.0],
            &[0.10, 0.30],
            &[true; 2],
            vec![ev(1, 2, 20.0, 25.0, false)],
        );
        let p = problem(vec![b], k_dc);
        for backend in backends() {
            let plan = solve(&p, backend);
            assert_abs_diff_eq!(plan.objective_usd, j, epsilon = 1e-4);
            assert_abs_diff_eq!(plan.blocks[0].evs[0].charge_kw[0], x, epsilon = 1e-3);
        }
    }
}

#[test]
fn d_v2b_shaves_the_peak() {
    let b = block(
        &[40.0, 20.0],
        &[0.178; 2],
        &[true; 2],
        vec![ev(1, 2, 50.0, 50.0, true)],
    );
    let p = problem(vec![b], 11.67);
    for backend in backends() {
        let plan = solve(&p, backend);
        assert_abs_diff_eq!(plan.objective_usd, 352.895, epsilon = 1e-4);
        let e = &plan.blocks[0].evs[0];
        assert_abs_diff_eq!(e.net_kw(0), -10.0, epsilon = 1e-3);
        assert_abs_diff_eq!(e.net_kw(1), 10.0, epsilon = 1e-3);
        assert!(plan.simultaneous_kw < 1e-6);
    }
}

#[test]
fn h_the_literal_curve_milp_and_the_concave_lp() {
    let mut v = ev(1, 3, 61.5, 75.0, false);
    v.battery_kwh = 75.0;
    v.max_kwh = 75.0;
    v.min_kwh = 7.5;
    v.curve = ChargingCurve::Paper;
    let b = block(&[0.0; 3], &[0.0; 3], &[false; 3], vec![v]);
    let mut p = problem(vec![b], 0.0);
    for backend in backends() {
        let plan = solve(&p, backend);
        let e = &plan.blocks[0].evs[0].energy_kwh;
        for (got, want) in e[1..].iter().zip([66.0, 69.0, 71.0]) {
            assert_abs_diff_eq!(*got, want, epsilon = 1e-4);
        }
    }
    p.curve_form = CurveForm::Literal;
    let plan = solve(&p, LpBackend::default());
    let e = &plan.blocks[0].evs[0].energy_kwh;
    for (got, want) in e[1..].iter().zip([66.5, 625.0 / 9.0, 1925.0 / 27.0]) {
        assert_abs_diff_eq!(*got, want, epsilon = 1e-4);
    }
    p.backend = LpBackend::Clarabel;
    assert!(matches!(p.solve(), Err(Error::InvalidField { .. })));
}

#[test]
fn export_earns_the_export_price_when_allowed() {
    // One slot, 10 kW of building load, a bidirectional EV with 30 kWh above its target.
    let b = block(&[10.0], &[0.3], &[false], vec![ev(1, 1, 80.0, 50.0, true)]);
    let mut p = problem(vec![b], 0.0);
    p.no_export = false;
    for backend in backends() {
        // At the slot's price (the default) exporting earns 0.30 against 0.05 of wear: the EV
        // discharges its full 20 kW and 10 kW go to the grid.
        let plan = solve(&p, backend);
        let net = plan.blocks[0].evs[0].net_kw(0);
        assert_abs_diff_eq!(net, -20.0, epsilon = 1e-6);
        assert_abs_diff_eq!(plan.blocks[0].grid_kw[0], -10.0, epsilon = 1e-6);
        assert_abs_diff_eq!(
            plan.objective_usd,
            0.25 * (0.3 * -10.0 + 0.05 * 20.0),
            epsilon = 1e-6
        );
        // Exports that earn nothing are not worth the wear: discharge only what the building uses.
        let mut q = p.clone();
        q.export_price_usd_per_kwh = Some(0.0);
        let plan = solve(&q, backend);
        assert_abs_diff_eq!(plan.blocks[0].grid_kw[0], 0.0, epsilon = 1e-6);
        assert_abs_diff_eq!(plan.objective_usd, 0.25 * 0.05 * 10.0, epsilon = 1e-6);
        assert_abs_diff_eq!(plan.blocks[0].cost_usd, plan.objective_usd, epsilon = 1e-6);
        // No-export wins over any export price.
        q.no_export = true;
        q.export_price_usd_per_kwh = Some(0.3);
        let plan = solve(&q, backend);
        assert!(plan.blocks[0].grid_kw[0] >= -1e-6);
    }
    let mut bad = p.clone();
    bad.export_price_usd_per_kwh = Some(0.31);
    match bad.solve() {
        Err(Error::InvalidField { field, .. }) => assert_eq!(field, "export_price_usd_per_kwh"),
        other => panic!("{other:?}"),
    }
}

fn theorem4_days() -> Vec<ChargingBlock> {
    vec![
        block(
            &[50.0, 30.0],
            &[0.10, 0.30],
            &[true; 2],
            vec![ev(1, 2, 20.0, 25.0, false)],
        ),
        block(&[100.0], &[0.30], &[true], vec![]),
    ]
}

#[test]
fn k_monthly_optimum_and_the_daily_decomposition() {
    let mut month = problem(theorem4_days(), 11.67);
    month.peak_coupling = PeakCoupling::Shared;
    for backend in backends() {
        let plan = solve(&month, backend);
        assert_abs_diff_eq!(plan.objective_usd, 1178.50, epsilon = 1e-3);
        assert_abs_diff_eq!(plan.blocks[0].evs[0].charge_kw[0], 20.0, epsilon = 1e-3);
    }
    let mut day1 = problem(vec![theorem4_days().remove(0)], 11.67);
    let alone = solve(&day1, LpBackend::default());
    assert_abs_diff_eq!(alone.blocks[0].evs[0].charge_kw[1], 20.0, epsilon = 1e-3);
    assert_abs_diff_eq!(alone.blocks[0].peak_kw, 50.0, epsilon = 1e-3);
    day1.past_peak_kw = 100.0;
    let informed = solve(&day1, LpBackend::default());
    assert_abs_diff_eq!(informed.blocks[0].evs[0].charge_kw[0], 20.0, epsilon = 1e-3);
}

#[test]
fn scenarios_share_the_first_action_only() {
    // Two futures: a high building load later, or none. The first action is common.
    let mk = |later: f64| {
        block(
            &[20.0, later],
            &[0.178; 2],
            &[true; 2],
            vec![ev(7, 2, 20.0, 27.5, false)],
        )
    };
    let mut p = problem(vec![mk(20.0), mk(40.0)], 11.67);
    p.blocks.iter_mut().for_each(|b| b.weight = 0.5);
    let plan = solve(&p, LpBackend::default());
    let first: Vec<f64> = plan.blocks.iter().map(|b| b.evs[0].charge_kw[0]).collect();
    assert_abs_diff_eq!(first[0], first[1], epsilon = 1e-9);
    assert_eq!(plan.first_action_kw(7, 0), Some(first[0]));
    p.non_anticipative = false;
    let free = solve(&p, LpBackend::default());
    assert!(free.objective_usd <= plan.objective_usd + 1e-6);
}

#[test]
fn invalid_fields_are_named() {
    let mut p = problem(
        vec![block(
            &[1.0],
            &[0.1],
            &[false],
            vec![ev(1, 1, 5.0, 5.0, false)],
        )],
        1.0,
    );
    p.blocks[0].evs[0].departure_slot = 0;
    match p.solve() {
        Err(Error::InvalidField { field, .. }) => {
            assert_eq!(field, "blocks[0].evs[0].departure_slot")
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    p.blocks[0].evs[0].departure_slot = 1;
    p.blocks[0].price_usd_per_kwh = vec![];
    assert!(
        matches!(p.solve(), Err(Error::InvalidField { field, .. }) if field == "blocks[0].price_usd_per_kwh")
    );
}

fn random_problem() -> impl Strategy<Value = ChargingProblem> {
    let ev = (
        0usize..4,
        1usize..5,
        0.0f64..0.6,
        0.0f64..0.3,
        any::<bool>(),
        0usize..2,
    );
    (
        prop::collection::vec(ev, 1..4),
        prop::collection::vec(5.0f64..60.0, 8),
        prop::collection::vec(any::<bool>(), 8),
    )
        .prop_map(|(evs, building, peak)| {
            let evs = evs
                .into_iter()
                .enumerate()
                .map(|(i, (a, stay, s0, need, bi, class))| {
                    let battery = [40.0, 75.0][class];
                    let e0 = battery * (0.1 + s0);
                    PlannedEv {
                        key: i as u64,
                        arrival_slot: a,
                        departure_slot: (a + stay).min(8),
                        energy_kwh: e0,
                        target_kwh: (e0 + need * battery).min(0.8 * battery),
                        min_kwh: 0.1 * battery,
                        max_kwh: 0.8 * battery,
                        battery_kwh: battery,
                        max_charge_kw: 20.0,
                        max_discharge_kw: if bi { 20.0 } else { 0.0 },
                        charge_efficiency: 1.0,
                        discharge_efficiency: 1.0,
                        curve: ChargingCurve::Paper,
                        controlled: true,
                        shortfall_usd_per_kwh: None,
                    }
                })
                .collect();
            let price: Vec<f64> = peak
                .iter()
                .map(|&p| if p { 0.178 } else { 0.137 })
                .collect();
            problem(vec![block(&building, &price, &peak, evs)], 11.67)
        })
}

proptest! {
    #![proptest_config(Config { cases: 24, rng_seed: RngSeed::Fixed(4), ..Config::default() })]

    /// Below 80 % state of charge the concave cap equals the literal curve, so the LP, the MILP
    /// and both backends agree.
    #[test]
    fn lp_equals_milp_where_the_cap_is_exact(p in random_problem()) {
        let lp = solve(&p, LpBackend::default()).objective_usd;
        let ipm = solve(&p, LpBackend::Clarabel).objective_usd;
        let mut literal = p.clone();
        literal.curve_form = CurveForm::Literal;
        let milp = solve(&literal, LpBackend::default()).objective_usd;
        let tol = 1e-6 * (1.0 + lp.abs());
        prop_assert!((lp - milp).abs() <= tol, "LP {lp} vs MILP {milp}");
        prop_assert!((lp - ipm).abs() <= 1e-5 * (1.0 + lp.abs()), "CBC {lp} vs Clarabel {ipm}");
    }
}

proptest! {
    #![proptest_config(Config { cases: 12, rng_seed: RngSeed::Fixed(11), ..Config::default() })]

    /// Theorem 4 where its assumptions hold (no prices, no degradation, no state across days):
    /// the month's least peak is the largest of the days' least peaks. Test K shows the cost
    /// version fails once prices matter.
    #[test]
    fn theorem4_the_monthly_least_peak_is_the_largest_daily_least_peak(
        days in prop::collection::vec(random_problem(), 2..4)
    ) {
        let peak_only = |mut p: ChargingProblem| {
            p.weights.degradation_usd_per_kwh = 0.0;
            p.weights.demand_usd_per_kw = 1.0;
            for b in &mut p.blocks {
                b.price_usd_per_kwh.iter_mut().for_each(|w| *w = 0.0);
            }
            p
        };
        let daily: Vec<f64> = days
            .iter()
            .map(|d| solve(&peak_only(d.clone()), LpBackend::default()).blocks[0].peak_kw)
            .collect();
        let mut month = peak_only(days[0].clone());
        month.blocks = days.iter().map(|d| peak_only(d.clone()).blocks.remove(0)).collect();
        month.peak_coupling = PeakCoupling::Shared;
        let shared = solve(&month, LpBackend::default()).blocks[0].peak_kw;
        let worst = daily.iter().copied().fold(0.0, f64::max);
        prop_assert!((shared - worst).abs() <= 1e-6 * (1.0 + worst), "month {shared} vs days {daily:?}");
    }
}

#[test]
fn a_second_demand_charge_flattens_the_peak_outside_the_first_ones_window() {
    use evmech_milp_model::charging::DemandTerm;
    // Cheap energy in the last two slots, where the first (on-peak) charge does not apply:
    // alone, the EV charges 20 kW there. A facility charge over every slot makes it spread.
    let building = [10.0; 4];
    let mut b = block(
        &building,
        &[0.30, 0.30, 0.10, 0.10],
        &[true, true, false, false],
        vec![ev(1, 4, 10.0, 20.0, false)],
    );
    let alone = problem(vec![b.clone()], 5.0);
    b.more_peaks = vec![vec![true; 4]];
    let facility = ChargingProblem {
        more_demand: vec![DemandTerm {
            usd_per_kw: 8.0,
            past_peak_kw: 0.0,
        }],
        ..problem(vec![b.clone()], 5.0)
    };
    for backend in backends() {
        let a = solve(&alone, backend);
        let f = solve(&facility, backend);
        let max = |p: &evmech_milp_model::charging::ChargingPlan| {
            p.blocks[0].grid_kw.iter().copied().fold(0.0, f64::max)
        };
        assert_abs_diff_eq!(max(&a), 30.0, epsilon = 1e-4);
        // 10 kWh over 4 slots: 10 kW each, so the facility peak is 20 kW.
        assert_abs_diff_eq!(max(&f), 20.0, epsilon = 1e-4);
        assert_abs_diff_eq!(f.blocks[0].more_peaks_kw[0], max(&f), epsilon = 1e-4);
        // The objective is the bill: energy, both demand charges, no shortfall.
        let energy: f64 = f.blocks[0]
            .grid_kw
            .iter()
            .zip([0.30, 0.30, 0.10, 0.10])
            .map(|(g, p)| 0.25 * g * p)
            .sum();
        let bill = energy + 5.0 * f.blocks[0].peak_kw + 8.0 * max(&f);
        assert_abs_diff_eq!(f.objective_usd, bill, epsilon = 1e-4);
        assert_abs_diff_eq!(f.blocks[0].cost_usd, bill, epsilon = 1e-4);
        let demand = facility.demand_usd(f.blocks[0].peak_kw, &f.blocks[0].more_peaks_kw);
        assert_abs_diff_eq!(
            demand,
            5.0 * f.blocks[0].peak_kw + 8.0 * max(&f),
            epsilon = 1e-4
        );
    }
    // Missing peaks count as zero; the first charge alone.
    assert_abs_diff_eq!(facility.demand_usd(3.0, &[]), 15.0);
    assert_abs_diff_eq!(facility.demand_usd(3.0, &[2.0]), 31.0);
    // A past facility peak above what the plan needs is a floor, paid in full.
    let floored = ChargingProblem {
        more_demand: vec![DemandTerm {
            usd_per_kw: 8.0,
            past_peak_kw: 50.0,
        }],
        ..facility.clone()
    };
    let plan = solve(&floored, backends()[0]);
    assert_abs_diff_eq!(plan.blocks[0].more_peaks_kw[0], 50.0, epsilon = 1e-6);
    // Masks must match the charges.
    let mut wrong = facility.clone();
    wrong.blocks[0].more_peaks.clear();
    match wrong.solve() {
        Err(Error::InvalidField { field, .. }) => assert_eq!(field, "blocks[0].more_peaks"),
        other => panic!("{other:?}"),
    }
    let mut negative = facility;
    negative.more_demand[0].usd_per_kw = -1.0;
    match negative.solve() {
        Err(Error::InvalidField { field, .. }) => assert_eq!(field, "more_demand[0].usd_per_kw"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn demand_response_and_the_import_limit_shape_the_plan() {
    use evmech_milp_model::charging::DrSlot;
    // 10 kWh to deliver over four equal-price slots on a 100 kW building.
    let mut b = block(
        &[100.0; 4],
        &[0.2; 4],
        &[false; 4],
        vec![ev(1, 4, 10.0, 20.0, false)],
    );
    let dr = DrSlot {
        firm_kw: 100.0,
        penalty_usd_per_kwh: 6.0,
    };
    b.dr = vec![None, None, Some(dr), Some(dr)];
    let p = problem(vec![b.clone()], 0.0);
    for backend in backends() {
        let plan = solve(&p, backend);
        let g = &plan.blocks[0].grid_kw;
        // The event's slots stay at the firm level: all 10 kWh go in the first two.
        assert_abs_diff_eq!(g[2], 100.0, epsilon = 1e-4);
        assert_abs_diff_eq!(g[3], 100.0, epsilon = 1e-4);
        assert_abs_diff_eq!(g[0] + g[1], 240.0, epsilon = 1e-4);
        assert_abs_diff_eq!(plan.objective_usd, 0.2 * 0.25 * 440.0, epsilon = 1e-4);
    }
    // A firm level below the building: the excess the building causes is paid, no more.
    b.dr = vec![
        None,
        None,
        Some(DrSlot {
            firm_kw: 90.0,
            ..dr
        }),
        None,
    ];
    let plan = solve(&problem(vec![b.clone()], 0.0), backends()[0]);
    assert_abs_diff_eq!(plan.blocks[0].grid_kw[2], 100.0, epsilon = 1e-4);
    assert_abs_diff_eq!(
        plan.blocks[0].cost_usd,
        0.2 * 0.25 * 440.0 + 6.0 * 0.25 * 10.0,
        epsilon = 1e-4
    );
    // An import limit of 110 kW spreads the charge to 10 kW in each slot.
    b.dr.clear();
    let capped = ChargingProblem {
        import_limit_kw: Some(110.0),
        ..problem(vec![b.clone()], 0.0)
    };
    for backend in backends() {
        let plan = solve(&capped, backend);
        for &g in &plan.blocks[0].grid_kw {
            assert!(g <= 110.0 + 1e-6, "{g}");
        }
        assert_abs_diff_eq!(plan.blocks[0].evs[0].shortfall_kwh, 0.0, epsilon = 1e-6);
    }
    // A limit below the building allows no charging: the shortfall is reported, not infeasible.
    let tight = ChargingProblem {
        import_limit_kw: Some(50.0),
        ..problem(vec![b.clone()], 0.0)
    };
    let plan = solve(&tight, backends()[0]);
    assert_abs_diff_eq!(plan.blocks[0].evs[0].shortfall_kwh, 10.0, epsilon = 1e-6);
    let mut bad = problem(vec![b], 0.0);
    bad.blocks[0].dr = vec![None; 3];
    match bad.solve() {
        Err(Error::InvalidField { field, .. }) => assert_eq!(field, "blocks[0].dr"),
        other => panic!("{other:?}"),
    }
}

/// An EV's own shortfall weight replaces the problem's: at the problem's 100 USD/kWh the plan
/// raises the peak by 20 kW (400 USD at 20 USD/kW) to deliver 20 kWh, at 0.30 USD/kWh it leaves
/// the 20 kWh short (6 USD) and keeps the building's peak. The block's cost prices the shortfall
/// at the EV's weight, on every backend.
#[test]
fn an_evs_own_shortfall_weight_sets_what_its_missing_kwh_cost() {
    let flat = [50.0; 4];
    let with = |weight: Option<f64>| {
        let ev = PlannedEv {
            shortfall_usd_per_kwh: weight,
            ..ev(1, 4, 20.0, 40.0, false)
        };
        problem(vec![block(&flat, &[0.1; 4], &[true; 4], vec![ev])], 20.0)
    };
    for backend in backends() {
        let promised = solve(&with(None), backend);
        assert_abs_diff_eq!(promised.blocks[0].evs[0].shortfall_kwh, 0.0, epsilon = 1e-6);
        assert_abs_diff_eq!(promised.blocks[0].peak_kw, 70.0, epsilon = 1e-6);
        let soft = solve(&with(Some(0.30)), backend);
        assert_abs_diff_eq!(soft.blocks[0].evs[0].shortfall_kwh, 20.0, epsilon = 1e-6);
        assert_abs_diff_eq!(soft.blocks[0].peak_kw, 50.0, epsilon = 1e-6);
        // 4 slots x 50 kW x 0.25 h x 0.1 USD/kWh + 20 USD/kW x 50 kW + 0.30 x 20 kWh.
        assert_abs_diff_eq!(soft.blocks[0].cost_usd, 5.0 + 1000.0 + 6.0, epsilon = 1e-6);
        assert_abs_diff_eq!(soft.objective_usd, soft.blocks[0].cost_usd, epsilon = 1e-6);
    }
}

/// A negative or non-finite own shortfall weight is refused with the field's path, and the
/// field is left out of the EV's JSON when it is `None` (and read back as `None` when absent).
#[test]
fn an_evs_own_shortfall_weight_is_checked_and_optional_in_json() {
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let ev = PlannedEv {
            shortfall_usd_per_kwh: Some(bad),
            ..ev(1, 4, 20.0, 40.0, false)
        };
        let p = problem(
            vec![block(&[50.0; 4], &[0.1; 4], &[true; 4], vec![ev])],
            20.0,
        );
        match p.solve() {
            Err(Error::InvalidField { field, .. }) => {
                assert_eq!(field, "blocks[0].evs[0].shortfall_usd_per_kwh")
            }
            other => panic!("expected a field error for {bad}, got {other:?}"),
        }
    }
    let plain = ev(1, 4, 20.0, 40.0, false);
    let text = serde_json::to_string(&plain).unwrap();
    assert!(!text.contains("shortfall_usd_per_kwh"), "{text}");
    let back: PlannedEv = serde_json::from_str(&text).unwrap();
    assert_eq!(back, plain);
}
