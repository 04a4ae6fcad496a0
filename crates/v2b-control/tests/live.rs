//! The live API: a day replayed call by call through `Controller::decide` gives the
//! simulator's bill to the cent; bad states are refused naming the field; decisions read
//! nothing recorded after "now".

use evmech_v2b_control::live::{Controller, LiveArrival, LiveEv, LiveOptions, SiteState};
use evmech_v2b_control::negotiation::{Choice, Negotiator};
use evmech_v2b_control::policy::McMpc;
use evmech_v2b_control::policy::PolicyKind;
use evmech_v2b_control::{
    arrival_order, day_plan, plant, simulate, Date, Error, History, Scenario, Session,
    SessionOptions, Site,
};
use std::path::Path;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn data_dir() -> String {
    format!("{}/tests/data", manifest_dir())
}

/// The first `days` weekdays of the shared May 2019 fixture.
fn fixture(days: usize) -> Scenario {
    Scenario::from_csv_files(
        Path::new(&format!("{}/caltech_2019-05_weekdays.csv", data_dir())),
        Path::new(&format!("{}/doe_medium_office_la_hourly.csv", data_dir())),
        Site::paper_default(),
        &SessionOptions::paper(),
        Some(days),
    )
    .unwrap()
}

/// Slot `k` of `date` as an RFC 3339 time in Pacific daylight time (May).
fn at(date: Date, k: usize) -> String {
    let date = date.plus_days((k / 96) as i64);
    let m = (k % 96) * 15;
    format!("{date}T{:02}:{:02}:00-07:00", m / 60, m % 60)
}

struct Plugged {
    session: usize,
    charger: usize,
    energy_kwh: f64,
}

/// Replays day `d` of `scenario` through the live API with `options`, starting from the
/// month's peak `peak_kw`; returns the day's energy cost and the month's peak after it.
fn replay(scenario: &Scenario, d: usize, options: LiveOptions, mut peak_kw: f64) -> (f64, f64) {
    let config = scenario.config().clone();
    let day = &scenario.days()[d];
    let (assignment, targets) = day_plan(scenario, d);
    let mut controller = Controller::new(config.clone(), options).unwrap();
    let mut history = scenario.history_before(d);
    let mut plugged: Vec<Plugged> = Vec::new();
    let mut energy_cost = 0.0;
    let tariff = &config.tariff;
    for k in 0..96 {
        let (gone, stay): (Vec<Plugged>, Vec<Plugged>) = plugged
            .into_iter()
            .partition(|p| day.sessions[p.session].departure_slot <= k);
        history
            .sessions
            .extend(gone.iter().map(|p| day.sessions[p.session].clone()));
        plugged = stay;
        for s in arrival_order(&day.sessions, config.tie_break) {
            let session = &day.sessions[s];
            if let (true, Some(c)) = (session.arrival_slot == k, assignment[s]) {
                plugged.push(Plugged {
                    session: s,
                    charger: c,
                    energy_kwh: session.arrival_energy_kwh,
                });
            }
        }
        let building = day.building_kw[k];
        let mut ev_kw = 0.0;
        if !plugged.is_empty() {
            let state = SiteState {
                time: at(day.date, k),
                building_kw: building,
                month_peak_kw: peak_kw,
                month_peaks_kw: Default::default(),
                evs: plugged
                    .iter()
                    .map(|p| {
                        let s: &Session = &day.sessions[p.session];
                        LiveEv {
                            id: s.id.clone(),
                            charger: p.charger,
                            arrival: at(day.date, s.arrival_slot),
                            departure: at(day.date, s.departure_slot),
                            energy_kwh: p.energy_kwh,
                            target_kwh: targets[p.session],
                            battery_kwh: s.battery_kwh,
                            limits: Default::default(),
                        }
                    })
                    .collect(),
            };
            let decision = controller.decide(&state, &history).unwrap();
            for (p, sp) in plugged.iter_mut().zip(&decision.setpoints) {
                let c = config.charger(p.charger);
                p.energy_kwh = plant::integrate(p.energy_kwh, sp.power_kw, c, tariff.slot_hours());
                ev_kw += sp.power_kw;
            }
        }
        history
            .building_kw
            .entry(day.date)
            .or_default()
            .push(building);
        let grid = building + ev_kw;
        energy_cost += tariff.grid_cost(day.date, k, grid);
        if tariff.demand_applies(0, day.date, k) {
            peak_kw = peak_kw.max(grid);
        }
    }
    (energy_cost, peak_kw)
}

