//! The simulator, plant and policies: spec section 11 cases I, J and D's plant check, and the
//! properties of the V2B issue (energy conservation, limits, no-export, the Oracle bound, MPC
//! with a perfect forecast equal to the Oracle, the Theorem 4 decomposition).

use approx::assert_abs_diff_eq;
use evmech_milp_model::charging::{
    ChargingBlock, ChargingCurve, ChargingWeights, PlannedEv, TimeGrid,
};
use evmech_v2b_control::plant::{self, Battery};
use evmech_v2b_control::policy::{
    refine, ChargingPolicy, ConnectedEv, DayView, Decision, Edf, ForecastMode, FutureUsers,
    Horizon, Llf, MaxCharge, McMpc, McMpcOptions, Observation, Oracle, OracleMode, RefineLimit,
    ReqCharge,
};
use evmech_v2b_control::{
    assign_chargers, simulate, Charger, Date, EpisodeReport, Result, Scenario, Session, Site,
    SiteSpec, SyntheticConfig, Tariff, TieBreak,
};

fn session(id: &str, arrival: usize, departure: usize) -> Session {
    Session {
        id: id.into(),
        date: Date {
            year: 2019,
            month: 5,
            day: 1,
        },
        arrival_slot: arrival,
        departure_slot: departure,
        requested_departure_slot: departure,
        battery_kwh: 40.0,
        arrival_energy_kwh: 10.0,
        requested_energy_kwh: 20.0,
        hindsight: false,
        reported_need_kwh: 10.0,
        need_clipped: false,
        limits: Default::default(),
        chain: None,
    }
}

fn charger(id: &str, discharge: f64) -> Charger {
    Charger {
        id: id.into(),
        max_charge_kw: 20.0,
        max_discharge_kw: discharge,
        controlled: true,
        charge_efficiency: 1.0,
        discharge_efficiency: 1.0,
    }
}

#[test]
fn i_fcfs_bidirectional_first_later_departure_first() {
    let site = Site::new(SiteSpec {
        chargers: vec![charger("1", 20.0), charger("2", 0.0)],
        no_export: true,
        penalties: Default::default(),
        import_limit_kw: None,
        demand_response: Vec::new(),
    })
    .unwrap();
    let s = [
        session("A", 10, 40),
        session("B", 10, 60),
        session("C", 10, 50),
    ];
    let got = assign_chargers(&site, &s, &[], TieBreak::LaterDepartureFirst);
    assert_eq!(got, vec![None, Some(0), Some(1)]);
    let got = assign_chargers(&site, &s, &[], TieBreak::EarlierDepartureFirst);
    assert_eq!(got, vec![Some(0), None, Some(1)]);
    // A departure at slot 40 frees the charger for an arrival at slot 40.
    let s = [
        session("A", 10, 40),
        session("B", 10, 60),
        session("D", 40, 50),
    ];
    let site1 = Site::new(SiteSpec {
        chargers: vec![charger("1", 20.0)],
        no_export: true,
        penalties: Default::default(),
        import_limit_kw: None,
        demand_response: Vec::new(),
    })
    .unwrap();
    let got = assign_chargers(&site1, &s, &[], TieBreak::EarlierDepartureFirst);
    assert_eq!(got, vec![Some(0), None, Some(0)]);
}

#[test]
fn j_refinement_single_pass_and_water_filling() {
    let single = refine(50.0, 30.0, &[5.0, 5.0], &[3.0, 15.0], false);
    assert_abs_diff_eq!(single[0], 8.0, epsilon = 1e-12);
    assert_abs_diff_eq!(single[1], 10.0, epsilon = 1e-12);
    let filled = refine(50.0, 30.0, &[5.0, 5.0], &[3.0, 15.0], true);
    assert_abs_diff_eq!(filled[1], 12.0, epsilon = 1e-9);
    assert_abs_diff_eq!(30.0 + filled.iter().sum::<f64>(), 50.0, epsilon = 1e-9);
    // Above the estimated peak nothing changes.
    assert_eq!(
        refine(40.0, 30.0, &[5.0, 5.0], &[3.0, 15.0], false),
        vec![5.0, 5.0]
    );
}

