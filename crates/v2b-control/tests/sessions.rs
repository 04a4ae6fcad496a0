//! The ACN session loader on the May 2019 fixture (spec `v2b-consent.md` section 8.3).

use evmech_v2b_control::{load_acn_sessions, Date, DepartureMode, Error, SLOTS_PER_DAY};
use std::io::BufReader;

fn load(mode: DepartureMode) -> Vec<evmech_v2b_control::Session> {
    let path = format!(
        "{}/tests/data/caltech_2019-05_weekdays.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = std::fs::File::open(&path).unwrap();
    load_acn_sessions(BufReader::new(file), &path, mode, 15).unwrap()
}

#[test]
fn fixture_keeps_416_sessions_of_the_15_busiest_stations() {
    let s = load(DepartureMode::Compliant);
    assert_eq!(s.len(), 416);
    // Spec 8.3: 6,456.7 kWh requested; one session asks for 125 kWh and is cut to 80.
    let reported: f64 = s.iter().map(|x| x.reported_need_kwh).sum();
    assert!((reported - 6456.74).abs() < 0.01, "reported {reported}");
    let need: f64 = s
        .iter()
        .map(|x| x.requested_energy_kwh - x.arrival_energy_kwh)
        .sum();
    assert!((need - 6411.74).abs() < 0.01, "mapped {need}");
    assert_eq!(s.iter().filter(|x| x.need_clipped).count(), 1);
    for x in &s {
        assert!(
            x.arrival_slot < x.departure_slot && x.departure_slot <= SLOTS_PER_DAY,
            "{x:?}"
        );
        assert!(x.arrival_energy_kwh >= 0.1 * x.battery_kwh - 1e-9);
        assert!(x.requested_energy_kwh <= 0.95 * x.battery_kwh + 1e-9);
        assert!((1..=5).contains(&x.date.weekday()));
    }
}

#[test]
fn loading_is_deterministic_and_modes_differ_only_in_departure() {
    let a = load(DepartureMode::Compliant);
    let b = load(DepartureMode::Compliant);
    assert_eq!(a, b);
    let r = load(DepartureMode::Realised);
    assert!(a
        .iter()
        .zip(&r)
        .all(|(x, y)| x.arrival_energy_kwh.to_bits() == y.arrival_energy_kwh.to_bits()));
    assert!(a
        .iter()
        .zip(&r)
        .any(|(x, y)| x.departure_slot != y.departure_slot));
}

#[test]
fn calendar_weekdays() {
    assert_eq!(
        Date {
            year: 2019,
            month: 5,
            day: 1
        }
        .weekday(),
        3
    ); // a Wednesday
    assert_eq!(
        Date {
            year: 1970,
            month: 1,
            day: 1
        }
        .weekday(),
        4
    ); // a Thursday
    assert_eq!(
        Date {
            year: 2000,
            month: 2,
            day: 29
        }
        .weekday(),
        2
    ); // a Tuesday
}

#[test]
fn bad_rows_name_the_line_and_column() {
    let header = "session_id,site,station_id,arrival,departure,requested_kwh,delivered_kwh,estimated_departure,user_claimed\n";
    let row = "s1,caltech,CA-1,2019-05-01T08:00:00-07:00,2019-05-01T17:00:00-07:00,10,9,2019-05-01T16:00:00-07:00,true\n";
    let bad = |text: String, line: usize, field: &str| match load_acn_sessions(
        text.as_bytes(),
        "x.csv",
        DepartureMode::Compliant,
        15,
    ) {
        Err(Error::Csv {
            line: l, field: f, ..
        }) => assert_eq!((l, f.as_str()), (line, field), "{text:?}"),
        other => panic!("{text:?}: {other:?}"),
    };
    assert_eq!(
        load_acn_sessions(
            format!("{header}{row}").as_bytes(),
            "x.csv",
            DepartureMode::Compliant,
            15
        )
        .unwrap()
        .len(),
        1
    );
    bad(
        format!(
            "{header}{}",
            row.replace("2019-05-01T08:00:00-07:00", "yesterday")
        ),
        2,
        "arrival",
    );
    bad(
        format!("{header}{}", row.replace(",10,", ",-10,")),
        2,
        "requested_kwh",
    );
    bad(
        format!("{header}{}", row.replace("true", "yes")),
        2,
        "user_claimed",
    );
    bad(
        format!("{header}{}", row.replace("17:00:00", "07:00:00")),
        2,
        "departure",
    );
    bad(format!("{header}{row}a,b\n"), 3, "row");
    bad("nope\n".to_string(), 1, "header");
}