fn options(policy: PolicyKind, scenarios: usize) -> LiveOptions {
    LiveOptions {
        policy,
        scenarios,
        ..LiveOptions::default()
    }
}

#[test]
fn a_replayed_day_matches_the_simulator_to_the_cent() {
    let scenario = fixture(4);
    let d = 3;
    for (policy, scenarios, mut sim_policy) in [
        (
            PolicyKind::McMpc,
            5,
            McMpc::new(evmech_v2b_control::policy::McMpcOptions {
                scenarios: 5,
                ..Default::default()
            }),
        ),
        (PolicyKind::Mpc, 1, McMpc::deterministic(0)),
    ] {
        let report = simulate(&scenario, &mut sim_policy, None).unwrap();
        let peak_before = report.days[..d]
            .iter()
            .map(|r| r.peak_kw)
            .fold(0.0, f64::max);
        let (energy, peak) = replay(&scenario, d, options(policy, scenarios), peak_before);
        let sim = &report.days[d];
        assert!(
            (energy - sim.energy_cost_usd).abs() < 0.005,
            "{policy:?}: replayed energy {energy} vs simulated {}",
            sim.energy_cost_usd
        );
        let sim_peak = peak_before.max(sim.peak_kw);
        assert!(
            (peak - sim_peak).abs() < 1e-6,
            "{policy:?}: replayed peak {peak} vs simulated {sim_peak}"
        );
        // The causal futures came from the three days before.
        assert_eq!(report.forecasts.keys().collect::<Vec<_>>(), {
            let mut k = vec![];
            if d > 0 {
                k.push(if scenarios == 1 {
                    "history-mean"
                } else {
                    "history"
                });
            }
            k.push(if scenarios == 1 {
                "history-mean (persistence)"
            } else {
                "history (persistence)"
            });
            k.sort();
            k
        });
    }
}

fn state() -> SiteState {
    SiteState {
        time: "2019-05-14T10:00:00-07:00".into(),
        building_kw: 131.2,
        month_peak_kw: 160.4,
        month_peaks_kw: Default::default(),
        evs: vec![
            LiveEv {
                id: "s1".into(),
                charger: 3,
                arrival: "2019-05-14T07:58:00-07:00".into(),
                departure: "2019-05-14T17:30:00-07:00".into(),
                energy_kwh: 21.5,
                target_kwh: 52.0,
                battery_kwh: 75.0,
                limits: Default::default(),
            },
            LiveEv {
                id: "s2".into(),
                charger: 0,
                arrival: "2019-05-14T09:10:00-07:00".into(),
                departure: "2019-05-14T16:00:00-07:00".into(),
                energy_kwh: 30.0,
                target_kwh: 60.0,
                battery_kwh: 100.0,
                limits: Default::default(),
            },
        ],
    }
}

