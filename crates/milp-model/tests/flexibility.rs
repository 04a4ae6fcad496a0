//! CONSENT's option generation on the charging model: spec 11.E's numbers, the shared target
//! reduction, and the departure binaries against enumerating the departures.

use approx::assert_abs_diff_eq;
use evmech_milp_model::charging::{ChargingBlock, ChargingProblem, Flexibility, PlannedEv};
use evmech_milp_model::{Error, LpBackend};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn ev(key: u64, arrival: usize, departure: usize, e0: f64, target: f64) -> PlannedEv {
    PlannedEv {
        min_kwh: 10.0,
        ..PlannedEv::new(key, arrival, departure, e0, target, 100.0, 20.0)
    }
}

fn problem(building: &[Vec<f64>], evs: Vec<PlannedEv>) -> ChargingProblem {
    let n = building[0].len();
    let blocks = building
        .iter()
        .map(|b| ChargingBlock {
            weight: 1.0 / building.len() as f64,
            start_slot: 0,
            building_kw: b.clone(),
            price_usd_per_kwh: vec![0.178; n],
            peak: vec![true; n],
            more_peaks: Vec::new(),
            dr: Vec::new(),
            evs: evs.clone(),
        })
        .collect();
    ChargingProblem::new(0.25, blocks)
}

fn flex(key: u64, sigma: f64, departures: Vec<usize>) -> Option<Flexibility> {
    Some(Flexibility {
        key,
        max_reduction_kwh: sigma,
        departure_slots: departures,
        tie_break_usd: 1e-6,
    })
}

const E_BUILDING: [f64; 4] = [30.0, 30.0, 10.0, 10.0];

#[test]
fn spec_e_reports_and_their_costs() {
    let b = vec![E_BUILDING.to_vec()];
    let without = problem(&b, vec![]).solve().unwrap();
    assert_abs_diff_eq!(without.objective_usd, 353.66, epsilon = 1e-6);
    let truthful = problem(&b, vec![ev(1, 0, 4, 20.0, 25.0)]).solve().unwrap();
    assert_abs_diff_eq!(truthful.objective_usd, 354.55, epsilon = 1e-6);
    let early = problem(&b, vec![ev(1, 0, 2, 20.0, 25.0)]).solve().unwrap();
    assert_abs_diff_eq!(early.objective_usd, 471.25, epsilon = 1e-6);
    let inflated = problem(&b, vec![ev(1, 0, 4, 20.0, 32.5)]).solve().unwrap();
    assert_abs_diff_eq!(inflated.objective_usd, 414.235, epsilon = 1e-6);
}

#[test]
fn the_reduction_is_shared_and_the_tie_break_picks_the_least_deviation() {
    // A reduction of 5 kWh saves the whole 0.89 USD charge: the optimiser takes all of it.
    let b = vec![E_BUILDING.to_vec(), vec![30.0, 30.0, 12.0, 10.0]];
    let mut p = problem(&b, vec![ev(1, 0, 4, 20.0, 25.0)]);
    p.flexibility = flex(1, 5.0, vec![4]);
    let plan = p.solve().unwrap();
    let choice = plan.flex.unwrap();
    assert_abs_diff_eq!(choice.reduction_kwh, 5.0, epsilon = 1e-7);
    assert_abs_diff_eq!(
        plan.objective_usd,
        353.66 + 0.178 * 0.25 * 2.0 / 2.0,
        epsilon = 1e-6
    );
    for block in &plan.blocks {
        assert_abs_diff_eq!(block.evs[0].energy_kwh[4], 20.0, epsilon = 1e-7);
    }
    // Reported early (slot 2), the user may be asked to stay to slot 3 (the least delay that
    // reaches the cheap slots) but not to 4.
    let mut p = problem(&[E_BUILDING.to_vec()], vec![ev(1, 0, 4, 20.0, 25.0)]);
    p.flexibility = flex(1, 0.0, vec![2, 3, 4]);
    let plan = p.solve().unwrap();
    let choice = plan.flex.unwrap();
    assert_eq!(choice.departure_slot, 3);
    assert_abs_diff_eq!(plan.objective_usd, 354.55, epsilon = 1e-6);
    assert_abs_diff_eq!(choice.tie_break_usd, 1e-6, epsilon = 1e-12);
}