#[test]
fn d_plant_no_export_scales_the_discharge() {
    let c = charger("b", 20.0);
    let b = Battery {
        energy_kwh: 50.0,
        capacity_kwh: 100.0,
        min_kwh: 10.0,
        max_kwh: 100.0,
    };
    let caps = [(
        plant::charge_cap_kw(&b, &c, ChargingCurve::Flat, 0.25),
        plant::discharge_cap_kw(&b, &c, 0.25),
    )];
    let applied = plant::apply(&[-20.0], &caps, &[true], 8.0, true, None);
    assert_abs_diff_eq!(applied[0].applied_kw, -8.0, epsilon = 1e-12);
    let e = plant::integrate(50.0, applied[0].applied_kw, &c, 0.25);
    assert_abs_diff_eq!(e, 48.0, epsilon = 1e-12);
    // An uncontrolled charger draws its cap whatever is asked.
    let applied = plant::apply(&[3.0], &caps, &[false], 8.0, true, None);
    assert_abs_diff_eq!(applied[0].applied_kw, 20.0, epsilon = 1e-12);
}

#[test]
fn h_plant_follows_the_literal_curve() {
    let c = charger("u", 0.0);
    let mut b = Battery {
        energy_kwh: 61.5,
        capacity_kwh: 75.0,
        min_kwh: 7.5,
        max_kwh: 75.0,
    };
    for (p_want, e_want) in [
        (20.0, 66.5),
        (106.0 / 9.0, 625.0 / 9.0),
        (200.0 / 27.0, 1925.0 / 27.0),
    ] {
        let p = plant::charge_cap_kw(&b, &c, ChargingCurve::Paper, 0.25);
        assert_abs_diff_eq!(p, p_want, epsilon = 1e-9);
        b.energy_kwh = plant::integrate(b.energy_kwh, p, &c, 0.25);
        assert_abs_diff_eq!(b.energy_kwh, e_want, epsilon = 1e-9);
    }
}

fn small_episode(seed: u64, days: usize) -> Scenario {
    SyntheticConfig {
        days: Some(days),
        seed,
        ..SyntheticConfig::default()
    }
    .generate()
    .unwrap()
}

#[test]
fn the_generator_is_seeded_and_calibrated() {
    let a = small_episode(3, 23);
    assert_eq!(a, small_episode(3, 23));
    assert_ne!(a, small_episode(4, 23));
    assert_eq!(a.days().len(), 23);
    let arrivals: usize = a.days().iter().map(|d| d.sessions.len()).sum();
    let per_day = arrivals as f64 / 23.0;
    assert!((8.0..16.0).contains(&per_day), "{per_day} arrivals per day");
    let night = a.days()[0].building_kw[8];
    let afternoon = a.days()[0].building_kw[56];
    assert!((30.0..50.0).contains(&night) && (120.0..175.0).contains(&afternoon));
}

/// Checks every observation against the limits and records the slots seen.
struct Checked {
    inner: Box<dyn ChargingPolicy>,
    violations: Vec<String>,
}

impl ChargingPolicy for Checked {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn begin_day(&mut self, view: &DayView<'_>) -> Result<()> {
        self.inner.begin_day(view)
    }
    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        for ev in obs.evs {
            let floor = ev.min_kwh.min({
                let v = obs.hindsight.unwrap();
                v.scenario.days()[v.day].sessions[ev.session].arrival_energy_kwh
            });
            if ev.energy_kwh < floor - 1e-6 || ev.energy_kwh > ev.max_kwh + 1e-6 {
                self.violations.push(format!(
                    "slot {} key {}: e = {}",
                    obs.slot, ev.key, ev.energy_kwh
                ));
            }
        }
        self.inner.decide(obs)
    }
}

