//! The CSV tables: escaped fields, local times with offsets (DST included), one row per
//! session and policy.

use evmech_lab::export::{sessions_csv, slots_csv};
use evmech_v2b_control::policy::ReqCharge;
use evmech_v2b_control::{simulate, Clock, Date, ScenarioSpec, SyntheticConfig, Tariff};

fn la() -> Clock {
    Tariff::silicon_valley_power().clock()
}

#[test]
fn slot_times_carry_the_site_offset_across_dst() {
    let clock = la();
    let d = |m, day| Date::new(2019, m, day).unwrap();
    for (date, slot, want) in [
        (d(5, 14), 40, "2019-05-14T10:00:00-07:00"),
        (d(11, 4), 40, "2019-11-04T10:00:00-08:00"),
        // 2019-03-10 02:00 does not exist in Los Angeles: written at the instant after the gap.
        (d(3, 10), 8, "2019-03-10T03:00:00-07:00"),
        // A departure at midnight is the next day's 00:00, never a panic.
        (d(5, 31), 96, "2019-06-01T00:00:00-07:00"),
        (d(5, 31), 100, "2019-06-01T01:00:00-07:00"),
    ] {
        assert_eq!(clock.slot_start_text(date, slot), want);
    }
    let bare = Clock::new(None, 15);
    assert_eq!(bare.slot_start_text(d(5, 14), 1), "2019-05-14T00:15:00");
}

#[test]
fn sessions_csv_has_one_escaped_row_per_session_and_policy() {
    let scenario = SyntheticConfig {
        days: Some(1),
        seed: 3,
        ..SyntheticConfig::default()
    }
    .generate()
    .unwrap();
    let mut spec = ScenarioSpec::from(scenario);
    spec.days[0].sessions[0].id = "a,\"b\"".into();
    let scenario = evmech_v2b_control::Scenario::new(spec).unwrap();
    let report = simulate(&scenario, &mut ReqCharge, None).unwrap();
    let text = sessions_csv(std::slice::from_ref(&report), scenario.site(), &la());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "policy",
            "session_id",
            "status",
            "charger",
            "arrival",
            "departure",
            "requested_kwh",
            "delivered_kwh",
            "missing_kwh",
            "discharged_kwh",
            "paid_usd"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), scenario.days()[0].sessions.len());
    assert!(rows.iter().any(|r| &r[1] == "a,\"b\""));
    for r in &rows {
        assert_eq!(&r[0], "reqcharge");
        assert!(
            r[4].ends_with("-07:00") || r[4].ends_with("-08:00"),
            "{r:?}"
        );
        if &r[2] == "served" {
            assert!(!r[3].is_empty());
            let requested: f64 = r[6].parse().unwrap();
            let delivered: f64 = r[7].parse().unwrap();
            let missing: f64 = r[8].parse().unwrap();
            assert!(delivered + missing >= requested.min(delivered + missing) - 1e-3);
        }
    }
    let slots = slots_csv(std::slice::from_ref(&report), &la());
    let first = slots.lines().nth(1).unwrap();
    assert!(first.contains("T00:00:00-0"), "{first}");
}
