//! Daylight-saving days on the site's clock: 92 and 100 quarter-hours, sessions placed by the
//! instant they happened, the repeated hour billed twice, and stays across the change served
//! whole by every policy with the Oracle bounding them.

mod common;

use common::{assert_the_oracle_bounds, every_policy as policies};
use evmech_v2b_control::policy::MaxCharge;
use evmech_v2b_control::{
    load_acn_sessions, simulate, Date, MeterLoad, Scenario, SessionOptions, SessionStatus, Site,
    Tariff,
};
use std::fmt::Write as _;

fn la() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("America/Los_Angeles").unwrap()
}

/// Sessions (ACN CSV, claimed: id, arrival, departure, kWh) at one station.
fn sessions_csv(rows: &[(&str, &str, &str, f64)]) -> String {
    let mut text = String::from(
        "session_id,station_id,arrival,departure,delivered_kwh,user_claimed,requested_kwh,estimated_departure\n",
    );
    for (i, (id, a, d, kwh)) in rows.iter().enumerate() {
        let _ = writeln!(text, "{id},CA-{i},{a},{d},{kwh},true,{kwh},{d}");
    }
    text
}

/// A 15-minute meter from `start` (UTC) for `hours` real hours: 200 kW from 08:00 to 18:00
/// local, 60 kW otherwise.
fn meter(start: &str, hours: i64) -> MeterLoad {
    let t0: jiff::Timestamp = start.parse().unwrap();
    let mut text = String::from("time,kw\n");
    for k in 0..hours * 4 {
        let z = (t0 + jiff::SignedDuration::from_mins(15 * k)).to_zoned_datetime(la());
        let kw = if (8..18).contains(&z.hour()) {
            200.0
        } else {
            60.0
        };
        let _ = writeln!(
            text,
            "{},{kw}",
            z.timestamp().display_with_offset(z.offset())
        );
    }
    MeterLoad::from_csv(text.as_bytes(), "meter.csv", None).unwrap()
}

fn episode(rows: &[(&str, &str, &str, f64)], start_utc: &str, hours: i64) -> Scenario {
    let options = SessionOptions {
        time_zone: Some(la()),
        ..SessionOptions::default()
    };
    let sessions = load_acn_sessions(sessions_csv(rows).as_bytes(), "s.csv", &options).unwrap();
    let load = meter(start_utc, hours);
    Scenario::from_sessions(
        Site::paper_default(),
        Tariff::silicon_valley_power(),
        sessions,
        &load,
        None,
    )
    .unwrap()
}

/// Saturday 2019-11-02 to Monday 2019-11-04 (clocks fall back on Sunday at 02:00).
fn fall_back() -> Scenario {
    episode(
        &[
            // Saturday 18:00 to Monday 07:00, across the 25-hour Sunday.
            (
                "fleet",
                "2019-11-02T18:00:00-07:00",
                "2019-11-04T07:00:00-08:00",
                60.0,
            ),
            // Plugged in during the first 01:15 and leaving at the second 01:45.
            (
                "repeat",
                "2019-11-03T01:15:00-07:00",
                "2019-11-03T01:45:00-08:00",
                10.0,
            ),
            (
                "visitor",
                "2019-11-03T09:00:00-08:00",
                "2019-11-03T17:00:00-08:00",
                30.0,
            ),
            (
                "monday",
                "2019-11-04T08:00:00-08:00",
                "2019-11-04T12:00:00-08:00",
                20.0,
            ),
        ],
        "2019-11-02T07:00:00Z",
        24 + 25 + 24,
    )
}

#[test]
fn the_fall_back_day_has_100_slots_and_sessions_sit_at_their_instants() {
    let s = fall_back();
    let lens: Vec<usize> = (0..s.days().len()).map(|d| s.slots_in(d)).collect();
    assert_eq!(lens, vec![96, 100, 96]);
    let find = |id: &str| {
        s.days()
            .iter()
            .flat_map(|d| &d.sessions)
            .find(|x| x.id == id)
            .unwrap()
            .clone()
    };
    let fleet = find("fleet");
    assert_eq!(fleet.date, Date::new(2019, 11, 2).unwrap());
    // Saturday's 96 slots, Sunday's 100, then Monday 07:00.
    assert_eq!(
        (fleet.arrival_slot, fleet.departure_slot),
        (72, 96 + 100 + 28)
    );
    // 01:15 PDT is 5 slots after midnight; 01:45 PST is 2 h 45 min of real time after it.
    let repeat = find("repeat");
    assert_eq!((repeat.arrival_slot, repeat.departure_slot), (5, 11));
    // 09:00 PST on Sunday is 10 real hours after midnight.
    let visitor = find("visitor");
    assert_eq!((visitor.arrival_slot, visitor.departure_slot), (40, 72));
}