fn policies(seed: u64) -> Vec<Box<dyn ChargingPolicy>> {
    vec![
        Box::new(MaxCharge),
        Box::new(ReqCharge),
        Box::new(Edf),
        Box::new(Llf::default()),
        Box::new(Llf {
            reference_compat: true,
        }),
        Box::new(McMpc::deterministic(seed)),
        Box::new(McMpc::new(McMpcOptions {
            scenarios: 3,
            seed,
            ..McMpcOptions::default()
        })),
        Box::new(Oracle::new(OracleMode::Monthly)),
        Box::new(Oracle::new(OracleMode::Daily)),
    ]
}

fn run(scenario: &Scenario, policy: Box<dyn ChargingPolicy>) -> (EpisodeReport, Vec<String>) {
    let mut checked = Checked {
        inner: policy,
        violations: Vec::new(),
    };
    let report = simulate(scenario, &mut checked, None).unwrap();
    (report, checked.violations)
}

#[test]
fn energy_is_conserved_and_limits_hold_under_every_policy() {
    for seed in [1, 2] {
        let scenario = small_episode(seed, 2);
        let tau = scenario.tariff().slot_hours();
        for policy in policies(seed) {
            let (report, violations) = run(&scenario, policy);
            assert!(violations.is_empty(), "{}: {violations:?}", report.policy);
            for day in &report.days {
                let drawn: f64 = day.ev_kw.iter().sum::<f64>() * tau;
                assert_abs_diff_eq!(drawn, day.battery_gain_kwh, epsilon = 1e-6);
                for (b, e) in day.building_kw.iter().zip(&day.ev_kw) {
                    assert!(b + e >= -1e-6, "{}: export {}", report.policy, b + e);
                }
            }
            assert_eq!(report.fallbacks, 0);
            if ["mpc", "mc-mpc", "oracle", "oracle-daily"].contains(&report.policy.as_str()) {
                assert!(
                    report.max_clamp_kw <= 1e-6,
                    "{} clamped {}",
                    report.policy,
                    report.max_clamp_kw
                );
            }
        }
    }
}

#[test]
fn the_oracle_bounds_every_policy_where_its_curve_is_the_plants() {
    for seed in [5, 6] {
        oracle_bounds_every_policy(small_episode(seed, 2).with_curve(ChargingCurve::Flat), seed);
    }
}

/// A facility charge on every slot beside an on-peak one: the LP must price both as the
/// simulator bills them, or a heuristic could beat the Oracle.
#[test]
fn the_oracle_bounds_every_policy_under_two_demand_charges() {
    let tariff: Tariff = serde_json::from_str(
        r#"{"energy": [{"days": "weekdays", "from": "12:00", "to": "18:00", "usd_per_kwh": 0.30},
                       {"days": "weekdays", "from": "18:00", "to": "12:00", "usd_per_kwh": 0.12},
                       {"days": "weekends", "usd_per_kwh": 0.10}],
            "demand": [{"name": "on-peak", "days": "weekdays", "from": "12:00", "to": "18:00", "usd_per_kw": 12.0},
                       {"name": "facility", "usd_per_kw": 8.5}]}"#,
    )
    .unwrap();
    for seed in [7, 8] {
        let scenario = small_episode(seed, 2)
            .with_curve(ChargingCurve::Flat)
            .with_tariff(tariff.clone())
            .unwrap();
        let report = oracle_bounds_every_policy(scenario, seed);
        let month = &report.months[0];
        assert_eq!(month.demand.len(), 2);
        assert!(month.demand[1].peak_kw >= month.demand[0].peak_kw - 1e-9);
        let sum: f64 = month.demand.iter().map(|d| d.usd).sum();
        assert!((month.demand_cost_usd - sum).abs() < 1e-9);
    }
}