#[test]
fn bad_flexibility_is_refused_with_its_field() {
    let b = vec![E_BUILDING.to_vec()];
    let cases = [
        (flex(9, 1.0, vec![4]), "flexibility.key"),
        (flex(1, -1.0, vec![4]), "flexibility.max_reduction_kwh"),
        (flex(1, 1.0, vec![3]), "flexibility.departure_slots"),
        (flex(1, 1.0, vec![4, 3]), "flexibility.departure_slots"),
        (flex(1, 1.0, vec![]), "flexibility.departure_slots"),
    ];
    for (f, field) in cases {
        let mut p = problem(&b, vec![ev(1, 0, 4, 20.0, 25.0)]);
        p.flexibility = f;
        match p.solve() {
            Err(Error::InvalidField { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected an error on {field}, got {other:?}"),
        }
    }
    let mut p = problem(&b, vec![ev(1, 0, 4, 20.0, 25.0)]);
    p.flexibility = flex(1, 1.0, vec![3, 4]);
    p.backend = LpBackend::Clarabel;
    assert!(matches!(p.solve(), Err(Error::InvalidField { .. })));
    let mut uncontrolled = ev(1, 0, 4, 20.0, 25.0);
    uncontrolled.controlled = false;
    let mut p = problem(&b, vec![uncontrolled]);
    p.flexibility = flex(1, 1.0, vec![3, 4]);
    assert!(matches!(p.solve(), Err(Error::InvalidField { .. })));
}

/// `base` with the EV `key` leaving at `d` and reducing its target by at most `sigma`.
fn leaving_at(base: &ChargingProblem, key: u64, d: usize, sigma: f64) -> ChargingProblem {
    let mut p = base.clone();
    for block in &mut p.blocks {
        for e in block.evs.iter_mut().filter(|e| e.key == key) {
            e.departure_slot = d;
        }
    }
    p.flexibility = flex(key, sigma, vec![d]);
    p
}

/// A site on `loads` with the flexible EV 1 (arriving at 0, leaving at `departure`, needing
/// `need` kWh above `e0`, discharging up to 20 kW when `bidirectional`) and the `others` as
/// `(arrival, stay, energy, need)`, leaving by slot 8.
fn random_site(
    loads: &[Vec<f64>],
    others: &[(usize, usize, f64, f64)],
    (departure, e0, need, bidirectional): (usize, f64, f64, bool),
) -> ChargingProblem {
    let mut flexible = ev(1, 0, departure, e0, e0 + need);
    if bidirectional {
        flexible.max_discharge_kw = 20.0;
    }
    let mut evs = vec![flexible];
    for (i, &(a, stay, e, n)) in others.iter().enumerate() {
        evs.push(ev(10 + i as u64, a, (a + stay).min(8), e, e + n));
    }
    problem(loads, evs)
}

/// Enumerating departures (one LP each, the EV leaving at `d`) and keeping the least
/// `J + 1e-6 (delay + sigma)`.
fn enumerated(base: &ChargingProblem, key: u64, sigma: f64, departures: &[usize]) -> (f64, usize) {
    departures
        .iter()
        .map(|&d| {
            let plan = leaving_at(base, key, d, sigma).solve().unwrap();
            let c = plan.flex.unwrap();
            let score = plan.objective_usd + 1e-6 * ((d - departures[0]) as f64 + c.reduction_kwh);
            (score, plan.objective_usd, d)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, j, d)| (j, d))
        .unwrap()
}

proptest! {
    #![proptest_config(Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(55),
        failure_persistence: None,
        ..Config::default()
    })]

    /// The departure binaries (one MILP) reach the enumeration's optimum.
    #[test]
    fn departure_binaries_equal_enumeration(
        loads in prop::collection::vec(prop::collection::vec(5.0f64..40.0, 8), 1..4),
        others in prop::collection::vec((0usize..4, 2usize..4, 10.0f64..40.0, 0.0f64..15.0), 0..3),
        e0 in 10.0f64..40.0,
        need in 2.0f64..20.0,
        d0 in 2usize..6,
        extra in 1usize..3,
        sigma in 0.0f64..6.0,
        bidirectional in any::<bool>(),
    ) {
        let last = (d0 + extra).min(8);
        let base = random_site(&loads, &others, (last, e0, need, bidirectional));
        let departures: Vec<usize> = (d0..=last).collect();
        let (j_enum, d_enum) = enumerated(&base, 1, sigma, &departures);
        let mut milp = base.clone();
        milp.flexibility = flex(1, sigma, departures.clone());
        let plan = milp.solve().unwrap();
        let tol = 1e-6 * (1.0 + j_enum.abs());
        prop_assert!((plan.objective_usd - j_enum).abs() <= tol + 1e-5,
            "milp {} vs enumeration {}", plan.objective_usd, j_enum);
        let chosen = plan.flex.unwrap().departure_slot;
        prop_assert!(departures.contains(&chosen) && departures.contains(&d_enum));
    }
}