#[test]
fn the_repeated_hour_is_billed_and_priced_as_its_wall_clock() {
    let s = fall_back();
    let tariff = s.tariff();
    let sunday = Date::new(2019, 11, 3).unwrap();
    // Slots 4-7 and 8-11 are both 01:00-02:00: the same price.
    for k in 4..8 {
        assert_eq!(
            tariff.energy_price(sunday, k),
            tariff.energy_price(sunday, k + 4)
        );
        assert_eq!(
            tariff.wall_minutes(sunday, k),
            tariff.wall_minutes(sunday, k + 4)
        );
    }
    // The building alone is billed for 24 + 25 + 24 hours of load, each at its hour's price.
    let r = simulate(&s.without_sessions(), &mut MaxCharge, None).unwrap();
    let mut expected = 0.0;
    for day in s.days() {
        for (k, kw) in day.building_kw.iter().enumerate() {
            // The wall clock the slot starts at, computed here from jiff directly.
            let start = s.clock().midnight(day.date).unwrap()
                + jiff::SignedDuration::from_mins(15 * k as i64);
            let z = start.to_zoned_datetime(la());
            let minute = u32::try_from(z.hour()).unwrap() * 60 + u32::try_from(z.minute()).unwrap();
            expected += tariff.energy_price_at(day.date, minute) * kw * 0.25;
        }
    }
    assert!(
        (r.energy_cost_usd - expected).abs() < 1e-6,
        "{} vs {expected}",
        r.energy_cost_usd
    );
    let hours: f64 = s
        .days()
        .iter()
        .map(|d| d.building_kw.len() as f64)
        .sum::<f64>()
        / 4.0;
    assert_eq!(hours, 73.0);
}

#[test]
fn every_policy_serves_stays_across_the_change_and_the_oracle_bounds_them() {
    let s = fall_back();
    let mut costs = Vec::new();
    for mut policy in policies() {
        let r = simulate(&s, policy.as_mut(), None).unwrap();
        for id in ["fleet", "repeat", "visitor", "monday"] {
            let o = r.sessions.iter().find(|o| o.session_id == id).unwrap();
            assert_eq!(o.status, SessionStatus::Served, "{}: {id}", r.policy);
            assert!(o.missing_kwh < 1e-6, "{}: {o:?}", r.policy);
        }
        let fleet = r.sessions.iter().find(|o| o.session_id == "fleet").unwrap();
        assert_eq!(fleet.departure_slot, 224, "{}", r.policy);
        assert!(fleet.delivered_kwh >= 60.0 - 1e-6, "{}", r.policy);
        costs.push((r.policy.clone(), r.building_cost_usd));
    }
    assert_the_oracle_bounds(&costs);
}

#[test]
fn the_spring_forward_day_has_92_slots() {
    let s = episode(
        &[
            (
                "fleet",
                "2019-03-09T20:00:00-08:00",
                "2019-03-11T06:00:00-07:00",
                50.0,
            ),
            (
                "visitor",
                "2019-03-10T09:00:00-07:00",
                "2019-03-10T12:00:00-07:00",
                15.0,
            ),
            (
                "monday",
                "2019-03-11T08:00:00-07:00",
                "2019-03-11T11:00:00-07:00",
                10.0,
            ),
        ],
        "2019-03-09T08:00:00Z",
        24 + 23 + 24,
    );
    let lens: Vec<usize> = (0..s.days().len()).map(|d| s.slots_in(d)).collect();
    assert_eq!(lens, vec![96, 92, 96]);
    let visitor = &s.days()[1].sessions[0];
    // 09:00 PDT is 8 real hours after midnight PST.
    assert_eq!((visitor.arrival_slot, visitor.departure_slot), (32, 44));
    let fleet = &s.days()[0].sessions[0];
    assert_eq!(fleet.departure_slot, 96 + 92 + 24);
    for mut policy in policies() {
        let r = simulate(&s, policy.as_mut(), None).unwrap();
        assert!(
            r.missing_soc_kwh < 1e-6,
            "{}: {}",
            r.policy,
            r.missing_soc_kwh
        );
    }
    // A building profile of the wrong length for the day is refused, naming the day.
    let mut spec = evmech_v2b_control::ScenarioSpec::from(s);
    spec.days[1].building_kw.push(1.0);
    let err = Scenario::new(spec).unwrap_err().to_string();
    assert!(
        err.contains("days[1].building_kw") && err.contains("92"),
        "{err}"
    );
}