/// Runs the Oracle (flat curve, shortfall priced at `K_SOC`, so its objective is the bill) and
/// every policy; returns the Oracle's report.
fn oracle_bounds_every_policy(scenario: Scenario, seed: u64) -> EpisodeReport {
    {
        let mut oracle = Oracle::new(OracleMode::Monthly);
        let k_soc = scenario.site().penalties().missing_energy_usd_per_kwh;
        oracle.weights = Some(ChargingWeights {
            demand_usd_per_kw: scenario.tariff().demand[0].usd_per_kw,
            shortfall_usd_per_kwh: k_soc,
            degradation_usd_per_kwh: scenario.site().penalties().degradation_usd_per_kwh,
        });
        let (best, _) = run(&scenario, Box::new(oracle));
        for policy in policies(seed) {
            let (r, _) = run(&scenario, policy);
            let tol = 1e-6 * (1.0 + best.building_cost_usd);
            assert!(
                best.building_cost_usd <= r.building_cost_usd + tol,
                "seed {seed}: oracle {} > {} {}",
                best.building_cost_usd,
                r.policy,
                r.building_cost_usd
            );
        }
        best
    }
}

#[test]
fn mpc_with_a_perfect_forecast_matches_the_oracle() {
    let perfect = || {
        Box::new(McMpc::new(McMpcOptions {
            scenarios: 1,
            forecast: ForecastMode::HindsightPerfect,
            refinement: false,
            time_grid: TimeGrid::Slots,
            ..McMpcOptions::default()
        }))
    };
    for seed in [7, 8] {
        let one_day = small_episode(seed, 1);
        let (oracle, _) = run(&one_day, Box::new(Oracle::new(OracleMode::Monthly)));
        let (mpc, _) = run(&one_day, perfect());
        assert_abs_diff_eq!(
            mpc.building_cost_usd,
            oracle.building_cost_usd,
            epsilon = 1e-5 * oracle.building_cost_usd
        );
        let days = small_episode(seed, 3);
        let (daily, _) = run(&days, Box::new(Oracle::new(OracleMode::Daily)));
        let (mpc, _) = run(&days, perfect());
        assert_abs_diff_eq!(
            mpc.building_cost_usd,
            daily.building_cost_usd,
            epsilon = 1e-5 * daily.building_cost_usd
        );
    }
}

#[test]
fn the_monthly_oracle_is_no_worse_than_the_daily_one() {
    let scenario = small_episode(9, 4);
    let (monthly, _) = run(&scenario, Box::new(Oracle::new(OracleMode::Monthly)));
    let (daily, _) = run(&scenario, Box::new(Oracle::new(OracleMode::Daily)));
    assert!(monthly.building_cost_usd <= daily.building_cost_usd + 1e-6 * daily.building_cost_usd);
}

/// Two billing months: each is billed on its own, the months add up to the episode, and every
/// session has one outcome.
#[test]
fn months_add_up_and_every_session_has_an_outcome() {
    let base = small_episode(11, 2);
    let mut spec = evmech_v2b_control::ScenarioSpec::from(base);
    let june = Date::new(2019, 6, 3).unwrap();
    spec.days[1].date = june;
    for s in &mut spec.days[1].sessions {
        s.date = june;
    }
    let scenario = Scenario::new(spec).unwrap();
    for policy in policies(11) {
        let (r, _) = run(&scenario, policy);
        assert_eq!(r.months.len(), 2, "{}", r.policy);
        assert_eq!((r.months[0].month, r.months[1].month), (5, 6));
        let sum: f64 = r.months.iter().map(|m| m.building_cost_usd()).sum();
        assert!(
            (sum - r.building_cost_usd).abs() < 1e-6 * (1.0 + r.building_cost_usd),
            "{}: months {sum} vs {}",
            r.policy,
            r.building_cost_usd
        );
        let missing: f64 = r.months.iter().map(|m| m.missing_soc_kwh).sum();
        assert!((missing - r.missing_soc_kwh).abs() < 1e-9);
        assert_eq!(r.sessions.len(), r.arrivals, "{}", r.policy);
        let served_missing: f64 = r.sessions.iter().map(|s| s.missing_kwh).sum();
        assert!((served_missing - r.missing_soc_kwh).abs() < 1e-9);
        let discharged: f64 = r.sessions.iter().map(|s| s.discharged_kwh).sum();
        assert!((discharged - r.discharged_kwh).abs() < 1e-6);
        // Each month's demand charge is its own peak, not the episode's.
        for m in &r.months {
            let peak = r
                .days
                .iter()
                .filter(|d| d.date.month == m.month)
                .map(|d| d.peak_kw)
                .fold(0.0, f64::max);
            assert!((m.peak_kw - peak).abs() < 1e-9);
            assert!((m.demand_cost_usd - 11.67 * peak).abs() < 1e-6);
        }
    }
}

