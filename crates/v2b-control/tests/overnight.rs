//! Sessions that stay over midnight, a weekend and a month end are simulated whole, by every
//! policy, and the Oracle still bounds them all.

use evmech_milp_model::charging::ChargingCurve;
mod common;

use common::{assert_the_oracle_bounds, every_policy as policies};
use evmech_v2b_control::policy::ReqCharge;
use evmech_v2b_control::{
    episode_plan, simulate, Date, Day, History, Scenario, ScenarioSpec, Session, SessionStatus,
    Site, Tariff, TieBreak, VehicleLimits,
};

fn session(id: &str, date: Date, arrival: usize, departure: usize, e0: f64, e1: f64) -> Session {
    Session {
        id: id.into(),
        date,
        arrival_slot: arrival,
        departure_slot: departure,
        requested_departure_slot: departure,
        battery_kwh: 75.0,
        arrival_energy_kwh: e0,
        requested_energy_kwh: e1,
        hindsight: false,
        reported_need_kwh: e1 - e0,
        need_clipped: false,
        limits: VehicleLimits::default(),
        chain: None,
    }
}

/// Friday 2019-05-31 to Monday 2019-06-03: a fleet car plugged in from Friday 18:00 to Monday
/// 07:00 (crossing the month end and a weekend), a car from Friday 20:00 to Saturday 06:00, and
/// day visitors.
fn episode() -> Scenario {
    let friday = Date::new(2019, 5, 31).unwrap();
    let load = |k: usize| if (32..72).contains(&k) { 140.0 } else { 50.0 };
    let days = (0..4)
        .map(|d| {
            let date = friday.plus_days(d);
            let mut sessions = vec![session(&format!("day-{d}"), date, 36, 64, 20.0, 50.0)];
            if d == 0 {
                // Slots from Friday's midnight: Monday 07:00 is 3 x 96 + 28.
                sessions.push(session("fleet", date, 72, 3 * 96 + 28, 10.0, 70.0));
                sessions.push(session("night", date, 80, 96 + 24, 15.0, 60.0));
            }
            sessions.sort_by_key(|s| s.arrival_slot);
            Day {
                date,
                building_kw: (0..96).map(load).collect(),
                sessions,
            }
        })
        .collect();
    Scenario::new(ScenarioSpec {
        site: Site::paper_default(),
        tariff: Tariff::silicon_valley_power(),
        curve: ChargingCurve::Flat,
        soc_floor: 0.1,
        tie_break: TieBreak::default(),
        days,
        history: History::default(),
        history_records: Default::default(),
    })
    .unwrap()
}

#[test]
fn the_plan_carries_the_chargers_over_midnight() {
    let s = episode();
    let plans = episode_plan(&s);
    // Saturday starts with both overnight cars; Sunday and Monday with the fleet car only.
    assert_eq!(plans[1].carried_in.len(), 2);
    assert_eq!(plans[2].carried_in.len(), 1);
    assert_eq!(plans[3].carried_in.len(), 1);
    assert_eq!(plans[3].carried_in[0].shift, 3 * 96);
    // The fleet car's charger is busy until Monday 07:00, so Monday's visitor gets another.
    let fleet = plans[1]
        .carried_in
        .iter()
        .find(|c| c.session == 1 || c.session == 2);
    assert!(fleet.is_some());
}

#[test]
fn every_policy_serves_the_weekend_stay_whole_and_the_oracle_bounds_them() {
    let s = episode();
    let mut costs = Vec::new();
    for mut policy in policies() {
        let r = simulate(&s, policy.as_mut(), None).unwrap();
        // Two months billed: May (Friday) and June (the weekend and Monday).
        assert_eq!(r.months.len(), 2, "{}", r.policy);
        let fleet = r.sessions.iter().find(|o| o.session_id == "fleet").unwrap();
        assert_eq!(fleet.status, SessionStatus::Served);
        assert_eq!(fleet.departure_slot, 3 * 96 + 28, "{}", r.policy);
        assert!(fleet.missing_kwh < 1e-6, "{}: {fleet:?}", r.policy);
        assert!(
            fleet.delivered_kwh >= 60.0 - 1e-6,
            "{}: {fleet:?}",
            r.policy
        );
        let night = r.sessions.iter().find(|o| o.session_id == "night").unwrap();
        assert!(night.missing_kwh < 1e-6, "{}: {night:?}", r.policy);
        assert!(r.missing_soc_kwh < 1e-6, "{}", r.policy);
        costs.push((r.policy.clone(), r.building_cost_usd));
    }
    assert_the_oracle_bounds(&costs);
}

#[test]
fn a_gap_in_the_episode_ends_a_stay_at_midnight() {
    // Without Saturday, the fleet car cannot stay: it leaves Friday at midnight, two hours
    // after plugging in at 22:00, with the 40 kWh two hours give (its request is clipped to
    // that at plug-in, as any request is to what its charger reaches by its departure).
    let mut spec = ScenarioSpec::from(episode());
    spec.days.remove(1);
    let fleet = spec.days[0]
        .sessions
        .iter_mut()
        .find(|s| s.id == "fleet")
        .unwrap();
    fleet.arrival_slot = 88;
    spec.days[0].sessions.sort_by_key(|s| s.arrival_slot);
    let s = Scenario::new(spec).unwrap();
    let r = simulate(&s, &mut ReqCharge, None).unwrap();
    let fleet = r.sessions.iter().find(|o| o.session_id == "fleet").unwrap();
    assert_eq!(fleet.departure_slot, 96);
    assert!((fleet.delivered_kwh - 40.0).abs() < 1e-6, "{fleet:?}");
    assert!(fleet.missing_kwh < 1e-9, "{fleet:?}");
    // The planners see the same stay: nobody leaves short, the Oracle included.
    for mut policy in policies() {
        let r = simulate(&s, policy.as_mut(), None).unwrap();
        assert!(
            r.missing_soc_kwh < 1e-6,
            "{}: {}",
            r.policy,
            r.missing_soc_kwh
        );
    }
}