#[test]
fn a_departure_probe_refuses_what_it_cannot_model() {
    let b = vec![E_BUILDING.to_vec()];
    let base = problem(&b, vec![ev(1, 0, 4, 20.0, 25.0)]);
    let refused = |p: &ChargingProblem| {
        assert!(!p.supports_departure_probe());
        assert!(matches!(
            p.departure_probe(),
            Err(Error::InvalidField { field, .. }) if field == "flexibility"
        ));
    };
    refused(&base);
    let mut ramp = base.clone();
    ramp.flexibility = flex(1, 1.0, vec![4]);
    ramp.ramp_kw = Some(5.0);
    refused(&ramp);
    let mut choice = base.clone();
    choice.flexibility = flex(1, 1.0, vec![3, 4]);
    refused(&choice);
    let mut uncontrolled = problem(&b, vec![ev(1, 0, 4, 20.0, 25.0)]);
    uncontrolled.blocks[0].evs[0].controlled = false;
    uncontrolled.flexibility = flex(1, 1.0, vec![4]);
    refused(&uncontrolled);
    let mut ok = base.clone();
    ok.flexibility = flex(1, 1.0, vec![4]);
    let mut probe = ok.departure_probe().unwrap();
    for (d, sigma, field) in [
        (0, 1.0, "departure_slot"),
        (5, 1.0, "departure_slot"),
        (3, f64::NAN, "max_reduction_kwh"),
        (3, -1.0, "max_reduction_kwh"),
    ] {
        match probe.solve(d, sigma) {
            Err(Error::InvalidField { field: got, .. }) => assert_eq!(got, field),
            other => panic!("expected an error on {field}, got {other:?}"),
        }
    }
    // Still usable after the refusals.
    let plan = probe.solve(2, 0.0).unwrap();
    assert_abs_diff_eq!(plan.objective_usd, 471.25, epsilon = 1e-6);
    assert_eq!(plan.flex.unwrap().departure_slot, 2);
    assert_eq!(plan.blocks[0].evs[0].charge_kw.len(), 2);
    assert_eq!(plan.blocks[0].evs[0].energy_kwh.len(), 3);
}

proptest! {
    #![proptest_config(Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(56),
        failure_persistence: None,
        ..Config::default()
    })]

    /// Every probe of one kept model (departure and largest reduction changed by bounds, in a
    /// random order, each re-solve starting from the last basis) has the optimum of the problem
    /// written afresh with that departure and reduction, on every LP backend of the build.
    #[test]
    fn departure_probes_equal_fresh_solves(
        loads in prop::collection::vec(prop::collection::vec(5.0f64..40.0, 8), 1..4),
        others in prop::collection::vec((0usize..4, 2usize..4, 10.0f64..40.0, 0.0f64..15.0), 0..3),
        e0 in 10.0f64..40.0,
        need in 2.0f64..20.0,
        probes in prop::collection::vec((1usize..9, 0.0f64..6.0), 1..6),
        bidirectional in any::<bool>(),
        clarabel in any::<bool>(),
    ) {
        let mut base = random_site(&loads, &others, (8, e0, need, bidirectional));
        if clarabel {
            base.backend = LpBackend::Clarabel;
        }
        let mut kept = base.clone();
        kept.flexibility = flex(1, 6.0, vec![8]);
        let mut probe = kept.departure_probe().unwrap();
        for &(d, sigma) in &probes {
            let plan = probe.solve(d, sigma).unwrap();
            let want = leaving_at(&base, 1, d, sigma).solve().unwrap().objective_usd;
            let tol = if clarabel { 1e-5 } else { 1e-7 } * (1.0 + want.abs());
            prop_assert!((plan.objective_usd - want).abs() <= tol,
                "probe ({d}, {sigma}): {} vs fresh {}", plan.objective_usd, want);
            let choice = plan.flex.unwrap();
            prop_assert_eq!(choice.departure_slot, d);
            prop_assert!(choice.reduction_kwh <= sigma + 1e-6);
            for block in &plan.blocks {
                let v = block.evs.iter().find(|e| e.key == 1).unwrap();
                prop_assert_eq!(v.charge_kw.len(), d);
            }
        }
    }
}