/// A site with an import limit and a demand-response event: no policy's net import passes
/// `max(building, limit)`, the penalties are billed as the plant saw them, and the Oracle (which
/// optimises them) still bounds every policy.
#[test]
fn the_import_limit_holds_and_demand_response_is_billed() {
    let base = small_episode(9, 2).with_curve(ChargingCurve::Flat);
    let date = base.days()[0].date;
    let mut spec = SiteSpec::from(base.site().clone());
    spec.import_limit_kw = Some(170.0);
    spec.demand_response = vec![serde_json::from_value(serde_json::json!({
        "date": date.to_string(), "from": "13:00", "to": "17:00", "firm_kw": 150.0,
        "penalty_usd_per_kwh": 6.0, "incentive_usd_per_kw": 13.6, "baseline_kw": 180.0
    }))
    .unwrap()];
    let scenario = base.with_site(Site::new(spec).unwrap());
    let best = oracle_bounds_every_policy(scenario.clone(), 9);
    for policy in policies(9) {
        let (r, _) = run(&scenario, policy);
        for d in &r.days {
            for (b, e) in d.building_kw.iter().zip(&d.ev_kw) {
                assert!(b + e <= b.max(170.0) + 1e-6, "{}: {b} + {e}", r.policy);
            }
        }
        // The penalty is what the trace shows above 150 kW from 13:00 to 17:00.
        let day = &r.days[0];
        let excess: f64 = (52..68)
            .map(|k| (day.building_kw[k] + day.ev_kw[k] - 150.0).max(0.0))
            .sum();
        assert!(
            (r.dr_penalty_usd - 6.0 * 0.25 * excess).abs() < 1e-6,
            "{}",
            r.policy
        );
        let incentive = if excess > 1e-9 { 0.0 } else { 13.6 * 30.0 };
        assert!(
            (r.dr_incentive_usd - incentive).abs() < 1e-9,
            "{}",
            r.policy
        );
        assert!(
            best.dr_penalty_usd <= r.dr_penalty_usd + 1e-6,
            "{}",
            r.policy
        );
    }
    // Bad events are named.
    let mut spec = SiteSpec::from(scenario.site().clone());
    spec.demand_response.push(spec.demand_response[0].clone());
    match Site::new(spec) {
        Err(evmech_v2b_control::Error::InvalidField { field, .. }) => {
            assert_eq!(field, "demand_response[1]")
        }
        other => panic!("{other:?}"),
    }
    let bad: std::result::Result<evmech_v2b_control::DrEvent, _> = serde_json::from_value(
        serde_json::json!({
            "date": "2019-02-31", "from": "13:00", "to": "17:00", "firm_kw": 1.0, "penalty_usd_per_kwh": 1.0
        }),
    );
    assert!(bad.is_err());
}

/// One EV on charger 0 since slot 30, leaving at `departure`.
fn plugged_in_until(departure: usize) -> ConnectedEv {
    ConnectedEv {
        session: 0,
        key: 1,
        charger: 0,
        arrival_slot: 30,
        departure_slot: departure,
        energy_kwh: 10.0,
        target_kwh: 30.0,
        min_kwh: 4.0,
        max_kwh: 40.0,
        battery_kwh: 40.0,
        charge_cap_kw: 20.0,
        discharge_cap_kw: 0.0,
        limits: Default::default(),
    }
}

