//! The ACN session loader on the May 2019 fixture (spec `v2b-consent.md` section 8.3).

use evmech_v2b_control::{
    load_acn_json, load_acn_sessions, parse_local_time, Date, DaysOfWeek, DepartureMode, Error,
    SessionOptions, SLOTS_PER_DAY,
};
use std::io::BufReader;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn load(mode: DepartureMode) -> Vec<evmech_v2b_control::Session> {
    let path = format!("{}/tests/data/caltech_2019-05_weekdays.csv", manifest_dir());
    let file = std::fs::File::open(&path).unwrap();
    load_acn_sessions(
        BufReader::new(file),
        &path,
        &SessionOptions {
            departure: mode,
            ..SessionOptions::paper()
        },
    )
    .unwrap()
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
        &SessionOptions::default(),
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
            &SessionOptions::default(),
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
    bad("nope\n".to_string(), 1, "session_id");
    bad(String::new(), 1, "header");
    bad(
        format!("{header}{}", row.replace(",9,", ",,")),
        2,
        "delivered_kwh",
    );
}

const HEADER: &str = "session_id,site,station_id,arrival,departure,requested_kwh,delivered_kwh,estimated_departure,user_claimed";
const ROW: &str = "s1,caltech,CA-1,2019-05-01T08:00:00-07:00,2019-05-01T17:00:00-07:00,10,9,2019-05-01T16:00:00-07:00,true";

fn parse(text: &str) -> Vec<evmech_v2b_control::Session> {
    load_acn_sessions(text.as_bytes(), "x.csv", &SessionOptions::default()).unwrap()
}

#[test]
fn columns_are_found_by_name_with_bom_crlf_quotes_and_extra_columns() {
    let plain = parse(&format!("{HEADER}\n{ROW}\n"));
    assert_eq!(plain.len(), 1);
    assert_eq!(
        (plain[0].arrival_slot, plain[0].requested_departure_slot),
        (32, 64)
    );
    // Byte-order mark, CRLF line ends.
    assert_eq!(parse(&format!("\u{feff}{HEADER}\r\n{ROW}\r\n")), plain);
    // Columns reordered, one extra column, `site` dropped.
    let reordered = "user_claimed,note,estimated_departure,delivered_kwh,requested_kwh,departure,arrival,station_id,session_id\n\
        true,\"hello, world\",2019-05-01T16:00:00-07:00,9,10,2019-05-01T17:00:00-07:00,2019-05-01T08:00:00-07:00,CA-1,s1\n";
    assert_eq!(parse(reordered), plain);
    // A quoted id with a comma in it survives whole.
    let quoted = parse(&format!("{HEADER}\n{}\n", ROW.replacen("s1", "\"s,1\"", 1)));
    assert_eq!(quoted[0].id, "s,1");
    // An unclaimed session may leave the driver's columns empty.
    let unclaimed = parse(&format!(
        "{HEADER}\n{}\n",
        ROW.replace(",10,9,2019-05-01T16:00:00-07:00,true", ",,9,,false")
    ));
    assert!(unclaimed[0].hindsight);
    assert_eq!(unclaimed[0].requested_departure_slot, 68);
}

#[test]
fn weekends_are_kept_by_default_and_dropped_on_request() {
    // 2019-05-04 is a Saturday.
    let text = format!(
        "{HEADER}\n{ROW}\n{}\n",
        ROW.replace("05-01", "05-04").replace("s1", "s2")
    );
    assert_eq!(parse(&text).len(), 2);
    let weekdays = SessionOptions {
        days_of_week: DaysOfWeek::Weekdays,
        ..SessionOptions::default()
    };
    let kept = load_acn_sessions(text.as_bytes(), "x.csv", &weekdays).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, "s1");
}

#[test]
fn timestamps_convert_to_the_site_zone_when_one_is_given() {
    let la = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    // 15:00 UTC is 08:00 in Los Angeles in May (PDT).
    let t = parse_local_time("2019-05-01T15:00:00Z", Some(&la)).unwrap();
    assert_eq!((t.date.day, t.minutes), (1, 8 * 60));
    // Without a zone the written wall clock is kept.
    let t = parse_local_time("2019-05-01T23:30:00-07:00", None).unwrap();
    assert_eq!((t.date.day, t.minutes), (1, 23 * 60 + 30));
    // RFC 2822, as the ACN-Data API writes it.
    let t = parse_local_time("Wed, 01 May 2019 15:00:00 GMT", Some(&la)).unwrap();
    assert_eq!((t.date.day, t.minutes), (1, 8 * 60));
    // In November the offset is -08:00 after the DST change.
    let t = parse_local_time("2019-11-04T16:00:00Z", Some(&la)).unwrap();
    assert_eq!(t.minutes, 8 * 60);
    assert!(parse_local_time("2019-05-01 08:00", None).is_none());
}

