//! A vehicle's state of charge carried from one session to its next (openv2b's `persistence`)
//! and a vehicle's own charging ceiling (`max_soc_kwh`).

use evmech_milp_model::charging::ChargingCurve;
use evmech_v2b_control::policy::{ChargingPolicy, MaxCharge, ReqCharge};
use evmech_v2b_control::{
    simulate, Chain, Date, Day, Error, History, Scenario, ScenarioSpec, Session, SessionOutcome,
    Site, Tariff, TieBreak, VehicleLimits,
};

fn session(id: &str, slots: (usize, usize), e0: f64, e1: f64, chain: Option<Chain>) -> Session {
    Session {
        id: id.into(),
        date: Date::new(2019, 5, 14).unwrap(),
        arrival_slot: slots.0,
        departure_slot: slots.1,
        requested_departure_slot: slots.1,
        battery_kwh: 75.0,
        arrival_energy_kwh: e0,
        requested_energy_kwh: e1,
        hindsight: false,
        reported_need_kwh: e1 - e0,
        need_clipped: false,
        limits: VehicleLimits::default(),
        chain,
    }
}

fn car(depletion_kwh: f64) -> Option<Chain> {
    Some(Chain {
        vehicle: "car".into(),
        depletion_kwh,
    })
}

fn scenario(sessions: Vec<Session>) -> Result<Scenario, Error> {
    Scenario::new(ScenarioSpec {
        site: Site::paper_default(),
        tariff: Tariff::silicon_valley_power(),
        curve: ChargingCurve::Flat,
        soc_floor: 0.1,
        tie_break: TieBreak::default(),
        days: vec![Day {
            date: Date::new(2019, 5, 14).unwrap(),
            building_kw: vec![80.0; 96],
            sessions,
        }],
        history: History::default(),
        history_records: Default::default(),
    })
}

/// The car charges 10 -> 25 kWh in the morning, drives 4 kWh and is back in the afternoon
/// (recorded arrival 5 kWh, asking for 40).
fn returning_car() -> Scenario {
    scenario(vec![
        session("morning", (32, 48), 10.0, 25.0, car(0.0)),
        session("afternoon", (56, 72), 5.0, 40.0, car(4.0)),
    ])
    .unwrap()
}

fn outcomes(s: &Scenario, policy: &mut dyn ChargingPolicy) -> Vec<SessionOutcome> {
    let mut r = simulate(s, policy, None).unwrap().sessions;
    r.sort_by_key(|o| o.arrival_slot);
    r
}

#[test]
fn a_chained_session_arrives_with_what_the_last_one_left_with() {
    // The first stay charges 10 -> 25 kWh; 4 kWh are driven; the second stay's recorded 5 kWh
    // is not used: it arrives with 21 and asks for 40 - 21.
    let chained = returning_car();
    let o = outcomes(&chained, &mut ReqCharge);
    assert!((o[0].delivered_kwh - 15.0).abs() < 1e-6, "{o:?}");
    assert!((o[1].requested_kwh - 19.0).abs() < 1e-6, "{o:?}");
    assert!((o[1].delivered_kwh - 19.0).abs() < 1e-6, "{o:?}");
    // Without the chain each stay starts at its own recorded energy.
    let apart = scenario(vec![
        session("morning", (32, 48), 10.0, 25.0, None),
        session("afternoon", (56, 72), 5.0, 40.0, None),
    ])
    .unwrap();
    let o = outcomes(&apart, &mut ReqCharge);
    assert!((o[1].requested_kwh - 35.0).abs() < 1e-6, "{o:?}");
}

#[test]
fn a_chained_arrival_above_its_request_asks_for_nothing_and_other_cars_are_apart() {
    let s = scenario(vec![
        session("first", (32, 48), 10.0, 30.0, car(0.0)),
        // Another vehicle in between: its energy does not pass to the car.
        session(
            "other",
            (50, 54),
            2.0,
            8.0,
            Some(Chain {
                vehicle: "van".into(),
                depletion_kwh: 0.0,
            }),
        ),
        session("second", (56, 72), 5.0, 20.0, car(1.0)),
    ])
    .unwrap();
    let o = outcomes(&s, &mut MaxCharge);
    let left = 10.0 + o[0].delivered_kwh;
    assert!(left > 30.0, "MaxCharge fills beyond the request: {o:?}");
    assert_eq!(o[2].requested_kwh, 0.0, "{o:?}");
    assert!(o[2].missing_kwh < 1e-9, "{o:?}");
}

#[test]
fn a_vehicle_ceiling_stops_charging_there() {
    let mut capped = session("capped", (32, 72), 10.0, 30.0, None);
    capped.limits.max_energy_kwh = Some(20.0);
    let s = scenario(vec![capped]).unwrap();
    let o = outcomes(&s, &mut MaxCharge);
    assert!((o[0].delivered_kwh - 10.0).abs() < 1e-6, "{o:?}");
    // The target was cut to the ceiling: nothing is reported missing.
    assert!(o[0].missing_kwh < 1e-6, "{o:?}");
}

#[test]
fn bad_chains_and_ceilings_are_refused_naming_the_field() {
    let field = |s: Session| match scenario(vec![s]) {
        Err(Error::InvalidField { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let f = field(session("a", (32, 48), 10.0, 20.0, car(-1.0)));
    assert!(f.ends_with("sessions[0].chain.depletion_kwh"), "{f}");
    let f = field(session(
        "a",
        (32, 48),
        10.0,
        20.0,
        Some(Chain {
            vehicle: String::new(),
            depletion_kwh: 0.0,
        }),
    ));
    assert!(f.ends_with("sessions[0].chain.vehicle"), "{f}");
    let mut s = session("a", (32, 48), 10.0, 20.0, None);
    s.limits.max_energy_kwh = Some(80.0);
    assert!(field(s).ends_with("sessions[0].limits.max_energy_kwh"));
    let mut s = session("a", (32, 48), 10.0, 20.0, None);
    s.limits.min_energy_kwh = Some(30.0);
    s.limits.max_energy_kwh = Some(20.0);
    assert!(field(s).ends_with("sessions[0].limits.max_energy_kwh"));
}

#[test]
fn one_vehicles_overlapping_stays_are_refused() {
    let e = scenario(vec![
        session("first", (32, 48), 10.0, 20.0, car(0.0)),
        session("second", (40, 60), 10.0, 20.0, car(0.0)),
    ])
    .unwrap_err();
    match e {
        Error::InvalidField { field, .. } => {
            assert_eq!(field, "days[0].sessions[1].chain.vehicle")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_oracle_refuses_chained_sessions_rather_than_plan_them_wrong() {
    use evmech_v2b_control::policy::{Oracle, OracleMode};
    let s = returning_car();
    for mode in [OracleMode::Monthly, OracleMode::Daily] {
        match simulate(&s, &mut Oracle::new(mode), None) {
            Err(Error::InvalidParameter { reason, .. }) => {
                assert!(reason.contains("chained"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}