fn field_of(result: evmech_v2b_control::Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidField { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

/// The parameter a result refuses (panics on anything else).
fn param_of(result: evmech_v2b_control::Result<impl std::fmt::Debug>) -> &'static str {
    match result {
        Err(Error::InvalidParameter { field, .. }) => field,
        other => panic!("expected an invalid parameter, got {other:?}"),
    }
}

/// A change that breaks one field of a state.
type Breaker = Box<dyn Fn(&mut SiteState)>;

#[test]
fn bad_states_name_the_field() {
    let mut c = Controller::new(Default::default(), options(PolicyKind::ReqCharge, 1)).unwrap();
    let h = History::new();
    let cases: Vec<(&str, Breaker)> = vec![
        ("evs[0].charger", Box::new(|s| s.evs[0].charger = 15)),
        ("evs[1].charger", Box::new(|s| s.evs[1].charger = 3)),
        ("evs[1].id", Box::new(|s| s.evs[1].id = "s1".into())),
        (
            "evs[0].departure",
            Box::new(|s| s.evs[0].departure = "2019-05-14T09:59:00-07:00".into()),
        ),
        (
            "evs[0].departure",
            Box::new(|s| s.evs[0].departure = "2019-05-16T00:15:00-07:00".into()),
        ),
        (
            "evs[1].arrival",
            Box::new(|s| s.evs[1].arrival = "2019-05-14T10:30:00-07:00".into()),
        ),
        (
            "evs[0].energy_kwh",
            Box::new(|s| s.evs[0].energy_kwh = 80.0),
        ),
        (
            "evs[0].energy_kwh",
            Box::new(|s| s.evs[0].energy_kwh = f64::NAN),
        ),
        (
            "evs[1].target_kwh",
            Box::new(|s| s.evs[1].target_kwh = 101.0),
        ),
        (
            "evs[1].battery_kwh",
            Box::new(|s| s.evs[1].battery_kwh = 0.0),
        ),
        ("time", Box::new(|s| s.time = "2019-05-14 10:00".into())),
        ("building_kw", Box::new(|s| s.building_kw = -1.0)),
        (
            "month_peak_kw",
            Box::new(|s| s.month_peak_kw = f64::INFINITY),
        ),
    ];
    for (field, break_it) in cases {
        let mut s = state();
        break_it(&mut s);
        assert_eq!(field_of(c.decide(&s, &h)), field);
    }
    assert!(c.decide(&state(), &h).is_ok());
}

#[test]
fn live_controllers_refuse_hindsight_and_bad_options() {
    let f = |o: LiveOptions| field_of(Controller::new(Default::default(), o));
    assert_eq!(f(options(PolicyKind::Oracle, 1)), "policy");
    assert_eq!(f(options(PolicyKind::McMpc, 0)), "scenarios");
    let tz = LiveOptions {
        time_zone: "Mars/Olympus_Mons".into(),
        ..LiveOptions::default()
    };
    assert_eq!(f(tz), "time_zone");
}

/// What the site knows at 10:00 on 14 May (slot 40): the fixture's first three days and
/// the load of the morning; with `with_future`, also data recorded after that moment.
fn history(scenario: &Scenario, with_future: bool) -> History {
    let mut h = scenario.history_before(3);
    let day = &scenario.days()[3];
    let today = Date {
        day: 14,
        ..day.date
    };
    h.building_kw.insert(today, day.building_kw[..40].to_vec());
    if with_future {
        // The rest of today's load, tomorrow's, and sessions still plugged in or to come.
        h.building_kw.insert(today, day.building_kw.clone());
        h.building_kw.insert(today.plus_days(1), vec![500.0; 96]);
        h.sessions.extend(
            day.sessions
                .iter()
                .filter(|s| s.departure_slot > 40)
                .map(|s| Session {
                    date: today,
                    ..s.clone()
                }),
        );
        h.sessions.push(Session {
            id: "future".into(),
            date: today.plus_days(1),
            ..day.sessions[0].clone()
        });
    }
    h
}

#[test]
fn decisions_read_nothing_recorded_after_now() {
    let scenario = fixture(4);
    for (policy, f) in [
        (PolicyKind::McMpc, 8),
        (PolicyKind::Mpc, 1),
        (PolicyKind::Edf, 1),
    ] {
        let mut c = Controller::new(scenario.config().clone(), options(policy, f)).unwrap();
        let past_only = c.decide(&state(), &history(&scenario, false)).unwrap();
        let with_future = c.decide(&state(), &history(&scenario, true)).unwrap();
        assert_eq!(past_only.setpoints, with_future.setpoints, "{policy:?}");
        assert_eq!(past_only.plan, with_future.plan, "{policy:?}");
        assert_eq!(past_only.expected_cost_usd, with_future.expected_cost_usd);
    }
}

#[test]
fn the_same_state_gives_the_same_decision_and_the_seed_matters() {
    let scenario = fixture(4);
    let h = history(&scenario, false);
    let decide = |seed: u64| {
        let o = LiveOptions {
            seed,
            scenarios: 8,
            ..LiveOptions::default()
        };
        Controller::new(scenario.config().clone(), o)
            .unwrap()
            .decide(&state(), &h)
            .unwrap()
    };
    let (a, b, other) = (decide(3), decide(3), decide(4));
    assert_eq!(a.setpoints, b.setpoints);
    assert_eq!(a.expected_cost_usd, b.expected_cost_usd);
    assert_eq!(a.forecast.as_deref(), Some("history"));
    assert_ne!(a.expected_cost_usd, other.expected_cost_usd);
}

#[test]
fn an_ev_staying_past_midnight_is_planned_to_its_departure() {
    let mut s = state();
    s.time = "2019-05-14T22:00:00-07:00".into();
    s.evs[0].departure = "2019-05-15T06:00:00-07:00".into();
    s.evs[1].departure = "2019-05-14T23:00:00-07:00".into();
    let mut c = Controller::new(Default::default(), options(PolicyKind::Mpc, 1)).unwrap();
    let d = c.decide(&s, &History::new()).unwrap();
    assert_eq!(d.plan[0].power_kw.len(), 32);
    assert_eq!(d.plan[1].power_kw.len(), 4);
    let stored: f64 = 21.5 + d.plan[0].power_kw.iter().sum::<f64>() * 0.25;
    assert!(stored >= 51.0, "plans {stored} kWh of the 52 wanted");
}

fn arrival() -> LiveArrival {
    LiveArrival {
        id: "new".into(),
        charger: None,
        departure: "2019-05-14T17:00:00-07:00".into(),
        energy_kwh: 20.0,
        target_kwh: 50.0,
        battery_kwh: 75.0,
    }
}

#[test]
fn a_quoted_menu_becomes_a_connected_ev_on_acceptance() {
    let scenario = fixture(4);
    let h = history(&scenario, false);
    let mut c = Controller::new(scenario.config().clone(), options(PolicyKind::Mpc, 1)).unwrap();
    let negotiator = Negotiator::consent(0);
    let q = c.quote(&negotiator, &state(), &arrival(), &h).unwrap();
    // The paper's four levels; the first is the request itself, on the first free charger
    // (bidirectional first: charger 10).
    assert_eq!(q.options.len(), 4);
    assert_eq!(q.charger, 10);
    assert_eq!(q.options[0].departure, "2019-05-14T17:00:00-07:00");
    assert!((q.options[0].target_kwh - 50.0).abs() < 1e-9);
    assert_eq!(q.time, "2019-05-14T10:00:00-07:00");
    assert_eq!(q.forecast, "history");
    for o in &q.options {
        assert!(o.price_usd.is_finite());
        assert!(o.target_kwh <= 50.0 + 1e-9 && o.delay_minutes >= 0.0);
    }
    // The same state and history give the same menu.
    let again = c.quote(&negotiator, &state(), &arrival(), &h).unwrap();
    assert_eq!(again.options, q.options);
    let (ev, price) = c.accept(&q, Choice::Accept(2)).unwrap().unwrap();
    assert_eq!((ev.charger, ev.target_kwh), (10, q.options[2].target_kwh));
    assert_eq!(ev.departure, q.options[2].departure);
    assert_eq!(price, q.options[2].price_usd);
    let mut next = state();
    next.evs.push(ev);
    assert_eq!(c.decide(&next, &h).unwrap().setpoints.len(), 3);
    assert!(c.accept(&q, Choice::Reject).unwrap().is_none());
    assert!(matches!(
        c.accept(&q, Choice::Accept(4)),
        Err(Error::InvalidParameter {
            field: "choice",
            ..
        })
    ));
}

#[test]
fn bad_arrivals_name_the_field() {
    let c = Controller::new(Default::default(), options(PolicyKind::Mpc, 1)).unwrap();
    let n = Negotiator::consent(0);
    let h = History::new();
    let mut a = arrival();
    a.departure = "2019-05-15T08:00:00-07:00".into();
    assert_eq!(field_of(c.quote(&n, &state(), &a, &h)), "arrival.departure");
    let mut a = arrival();
    a.departure = "2019-05-14T09:00:00-07:00".into();
    assert_eq!(field_of(c.quote(&n, &state(), &a, &h)), "arrival.departure");
    let mut a = arrival();
    a.charger = Some(3);
    assert_eq!(field_of(c.quote(&n, &state(), &a, &h)), "arrival.charger");
    let mut a = arrival();
    a.target_kwh = 80.0;
    assert_eq!(
        field_of(c.quote(&n, &state(), &a, &h)),
        "arrival.target_kwh"
    );
}

/// A time `minutes` after 10:00 on 14 May (Pacific daylight time).
fn after_ten(minutes: i64) -> String {
    let t = 10 * 60 + minutes;
    let (day, m) = (14 + t.div_euclid(24 * 60), t.rem_euclid(24 * 60));
    format!("2019-05-{day:02}T{:02}:{:02}:00-07:00", m / 60, m % 60)
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(48))]
    /// Whatever the state, the live call answers: a decision whose set-points respect the
    /// chargers, or an error naming a field. It never panics.
    #[test]
    fn any_state_gets_a_decision_or_a_named_error(
        evs in proptest::collection::vec(
            (0usize..17, -600i64..60, -30i64..2000, -1.0f64..45.0, -1.0f64..45.0,
             proptest::sample::select(vec![0.0, 40.0, 75.0, 100.0, f64::NAN])),
            0..6,
        ),
        building in proptest::sample::select(vec![0.0, 80.0, 250.0, -3.0, f64::INFINITY]),
        policy in proptest::sample::select(vec![PolicyKind::Mpc, PolicyKind::ReqCharge, PolicyKind::Llf]),
    ) {
        let state = SiteState {
            time: after_ten(0),
            building_kw: building,
            month_peak_kw: 150.0,
            month_peaks_kw: Default::default(),
            evs: evs
                .iter()
                .enumerate()
                .map(|(i, &(charger, arrival, departure, energy, target, battery))| LiveEv {
                    id: format!("ev{i}"),
                    charger,
                    arrival: after_ten(arrival),
                    departure: after_ten(departure),
                    energy_kwh: energy,
                    target_kwh: target,
                    battery_kwh: battery,
                    limits: Default::default(),
                })
                .collect(),
        };
        let mut c = Controller::new(Default::default(), options(policy, 1)).unwrap();
        match c.decide(&state, &History::new()) {
            Ok(d) => {
                proptest::prop_assert_eq!(d.setpoints.len(), state.evs.len());
                for sp in &d.setpoints {
                    proptest::prop_assert!(sp.power_kw.is_finite());
                    proptest::prop_assert!(sp.power_kw <= 20.0 + 1e-9 && sp.power_kw >= -20.0 - 1e-9);
                }
            }
            Err(Error::InvalidField { field, .. }) => {
                proptest::prop_assert!(
                    field.starts_with("evs[") || field == "building_kw",
                    "unexpected field {}", field
                );
            }
            Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}

#[test]
fn a_vehicles_own_limits_cut_its_set_point_and_bad_ones_are_named() {
    let mut s = state();
    s.evs[0].limits.max_charge_kw = Some(7.0);
    let mut c = Controller::new(Default::default(), options(PolicyKind::MaxCharge, 1)).unwrap();
    let d = c.decide(&s, &History::new()).unwrap();
    assert!(
        (d.setpoints[0].power_kw - 7.0).abs() < 1e-9,
        "{:?}",
        d.setpoints[0]
    );
    assert!(d.setpoints[1].power_kw > 7.0);
    for (limits, field) in [
        (
            evmech_v2b_control::VehicleLimits {
                max_charge_kw: Some(-1.0),
                ..Default::default()
            },
            "evs[0].limits.max_charge_kw",
        ),
        (
            evmech_v2b_control::VehicleLimits {
                min_energy_kwh: Some(80.0),
                ..Default::default()
            },
            "evs[0].limits.min_energy_kwh",
        ),
    ] {
        let mut bad = state();
        bad.evs[0].limits = limits;
        match c.decide(&bad, &History::new()) {
            Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{other:?}"),
        }
    }
    // The JSON takes them as an optional object.
    let json = r#"{"id": "x", "charger": 1, "arrival": "2019-05-14T08:00:00-07:00",
        "departure": "2019-05-14T17:00:00-07:00", "energy_kwh": 10, "target_kwh": 30,
        "battery_kwh": 60, "limits": {"max_charge_kw": 11, "min_energy_kwh": 6}}"#;
    let ev: LiveEv = serde_json::from_str(json).unwrap();
    assert_eq!(ev.limits.max_charge_kw, Some(11.0));
}