/// The blocks of MC-MPC's model with `options` at `slot` of `date`, the load now that of day
/// `today` of `scenario`, the days before `today` recorded, one EV plugged in until
/// `departure`.
fn mc_mpc_blocks(
    scenario: &Scenario,
    today: usize,
    date: Date,
    (slot, departure): (usize, usize),
    options: McMpcOptions,
) -> Vec<ChargingBlock> {
    let history = scenario.history_before(today);
    let obs = Observation {
        config: scenario.config(),
        date,
        slot,
        building_kw: scenario.days()[today].building_kw[slot],
        past_peaks_kw: &[100.0],
        evs: &[plugged_in_until(departure)],
        history: &history,
        hindsight: None,
    };
    McMpc::new(options).problem(&obs).unwrap().problem.blocks
}

/// MC-MPC writes one block per distinct future: 30 draws from five past days are at most five
/// blocks, weighted by how often each day was drawn.
#[test]
fn mc_mpc_writes_each_distinct_future_once() {
    let scenario = small_episode(5, 6);
    let today = 5;
    let options = McMpcOptions {
        scenarios: 30,
        ..McMpcOptions::default()
    };
    let blocks = mc_mpc_blocks(
        &scenario,
        today,
        scenario.days()[today].date,
        (36, 70),
        options,
    );
    assert!(
        (2..=today).contains(&blocks.len()),
        "{} blocks",
        blocks.len()
    );
    let copies: Vec<f64> = blocks.iter().map(|b| b.weight * 30.0).collect();
    assert_abs_diff_eq!(copies.iter().sum::<f64>(), 30.0, epsilon = 1e-9);
    assert!(copies
        .iter()
        .all(|c| (c - c.round()).abs() < 1e-9 && *c >= 1.0));
    for (i, a) in blocks.iter().enumerate() {
        for b in &blocks[i + 1..] {
            assert!(a.building_kw != b.building_kw || a.evs.len() != b.evs.len());
        }
    }
}

