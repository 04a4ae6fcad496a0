//! Building load from meter CSVs: any regular interval, time zones and DST days, bad files.

use evmech_v2b_control::{Clock, Date, Error, LoadProfile, MeterLoad};
use std::fmt::Write as _;

/// A meter file of `days` days from `start` (local midnight, `offset`) with readings every
/// `step` minutes, each reading `kw(minute of the day)`.
fn meter(start: &str, days: usize, step: usize, kw: impl Fn(usize) -> f64) -> String {
    let t0: jiff::Timestamp = start.parse().unwrap();
    let mut text = String::from("time,kw\n");
    for k in 0..days * 1440 / step {
        let t = t0 + jiff::SignedDuration::from_mins((k * step) as i64);
        let la = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        let local = t.to_zoned_datetime(la);
        let minute = local.hour() as usize * 60 + local.minute() as usize;
        let _ = writeln!(
            text,
            "{},{}",
            local.timestamp().display_with_offset(local.offset()),
            kw(minute)
        );
    }
    text
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::new(y, m, d).unwrap()
}

/// A clock of 24 wall-clock hours with `minutes`-minute slots.
fn wall(minutes: u32) -> Clock {
    Clock::new(None, minutes)
}

/// The site's clock in Los Angeles with `minutes`-minute slots.
fn la(minutes: u32) -> Clock {
    Clock::new(jiff::tz::TimeZone::get("America/Los_Angeles").ok(), minutes)
}