/// A level's delay is only checked to be finite: a huge one saturates to the horizon (it used to
/// overflow when added to the departure) and the quote's latest option stays within the day.
#[test]
fn a_huge_level_delay_is_capped_at_the_horizon() {
    use evmech_v2b_control::negotiation::FlexLevel;
    let scenario = fixture(4);
    let h = history(&scenario, false);
    let c = Controller::new(scenario.config().clone(), options(PolicyKind::Mpc, 1)).unwrap();
    let mut negotiator = Negotiator::consent(0);
    negotiator.settings.menu.levels = vec![
        FlexLevel {
            max_reduction_pct: 0.0,
            max_delay_minutes: 0.0,
        },
        FlexLevel {
            max_reduction_pct: 5.0,
            max_delay_minutes: 1e300,
        },
    ];
    let q = c.quote(&negotiator, &state(), &arrival(), &h).unwrap();
    assert_eq!(q.options.len(), 2);
    assert!(q.options[1].departure.starts_with("2019-05-1"));
    assert!(q.options[1].delay_minutes <= 24.0 * 60.0);
}

/// The static menu priced from the utility's rates: option `l` at the ladder's rate (0.178
/// peak to 0.137 off-peak) on the energy it delivers; the inconvenience discount never charges
/// more than the retail rate does; a bad rate is refused naming it.
#[test]
fn static_menus_price_by_their_rule_and_refuse_bad_rates() {
    use evmech_v2b_control::negotiation::{ladder_rate, MenuPricing, StaticMenuRule};
    let scenario = fixture(4);
    let h = history(&scenario, false);
    let c = Controller::new(scenario.config().clone(), options(PolicyKind::Mpc, 1)).unwrap();
    let ladder = Negotiator::menu_baseline_with(0, StaticMenuRule::UtilityRate);
    let q = c.quote(&ladder, &state(), &arrival(), &h).unwrap();
    // 30 kWh wanted of a 75 kWh battery; levels reduce 0, 6.25, 10 and 20 % of it.
    let delivered = [30.0, 30.0 - 4.6875, 30.0 - 7.5, 30.0 - 15.0];
    assert_eq!(q.options.len(), 4);
    for (l, o) in q.options.iter().enumerate() {
        let want = ladder_rate(0.178, 0.137, l, 4) * delivered[l];
        assert!(
            (o.price_usd - want).abs() < 1e-9,
            "option {l}: {} vs {want}",
            o.price_usd
        );
        assert!((o.reduction_kwh - (30.0 - delivered[l])).abs() < 1e-9);
    }
    assert!((q.options[3].price_usd - 0.137 * 15.0).abs() < 1e-9);
    let discount = Negotiator::menu_baseline_with(0, StaticMenuRule::InconvenienceDiscount);
    let d = c.quote(&discount, &state(), &arrival(), &h).unwrap();
    for (l, o) in d.options.iter().enumerate() {
        assert!(o.price_usd >= 0.0 && o.price_usd <= 0.178 * delivered[l] + 1e-9);
    }
    assert!((d.options[0].price_usd - 0.178 * 30.0).abs() < 1e-9);
    let mut bad = ladder.clone();
    bad.settings.pricing = MenuPricing::UtilityRate {
        peak_usd_per_kwh: 0.178,
        off_peak_usd_per_kwh: f64::NAN,
    };
    assert_eq!(
        param_of(c.quote(&bad, &state(), &arrival(), &h)),
        "off_peak_usd_per_kwh"
    );
    bad.settings.pricing = MenuPricing::Static {
        retail_usd_per_kwh: -1.0,
    };
    assert_eq!(
        param_of(c.quote(&bad, &state(), &arrival(), &h)),
        "retail_usd_per_kwh"
    );
    bad.settings.pricing = StaticMenuRule::UtilityRate.paper_pricing();
    bad.settings.menu.levels.clear();
    assert_eq!(field_of(c.quote(&bad, &state(), &arrival(), &h)), "levels");
}