/// The refinement fills the import up to the month's peak so far. To the target (the default)
/// it only moves charging earlier; to the ceiling (the paper's eq. 20) it sends cars on the
/// bidirectional chargers away with energy the building bought and nobody asked for.
#[test]
fn the_refinement_charges_to_the_target_unless_told_the_ceiling() {
    let scenario = small_episode(21, 3);
    let run_with = |refine_to: RefineLimit| {
        let policy = McMpc::new(McMpcOptions {
            scenarios: 3,
            refine_to,
            ..McMpcOptions::default()
        });
        run(&scenario, Box::new(policy)).0
    };
    let above = |r: &EpisodeReport| {
        r.sessions
            .iter()
            .map(|s| s.delivered_kwh - s.requested_kwh)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let target = run_with(RefineLimit::Target);
    let ceiling = run_with(RefineLimit::Ceiling);
    assert!(above(&target) <= 1e-6, "{} kWh above", above(&target));
    assert!(above(&ceiling) > 1.0, "{} kWh above", above(&ceiling));
    assert!(target.delivered_kwh < ceiling.delivered_kwh);
    assert_eq!(target.missing_soc_kwh, 0.0);
}

/// A rolling horizon plans 24 hours ahead at 17:00: the night's load and the sampled next
/// mornings' arrivals (from the days after the sampled ones), but not past the billing month's
/// end; the end-of-day horizon stops at midnight.
#[test]
fn a_rolling_horizon_sees_the_next_morning_within_the_month() {
    let scenario = small_episode(5, 8);
    let today = 7;
    let day = &scenario.days()[today];
    let blocks = |date: Date, horizon: Horizon| {
        let options = McMpcOptions {
            scenarios: 10,
            horizon,
            ..McMpcOptions::default()
        };
        mc_mpc_blocks(&scenario, today, date, (68, 72), options)
    };
    let rolling = blocks(day.date, Horizon::default());
    assert!(rolling.iter().all(|b| b.end_slot() == 68 + 96));
    let tomorrow = |b: &ChargingBlock| b.evs.iter().filter(|e| e.arrival_slot >= 96).count();
    assert!(
        rolling.iter().any(|b| tomorrow(b) > 0),
        "no next-morning arrival sampled"
    );
    let end_of_day = blocks(day.date, Horizon::EndOfDay);
    assert!(end_of_day
        .iter()
        .all(|b| b.end_slot() == 96 && tomorrow(b) == 0));
    let last_of_month = Date {
        year: 2019,
        month: 5,
        day: 31,
    };
    assert!(blocks(last_of_month, Horizon::default())
        .iter()
        .all(|b| b.end_slot() == 96));
    let four = blocks(day.date, Horizon::Rolling { hours: 4 });
    assert!(
        four.iter().all(|b| b.end_slot() == 96),
        "at least the end of the day"
    );
    let eight = blocks(day.date, Horizon::Rolling { hours: 8 });
    assert!(eight.iter().all(|b| b.end_slot() == 68 + 32));
    for bad in ["0", "25", "soon"] {
        assert!(bad.parse::<Horizon>().is_err(), "{bad}");
    }
}

/// With `FutureUsers::OutsideOption` every later arrival of MC-MPC's futures is weighed at the
/// site's external charging price and the EV already plugged in keeps the model's weight; with
/// the default every EV keeps the model's weight.
#[test]
fn later_users_at_the_outside_option_are_weighed_at_the_external_price() {
    let scenario = small_episode(5, 6);
    let today = 5;
    let blocks = |future_users: FutureUsers| {
        let options = McMpcOptions {
            scenarios: 10,
            future_users,
            ..McMpcOptions::default()
        };
        mc_mpc_blocks(
            &scenario,
            today,
            scenario.days()[today].date,
            (36, 70),
            options,
        )
    };
    let external = scenario
        .config()
        .site
        .penalties()
        .external_price_usd_per_kwh;
    let soft = blocks(FutureUsers::OutsideOption);
    let later: Vec<&PlannedEv> = soft
        .iter()
        .flat_map(|b| b.evs.iter().filter(|e| e.key != 1))
        .collect();
    assert!(!later.is_empty(), "no later arrival sampled");
    assert!(later
        .iter()
        .all(|e| e.shortfall_usd_per_kwh == Some(external)));
    let connected = soft
        .iter()
        .flat_map(|b| b.evs.iter().filter(|e| e.key == 1));
    assert!(connected.clone().count() == soft.len());
    assert!(connected
        .into_iter()
        .all(|e| e.shortfall_usd_per_kwh.is_none()));
    let committed = blocks(FutureUsers::Committed);
    assert!(committed
        .iter()
        .flat_map(|b| &b.evs)
        .all(|e| e.shortfall_usd_per_kwh.is_none()));
}

/// `FutureUsers` parses its names, refuses others with the field's name, and is left out of
/// `McMpcOptions`' JSON when it is the default.
#[test]
fn future_users_by_name_and_in_json() {
    for rule in FutureUsers::ALL {
        assert_eq!(rule.name().parse::<FutureUsers>().unwrap(), rule);
    }
    let err = "sometimes".parse::<FutureUsers>().unwrap_err().to_string();
    assert!(err.contains("future-users"), "{err}");
    let default = serde_json::to_string(&McMpcOptions::default()).unwrap();
    assert!(!default.contains("future_users"), "{default}");
    let soft = McMpcOptions {
        future_users: FutureUsers::OutsideOption,
        ..McMpcOptions::default()
    };
    let text = serde_json::to_string(&soft).unwrap();
    assert!(
        text.contains("\"future_users\":\"outside-option\""),
        "{text}"
    );
    let back: McMpcOptions = serde_json::from_str(&text).unwrap();
    assert_eq!(back, soft);
}