#[test]
fn a_15_minute_meter_maps_one_reading_per_slot() {
    let text = meter("2019-05-01T07:00:00Z", 2, 15, |m| m as f64);
    let load = MeterLoad::from_csv(text.as_bytes(), "m.csv", None).unwrap();
    assert_eq!(load.interval_minutes(), 15);
    let day = load.profile_for_date(date(2019, 5, 1), &wall(15)).unwrap();
    assert_eq!(day.len(), 96);
    assert!(day.iter().enumerate().all(|(k, &v)| v == (15 * k) as f64));
    // Hourly slots average the four quarter-hours.
    let hourly = load.profile_for_date(date(2019, 5, 2), &wall(60)).unwrap();
    assert_eq!(hourly[1], (60.0 + 75.0 + 90.0 + 105.0) / 4.0);
    // A day the meter does not cover is named.
    match load.profile_for_date(date(2019, 5, 3), &wall(15)) {
        Err(Error::InvalidField { field, .. }) => assert_eq!(field, "building[2019-05-03]"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_hourly_meter_is_held_over_its_quarter_hours() {
    let text = meter("2019-05-01T07:00:00Z", 1, 60, |m| (m / 60) as f64 * 10.0);
    let load = MeterLoad::from_csv(text.as_bytes(), "m.csv", None).unwrap();
    let day = load.profile_for_date(date(2019, 5, 1), &wall(15)).unwrap();
    assert_eq!(&day[4..8], &[10.0; 4]);
    assert_eq!(day[95], 230.0);
}

#[test]
fn on_the_sites_clock_dst_days_have_92_and_100_slots() {
    let spring = meter("2019-03-10T08:00:00Z", 1, 15, |m| m as f64);
    let load = MeterLoad::from_csv(spring.as_bytes(), "m.csv", None).unwrap();
    let day = load.profile_for_date(date(2019, 3, 10), &la(15)).unwrap();
    assert_eq!(day.len(), 92);
    // Slot 8 starts two real hours after midnight: 03:00.
    assert_eq!(day[7], 105.0);
    assert_eq!(day[8], 180.0);
    assert_eq!(day[91], 1425.0);
    // Fall back: 01:00-02:00 twice, each with its own readings (1.0 the first time, 3.0 the
    // second), nothing averaged or lost.
    let mut text = String::from("time,kw\n");
    let t0: jiff::Timestamp = "2019-11-03T07:00:00Z".parse().unwrap();
    for k in 0..100 {
        let t = t0 + jiff::SignedDuration::from_mins(15 * k);
        let kw = match k {
            4..8 => 1.0,
            8..12 => 3.0,
            _ => 2.0,
        };
        let zoned = t.to_zoned_datetime(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap());
        let _ = writeln!(
            text,
            "{},{kw}",
            zoned.timestamp().display_with_offset(zoned.offset())
        );
    }
    let load = MeterLoad::from_csv(text.as_bytes(), "m.csv", None).unwrap();
    let day = load.profile_for_date(date(2019, 11, 3), &la(15)).unwrap();
    assert_eq!(day.len(), 100);
    assert_eq!(&day[4..12], &[1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0]);
    let energy: f64 = day.iter().sum::<f64>() * 0.25;
    assert_eq!(energy, (92.0 * 2.0 + 4.0 * 1.0 + 4.0 * 3.0) * 0.25);
}

#[test]
fn dst_days_keep_24_wall_clock_hours_without_a_zone() {
    // 2019-03-10: clocks spring forward at 02:00 (a 23-hour day); 2019-11-03: fall back at
    // 02:00 (25 hours). Readings are the hour of the instant since local midnight.
    let spring = meter("2019-03-10T08:00:00Z", 1, 15, |m| m as f64);
    let load = MeterLoad::from_csv(spring.as_bytes(), "m.csv", None).unwrap();
    let day = load.profile_for_date(date(2019, 3, 10), &wall(15)).unwrap();
    assert_eq!(day.len(), 96);
    // 02:00-03:00 does not exist: it holds 01:45's reading.
    assert_eq!(&day[8..12], &[105.0; 4]);
    assert_eq!(day[12], 180.0);
    let fall = meter("2019-11-03T07:00:00Z", 1, 15, |m| {
        if m < 120 {
            1.0
        } else {
            2.0
        }
    });
    let load = MeterLoad::from_csv(fall.as_bytes(), "m.csv", None).unwrap();
    let day = load.profile_for_date(date(2019, 11, 3), &wall(15)).unwrap();
    // 01:00-02:00 happens twice (both read 1.0): averaged, not lost or doubled.
    assert_eq!(&day[4..8], &[1.0; 4]);
    assert_eq!(day[8], 2.0);
}

#[test]
fn a_time_zone_moves_utc_readings_onto_the_local_day() {
    let mut text = String::from("time,kw\n");
    for h in 0..48 {
        let t = jiff::Timestamp::from_second(1_556_668_800 + h * 3600).unwrap(); // 2019-05-01T00:00Z
        let _ = writeln!(text, "{t},{h}");
    }
    let zone = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let load = MeterLoad::from_csv(text.as_bytes(), "m.csv", Some(&zone)).unwrap();
    let day = load.profile_for_date(date(2019, 5, 1), &la(60)).unwrap();
    assert_eq!(day[0], 7.0); // local midnight is 07:00 UTC
}

#[test]
fn bad_meter_files_name_the_line_and_column() {
    let bad = |text: &str, line: usize, field: &str| match MeterLoad::from_csv(
        text.as_bytes(),
        "m.csv",
        None,
    ) {
        Err(Error::Csv {
            line: l, field: f, ..
        }) => assert_eq!((l, f.as_str()), (line, field), "{text:?}"),
        other => panic!("{text:?}: {other:?}"),
    };
    let ok = "time,kw\n2019-05-01T00:00:00-07:00,5\n2019-05-01T00:15:00-07:00,6\n";
    assert!(MeterLoad::from_csv(ok.as_bytes(), "m.csv", None).is_ok());
    bad("when,kw\n", 1, "time");
    bad(&ok.replace(",6", ",-6"), 3, "kw");
    bad(&ok.replace(",6", ",NaN"), 3, "kw");
    bad(&ok.replace("00:15:00", "soon"), 3, "time");
    bad(&ok.replace("00:15:00", "00:00:00"), 3, "time");
    bad(&format!("{ok}2019-05-01T00:45:00-07:00,7\n"), 4, "time"); // irregular
    bad("time,kw\n2019-05-01T00:00:00-07:00,5\n", 2, "time"); // one reading
    bad(
        "time,kw\n2019-05-01T00:00:00-07:00,5\n2019-05-01T00:07:00-07:00,5\n",
        3,
        "time",
    ); // 7 minutes does not divide a day
}