#[test]
fn a_stray_offset_without_a_zone_is_refused_but_a_dst_hour_is_not() {
    // Standard and daylight time in one file (November's change): one hour apart, accepted.
    let dst = ROW
        .replace("s1,", "s2,")
        .replace("2019-05-01T", "2019-05-02T")
        .replace("-07:00", "-08:00");
    assert_eq!(parse(&format!("{HEADER}\n{ROW}\n{dst}\n")).len(), 2);
    // A row in UTC among Pacific rows would be read 7 hours off: refused, naming the cell.
    let utc = ROW
        .replace("s1,", "s3,")
        .replace("2019-05-01T08:00:00-07:00", "2019-05-01T15:00:00Z");
    let text = format!("{HEADER}\n{ROW}\n{utc}\n");
    match load_acn_sessions(text.as_bytes(), "x.csv", &SessionOptions::default()) {
        Err(Error::Csv { line, field, .. }) => assert_eq!((line, field.as_str()), (3, "arrival")),
        other => panic!("{other:?}"),
    }
    // With the site's zone every timestamp is converted, and the same file is read.
    let options = SessionOptions {
        time_zone: Some(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap()),
        ..SessionOptions::default()
    };
    let sessions = load_acn_sessions(text.as_bytes(), "x.csv", &options).unwrap();
    assert_eq!(sessions.len(), 2);
}

#[test]
fn dates_are_checked_against_the_calendar() {
    assert!(Date::new(2019, 2, 31).is_err());
    assert!(Date::new(2019, 2, 29).is_err());
    assert!(Date::new(2020, 2, 29).is_ok());
    assert!(Date::new(2019, 13, 1).is_err());
    let bad: Result<Date, _> = serde_json::from_str(r#"{"year": 2019, "month": 2, "day": 31}"#);
    assert!(bad.is_err());
    let good: Date = serde_json::from_str(r#"{"year": 2020, "month": 2, "day": 29}"#).unwrap();
    assert_eq!(good.weekday(), 6); // a Saturday
}

const API: &str = r#"{"_items": [
  {"_id": "x", "clusterID": "39", "connectionTime": "Wed, 01 May 2019 15:00:00 GMT",
   "disconnectTime": "Thu, 02 May 2019 00:00:00 GMT", "doneChargingTime": null,
   "kWhDelivered": 9.0, "sessionID": "s1", "siteID": "2", "spaceID": "CA-1", "stationID": "CA-1",
   "timezone": "America/Los_Angeles", "userID": "7",
   "userInputs": [{"WhPerMile": 250, "kWhRequested": 10.0, "milesRequested": 40,
                   "minutesAvailable": 480, "modifiedAt": "Wed, 01 May 2019 15:01:00 GMT",
                   "paymentRequired": true, "requestedDeparture": "Wed, 01 May 2019 23:00:00 GMT",
                   "userID": 7}]},
  {"sessionID": "s2", "stationID": "CA-1", "connectionTime": "Thu, 02 May 2019 15:00:00 GMT",
   "disconnectTime": "Thu, 02 May 2019 20:00:00 GMT", "kWhDelivered": 5.5,
   "timezone": "America/Los_Angeles", "userInputs": null}
], "_meta": {"total": 2}}"#;

#[test]
fn acn_api_json_maps_like_the_csv() {
    let json = load_acn_json(API, "api.json", &SessionOptions::default()).unwrap();
    let csv = parse(&format!("{HEADER}\n{ROW}\n"));
    assert_eq!(json[0], csv[0]);
    assert!(json[1].hindsight);
    assert_eq!(json[1].arrival_slot, 32);
    // A bare list works too; a missing zone or a bad time names the item and field.
    let list = API
        .trim_start_matches(r#"{"_items": "#)
        .split(r#", "_meta""#)
        .next()
        .unwrap();
    assert_eq!(
        load_acn_json(list, "api.json", &SessionOptions::default()).unwrap(),
        json
    );
    let field = |text: &str| match load_acn_json(text, "api.json", &SessionOptions::default()) {
        Err(Error::File { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(&API.replace(
            r#""timezone": "America/Los_Angeles", "userInputs": null"#,
            r#""userInputs": null"#
        )),
        "_items[1].timezone"
    );
    assert_eq!(
        field(&API.replace("Thu, 02 May 2019 20:00:00 GMT", "soon")),
        "_items[1].disconnectTime"
    );
    assert_eq!(field("[1, 2]"), "_items[0]");
    assert_eq!(field("3"), "_items");
    assert_eq!(field(r#"{"_meta": {}}"#), "_items");
}

#[test]
fn stays_over_midnight_continue_by_default_and_are_cut_on_request() {
    let path = format!("{}/tests/data/caltech_2019-05_weekdays.csv", manifest_dir());
    let read = |options: &SessionOptions| {
        load_acn_sessions(
            BufReader::new(std::fs::File::open(&path).unwrap()),
            &path,
            &SessionOptions {
                departure: DepartureMode::Realised,
                stations: usize::MAX,
                ..options.clone()
            },
        )
        .unwrap()
    };
    let whole = read(&SessionOptions::default());
    let overnight: Vec<_> = whole
        .iter()
        .filter(|s| s.departure_slot >= SLOTS_PER_DAY)
        .collect();
    // The data README counts 38 sessions leaving on a later day, 9 staying over 24 hours.
    assert_eq!(overnight.len(), 38);
    assert_eq!(
        whole
            .iter()
            .filter(|s| s.departure_slot - s.arrival_slot > SLOTS_PER_DAY)
            .count(),
        9
    );
    assert!(whole
        .iter()
        .all(|s| s.departure_slot <= evmech_v2b_control::MAX_STAY_DAYS * SLOTS_PER_DAY));
    let cut = read(&SessionOptions {
        overnight: evmech_v2b_control::Overnight::CutAtMidnight,
        ..SessionOptions::default()
    });
    assert!(cut.iter().all(|s| s.departure_slot <= SLOTS_PER_DAY));
    assert_eq!(cut.len(), whole.len());
}
