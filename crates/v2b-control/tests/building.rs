//! The building loader and the tariff on the DOE fixture (spec `v2b-consent.md` section 8.3).

use evmech_v2b_control::{weekday, weekdays_of_month, BuildingLoad, Date, Error, Tariff};
use std::io::BufReader;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn fixture() -> BuildingLoad {
    let path = format!(
        "{}/tests/data/doe_medium_office_la_hourly.csv",
        manifest_dir()
    );
    let file = std::fs::File::open(&path).unwrap();
    BuildingLoad::from_csv(BufReader::new(file), &path).unwrap()
}

#[test]
fn calendar_starts_on_a_sunday_and_may_has_23_weekdays() {
    assert_eq!(weekday(0), 0);
    let may = weekdays_of_month(5).unwrap();
    assert_eq!(may.len(), 23);
    assert_eq!(may[0], 120); // 1 May is a Monday in the file's calendar
    assert!(weekdays_of_month(13).is_err());
}

#[test]
fn fixture_check_building_only_may_bill() {
    // Spec 8.3: over the file's 23 May weekdays, energy 8,174.45 USD plus demand
    // 179.0144 kW x 11.67 = 2,089.10 USD, total 10,263.55 USD.
    let load = fixture();
    let tariff = Tariff::silicon_valley_power();
    // The file's calendar is 2017's (1 January a Sunday).
    let jan1 = Date::new(2017, 1, 1).unwrap();
    let days: Vec<(Date, Vec<f64>)> = weekdays_of_month(5)
        .unwrap()
        .into_iter()
        .map(|d| (jan1.plus_days(d as i64), load.day_profile_kw(d, 4).unwrap()))
        .collect();
    let bill = tariff.bill(&days).unwrap();
    assert!((bill.energy_usd - 8174.45).abs() < 0.01, "{bill:?}");
    assert!((bill.peak_kw - 179.0144).abs() < 1e-4, "{bill:?}");
    assert!((bill.demand_usd - 2089.10).abs() < 0.01, "{bill:?}");
    assert!((bill.total_usd() - 10263.55).abs() < 0.01, "{bill:?}");
}

#[test]
fn profiles_step_hold_each_hour() {
    let load = fixture();
    let day = load.day_profile_kw(0, 4).unwrap();
    assert_eq!(day.len(), 96);
    assert_eq!(day[0].to_bits(), load.hourly_kw()[0].to_bits());
    assert_eq!(day[3].to_bits(), load.hourly_kw()[0].to_bits());
    assert_eq!(day[4].to_bits(), load.hourly_kw()[1].to_bits());
    assert!(load.day_profile_kw(365, 4).is_err());
}

#[test]
fn bad_files_name_the_line_and_column() {
    let bad = |text: &str, line: usize, field: &str| match BuildingLoad::from_csv(
        text.as_bytes(),
        "x.csv",
    ) {
        Err(Error::Csv {
            line: l, field: f, ..
        }) => assert_eq!((l, f.as_str()), (line, field), "{text:?}"),
        other => panic!("{text:?}: {other:?}"),
    };
    let header = "hour_of_year,month,day,hour,facility_kw\n";
    bad("", 1, "header");
    bad("a,b\n", 1, "hour_of_year");
    bad(&format!("{header}0,1,1,0,abc\n"), 2, "facility_kw");
    bad(&format!("{header}0,1,1,0,-1\n"), 2, "facility_kw");
    bad(&format!("{header}1,1,1,1,5\n"), 2, "hour_of_year");
    bad(&format!("{header}0,2,1,0,5\n"), 2, "month");
    bad(&format!("{header}0,1,1,3,5\n"), 2, "hour");
    bad(&format!("{header}0,1,1,0,5\n1,1,1,1\n"), 3, "row");
    bad(&format!("{header}0,1,1,0,5\n"), 3, "row"); // too few rows
}