#[test]
fn a_live_site_counts_the_repeated_hour_of_the_fall_back_day() {
    // 2019-11-03: 01:30 PST is two and a half real hours after midnight (slot 10 of 100).
    let mut s = state();
    s.time = "2019-11-03T01:30:00-08:00".into();
    s.evs[0].arrival = "2019-11-03T01:10:00-07:00".into();
    s.evs[0].departure = "2019-11-03T06:00:00-08:00".into();
    s.evs[1].arrival = "2019-11-02T23:00:00-07:00".into();
    s.evs[1].departure = "2019-11-03T01:45:00-08:00".into();
    let c = Controller::new(Default::default(), options(PolicyKind::Mpc, 1)).unwrap();
    let slotted = c.slotted(&s).unwrap();
    assert_eq!(slotted.slot, 10);
    // The first 01:10 is slot 4; 06:00 PST is 7 real hours after midnight.
    assert_eq!(
        (slotted.evs[0].arrival_slot, slotted.evs[0].departure_slot),
        (4, 28)
    );
    assert_eq!(
        (slotted.evs[1].arrival_slot, slotted.evs[1].departure_slot),
        (0, 11)
    );
    let mut c = c;
    let d = c.decide(&s, &History::new()).unwrap();
    // Planned from slot 10 to 06:00 PST: 18 slots for the first EV.
    assert_eq!(d.plan[0].power_kw.len(), 18);
    // A tariff in another zone than the controller's is refused.
    let mut config = evmech_v2b_control::SiteConfig::default();
    config.tariff.timezone = Some("Europe/Paris".into());
    assert_eq!(
        field_of(Controller::new(config, options(PolicyKind::Mpc, 1))),
        "time_zone"
    );
}
