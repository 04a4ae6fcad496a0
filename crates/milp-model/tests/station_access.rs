//! The station-access MILP on the spec's examples, against brute force, and under invariances.

use evmech_milp_model::{
    brute_force_optimum, CbcSettings, Delivery, Instance, RowName, SolveStatus, StationAccessModel,
    StationAccessOptions,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn load(name: &str) -> Instance {
    let path = format!("{}/../../examples/data/{name}", manifest_dir());
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn milp(inst: &Instance) -> evmech_milp_model::MilpPlan {
    StationAccessModel::build(inst, StationAccessOptions::default())
        .solve_milp(&CbcSettings::default())
        .unwrap()
}

#[test]
fn example_a_optimum_and_lp_bound() {
    let inst = load("copositive_example_a.json");
    let model = StationAccessModel::build(&inst, StationAccessOptions::default());
    let opt = model.solve_milp(&CbcSettings::default()).unwrap();
    assert_eq!(opt.status, SolveStatus::Optimal);
    assert!(close(opt.plan.welfare, 6.0), "{}", opt.plan.welfare);
    assert_eq!(opt.plan.assignment, vec![Some(0), Some(1)]);
    let lp = model.solve_lp_relaxation().unwrap();
    assert!(
        close(lp.solution.objective, 6.3),
        "{}",
        lp.solution.objective
    );
    // Every coupling row has a dual, and duals of <= rows are non-negative.
    assert!(lp.coupling_prices.iter().all(|(_, d)| *d >= -1e-7));
}

#[test]
fn example_b_optimum_lp_bound_and_binding_rows() {
    let inst = load("copositive_example_b.json");
    let model = StationAccessModel::build(&inst, StationAccessOptions::default());
    let opt = model.solve_milp(&CbcSettings::default()).unwrap();
    assert!(close(opt.plan.welfare, 13.3), "{}", opt.plan.welfare);
    assert_eq!(opt.plan.assignment, vec![Some(0), Some(1), Some(0)]);
    let lp = model.solve_lp_relaxation().unwrap();
    assert!(
        close(lp.solution.objective, 94.0 / 7.0),
        "{}",
        lp.solution.objective
    );
    // Binding rows of the spec: power (A, t1), EVSE (A, t1), power (B, t0..t1), EVSE (B, t0..t2).
    let binding = |name: RowName| {
        let i = model.model().row_index(name).unwrap();
        close(model.model().rows[i].residual(&opt.plan.x), 0.0)
    };
    assert!(binding(RowName::Power {
        station: 0,
        slot: 1
    }));
    assert!(binding(RowName::Evse {
        station: 0,
        slot: 1
    }));
    for t in 0..2 {
        assert!(binding(RowName::Power {
            station: 1,
            slot: t
        }));
    }
    for t in 0..3 {
        assert!(binding(RowName::Evse {
            station: 1,
            slot: t
        }));
    }
    for (got, want) in [
        (&opt.plan.energy_kwh[0], [7.0, 5.0, 0.0, 0.0]),
        (&opt.plan.energy_kwh[1], [7.0, 7.0, 0.0, 0.0]),
    ] {
        assert!(got.iter().zip(want).all(|(g, w)| close(*g, w)), "{got:?}");
    }
}

#[test]
fn example_c_optimum_matches_brute_force() {
    let inst = load("copositive_example_c.json");
    let model = StationAccessModel::build(&inst, StationAccessOptions::default());
    let opt = model.solve_milp(&CbcSettings::default()).unwrap();
    assert!(close(opt.plan.welfare, 7.21), "{}", opt.plan.welfare);
    assert!(close(brute_force_optimum(&model).unwrap().welfare, 7.21));
}

#[test]
fn full_delivery_variant_serves_all_or_nothing() {
    let inst = load("copositive_example_b.json");
    let opts = StationAccessOptions {
        delivery: Delivery::Full,
        ..Default::default()
    };
    let model = StationAccessModel::build(&inst, opts);
    let opt = model.solve_milp(&CbcSettings::default()).unwrap();
    for (n, ev) in inst.evs().iter().enumerate() {
        let delivered: f64 = opt.plan.energy_kwh[n].iter().sum();
        let served = opt.plan.assignment[n].is_some();
        assert!(
            close(delivered, if served { ev.energy_kwh } else { 0.0 }),
            "EV {n}"
        );
    }
    assert!(close(
        opt.plan.welfare,
        brute_force_optimum(&model).unwrap().welfare
    ));
}

#[test]
fn site_power_cap_binds() {
    let inst = load("copositive_example_b.json");
    let free = milp(&inst).plan.welfare;
    let opts = StationAccessOptions {
        site_power_kw: Some(7.0),
        ..Default::default()
    };
    let capped = StationAccessModel::build(&inst, opts)
        .solve_milp(&CbcSettings::default())
        .unwrap();
    assert!(capped.plan.welfare < free - 1e-6);
    for t in 0..inst.horizon() {
        let total: f64 = capped.plan.energy_kwh.iter().map(|e| e[t]).sum();
        assert!(total <= 7.0 + 1e-6);
    }
}

#[test]
fn invalid_instances_name_the_field() {
    let bad = |json: &str, field: &str| {
        let err = serde_json::from_str::<Instance>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{err:?} does not name {field}");
    };
    let ev = |extra: &str| {
        format!(
            r#"{{"slot_hours": 1.0, "energy_price": [0.1, 0.1],
            "stations": [{{"id": "A", "evse": 1, "power_kw": 7}}],
            "evs": [{{"id": "e", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": 5,
                      "max_kw": 7, "value_per_kwh": 0.5 {extra}}}]}}"#
        )
    };
    assert!(serde_json::from_str::<Instance>(&ev("")).is_ok());
    bad(&ev(r#", "access_cost": {"Z": 1}"#), "evs[0].access_cost.Z");
    bad(&ev(r#", "access_cost": {"A": -1}"#), "evs[0].access_cost.A");
    bad(
        &ev("").replace(r#""departure_slot": 2"#, r#""departure_slot": 3"#),
        "evs[0].departure_slot",
    );
    bad(
        &ev("").replace(r#""arrival_slot": 0"#, r#""arrival_slot": 2"#),
        "evs[0].arrival_slot",
    );
    bad(
        &ev("").replace(r#""energy_kwh": 5"#, r#""energy_kwh": -5"#),
        "evs[0].energy_kwh",
    );
    bad(
        &ev("").replace(r#""slot_hours": 1.0"#, r#""slot_hours": 0"#),
        "slot_hours",
    );
    // Shorter than a minute (1e-300 h once made every energy 1e300 energy units).
    bad(
        &ev("").replace(r#""slot_hours": 1.0"#, r#""slot_hours": 0.001"#),
        "slot_hours",
    );
    // Energies spread beyond what the solvers hold together: a request 1e10 times what the
    // EV takes in a slot, a station 1e10 times that.
    bad(
        &ev("")
            .replace(r#""energy_kwh": 5"#, r#""energy_kwh": 1000"#)
            .replace(r#""max_kw": 7"#, r#""max_kw": 1e-7"#),
        "evs[0].energy_kwh",
    );
    bad(
        &ev("")
            .replace(r#""energy_kwh": 5"#, r#""energy_kwh": 1e-6"#)
            .replace(r#""power_kw": 7"#, r#""power_kw": 90000"#),
        "stations[0].power_kw",
    );
    bad(
        &ev("").replace(r#""power_kw": 7"#, r#""power_kw": -7"#),
        "stations[0].power_kw",
    );
    bad(
        &ev("").replace(r#""energy_price": [0.1, 0.1]"#, r#""energy_price": []"#),
        "energy_price",
    );
    // Beyond the documented ranges (a price of 1e25 once reached a C library's assertion).
    for (from, to, field) in [
        (
            r#""energy_price": [0.1, 0.1]"#,
            r#""energy_price": [0.1, 1e25]"#,
            "energy_price[1]",
        ),
        (
            r#""value_per_kwh": 0.5"#,
            r#""value_per_kwh": 1001"#,
            "evs[0].value_per_kwh",
        ),
        (
            r#""energy_kwh": 5"#,
            r#""energy_kwh": 1e30"#,
            "evs[0].energy_kwh",
        ),
        (r#""max_kw": 7,"#, r#""max_kw": 1e5,"#, "evs[0].max_kw"),
        (
            r#""power_kw": 7"#,
            r#""power_kw": 1e9"#,
            "stations[0].power_kw",
        ),
        (r#""slot_hours": 1.0"#, r#""slot_hours": 1e6"#, "slot_hours"),
    ] {
        let json = ev("").replace(from, to);
        assert_ne!(json, ev(""), "the replacement of {from} applies");
        bad(&json, field);
        let err = serde_json::from_str::<Instance>(&json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be"), "{err}");
    }
    bad(
        &ev(r#", "access_cost": {"A": 2e6}"#),
        "evs[0].access_cost.A",
    );
    // The bounds themselves are accepted.
    let edge = ev(r#", "access_cost": {"A": 1e6}"#)
        .replace(r#""value_per_kwh": 0.5"#, r#""value_per_kwh": 1000"#)
        .replace(r#""slot_hours": 1.0"#, r#""slot_hours": 24"#);
    assert!(serde_json::from_str::<Instance>(&edge).is_ok());
    // A scale that leaves the ranges is refused, not applied silently.
    let inst: Instance = serde_json::from_str(&ev("")).unwrap();
    assert!(inst.scale_money(100.0).is_ok());
    assert!(inst.scale_money(1e5).is_err());
}

#[derive(Debug, Clone)]
struct Gen {
    json: String,
}

/// Random instances in the spirit of spec section 6: 1-4 EVs, 1-2 stations, 2-4 slots.
fn arb_instance() -> impl Strategy<Value = Gen> {
    (1usize..=4, 1usize..=2, 2usize..=4).prop_flat_map(|(n, s, t)| {
        (
            proptest::collection::vec((1u32..=2, 7u32..=12), s),
            proptest::collection::vec(
                (0..t, 1usize..=3, 8u32..=14, 40u32..=70, proptest::collection::vec(0u32..=100, s)),
                n,
            ),
        )
            .prop_map(move |(stations, evs)| {
                let st: Vec<String> = stations
                    .iter()
                    .enumerate()
                    .map(|(k, (evse, p))| format!(r#"{{"id": "S{k}", "evse": {evse}, "power_kw": {p}}}"#))
                    .collect();
                let ev: Vec<String> = evs
                    .iter()
                    .enumerate()
                    .map(|(i, (a, len, e, v, c))| {
                        let d = (a + len).min(t);
                        let costs: Vec<String> = c
                            .iter()
                            .enumerate()
                            .map(|(k, c)| format!(r#""S{k}": {}"#, f64::from(*c) / 100.0))
                            .collect();
                        format!(
                            r#"{{"id": "e{i}", "arrival_slot": {a}, "departure_slot": {d}, "energy_kwh": {e},
                               "max_kw": 7, "value_per_kwh": {}, "access_cost": {{{}}}}}"#,
                            f64::from(*v) / 100.0,
                            costs.join(", ")
                        )
                    })
                    .collect();
                let prices: Vec<&str> = (0..t).map(|k| if k < 2 { "0.1" } else { "0.3" }).collect();
                Gen {
                    json: format!(
                        r#"{{"slot_hours": 1.0, "energy_price": [{}], "stations": [{}], "evs": [{}]}}"#,
                        prices.join(", "),
                        st.join(", "),
                        ev.join(", ")
                    ),
                }
            })
    })
}

fn config() -> Config {
    Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(20_261_122),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Property 1: the CBC optimum equals brute force over all assignment vectors; the LP bound
    /// is above it.
    #[test]
    fn milp_matches_brute_force(g in arb_instance()) {
        let inst: Instance = serde_json::from_str(&g.json).unwrap();
        let model = StationAccessModel::build(&inst, StationAccessOptions::default());
        let opt = model.solve_milp(&CbcSettings::default()).unwrap();
        prop_assert_eq!(opt.status, SolveStatus::Optimal);
        let brute = brute_force_optimum(&model).unwrap();
        prop_assert!(close(opt.plan.welfare, brute.welfare), "{} vs {}", opt.plan.welfare, brute.welfare);
        let lp = model.solve_lp_relaxation().unwrap();
        prop_assert!(lp.solution.objective >= opt.plan.welfare - 1e-6);
        for row in &model.model().rows {
            prop_assert!(row.residual(&opt.plan.x) <= 1e-6, "{:?}", row.name);
        }
    }

    /// Property 8 (part): scaling money scales W*; permuting EVs or stations keeps W*; more
    /// capacity never lowers W*.
    #[test]
    fn invariances(g in arb_instance(), scale in 1u32..=5) {
        let inst: Instance = serde_json::from_str(&g.json).unwrap();
        let w = milp(&inst).plan.welfare;
        let c = f64::from(scale) / 2.0;
        prop_assert!(close(milp(&inst.scale_money(c).unwrap()).plan.welfare, c * w));
        let n = inst.evs().len();
        let rev: Vec<usize> = (0..n).rev().collect();
        prop_assert!(close(milp(&inst.permute_evs(&rev).unwrap()).plan.welfare, w));
        let s = inst.stations().len();
        let srev: Vec<usize> = (0..s).rev().collect();
        prop_assert!(close(milp(&inst.permute_stations(&srev).unwrap()).plan.welfare, w));
        let more = inst.with_more_capacity(0, 1, 3.0).unwrap();
        prop_assert!(milp(&more).plan.welfare >= w - 1e-6);
    }
}

#[test]
fn an_infeasible_fixing_names_the_conflicting_rows() {
    // Example A: two EVs want the one plug at station A. Fixing both onto it contradicts the
    // EVSE row of a slot they share; the certificate names it, with the two fixes.
    let inst = load("copositive_example_a.json");
    let model = StationAccessModel::build(&inst, StationAccessOptions::default());
    let fixes = [
        (model.serve_column(0, 0), 1.0),
        (model.serve_column(1, 0), 1.0),
    ];
    let fixed = model.model().with_fixed(&fixes);
    match evmech_milp_model::solve_milp(&fixed, &CbcSettings::default()) {
        Err(evmech_milp_model::Error::Infeasible { rows }) => {
            assert!(rows.iter().any(|r| r.starts_with("evse[")), "{rows:?}");
            assert!(
                rows.iter().filter(|r| r.starts_with("fix[")).count() == 2,
                "{rows:?}"
            );
            assert!(!rows.iter().any(|r| r.starts_with("power[")), "{rows:?}");
        }
        other => panic!("{other:?}"),
    }
}
