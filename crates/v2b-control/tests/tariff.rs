//! Tariffs as data: the shipped files, seasons and day types, two demand charges, exports, and
//! bad tariffs refused naming the entry.

use evmech_v2b_control::{Date, Error, Tariff};

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn file(name: &str) -> Tariff {
    let path = format!("{}/../../examples/data/tariffs/{name}", manifest_dir());
    let t: Tariff = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    t.validate().unwrap();
    t
}

fn date(m: u32, d: u32) -> Date {
    Date::new(2019, m, d).unwrap()
}

fn field(t: &Tariff) -> String {
    match t.validate() {
        Err(Error::InvalidField { field, reason }) => format!("{field}: {reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_shipped_svp_file_is_the_built_in_tariff() {
    let t = file("silicon_valley_power.json");
    assert_eq!(t, Tariff::silicon_valley_power());
    assert_eq!(t.energy_price(date(5, 14), 23), 0.137);
    assert_eq!(t.energy_price(date(5, 14), 24), 0.178);
    assert_eq!(t.energy_price(date(5, 18), 87), 0.178); // a Saturday, 21:45
    assert_eq!(t.energy_price(date(5, 18), 88), 0.137);
    assert!(t.demand_applies(0, date(5, 14), 24) && !t.demand_applies(0, date(5, 14), 88));
}

#[test]
fn seasons_day_types_and_two_demand_charges_bill_as_written() {
    let t = file("seasonal_two_demand.json");
    // July weekday 13:00: summer on-peak. January weekday 17:00: winter peak. Saturday: flat.
    assert_eq!(t.energy_price(date(7, 16), 52), 0.33);
    assert_eq!(t.energy_price(date(7, 16), 72), 0.15);
    assert_eq!(t.energy_price(date(1, 15), 68), 0.24);
    assert_eq!(t.energy_price(date(1, 15), 52), 0.14);
    assert_eq!(t.energy_price(date(7, 20), 52), 0.12);
    // A July week: weekdays 100 kW, 300 kW at 20:00 on Tuesday, 250 kW at 13:00 on Wednesday,
    // 400 kW at noon on Saturday.
    let mut days = Vec::new();
    for d in 15..=21 {
        let mut kw = vec![100.0; 96];
        match d {
            16 => kw[80] = 300.0,
            17 => kw[52] = 250.0,
            20 => kw[48] = 400.0,
            _ => {}
        }
        days.push((date(7, d), kw));
    }
    let bill = t.bill(&days).unwrap();
    let names: Vec<&str> = bill.demand.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["facility", "on-peak"]);
    assert_eq!(bill.demand[0].peak_kw, 400.0); // every slot, Saturday's spike
    assert_eq!(bill.demand[1].peak_kw, 250.0); // summer weekday 12-18 only
    assert!((bill.demand_usd - (8.5 * 400.0 + 12.0 * 250.0)).abs() < 1e-9);
    // Energy: each kWh at the price of its slot.
    let mut energy = 0.0;
    for (d, kw) in &days {
        for (k, p) in kw.iter().enumerate() {
            energy += 0.25 * p * t.energy_price(*d, k);
        }
    }
    assert!((bill.energy_usd - energy).abs() < 1e-9);
    // In January the on-peak charge does not apply.
    let winter = t.bill(&[(date(1, 15), vec![200.0; 96])]).unwrap();
    assert_eq!(winter.demand[1].peak_kw, 0.0);
    assert_eq!(winter.demand[0].peak_kw, 200.0);
}

#[test]
fn exports_earn_the_export_price_and_a_bad_one_is_named() {
    let mut t = Tariff::silicon_valley_power();
    let mut day = vec![0.0; 96];
    day[10] = -8.0; // off-peak export, 2 kWh
    day[40] = 4.0; // peak import, 1 kWh
    let bill = t.bill(&[(date(5, 14), day.clone())]).unwrap();
    assert!((bill.energy_usd - (0.178 - 2.0 * 0.137)).abs() < 1e-12);
    t.export_usd_per_kwh = Some(0.05);
    t.validate().unwrap();
    let bill = t.bill(&[(date(5, 14), day)]).unwrap();
    assert!((bill.energy_usd - (0.178 - 2.0 * 0.05)).abs() < 1e-12);
    t.export_usd_per_kwh = Some(0.2);
    assert!(field(&t).starts_with("tariff.export_usd_per_kwh"));
}

#[test]
fn overlaps_gaps_and_bad_entries_are_refused_naming_the_entry() {
    let base = file("seasonal_two_demand.json");
    // Summer weekday evenings priced twice.
    let mut t = base.clone();
    t.energy[1].from = serde_json::from_str("\"17:00\"").unwrap();
    let message = field(&t);
    assert!(
        message.starts_with("tariff.energy[1]: overlaps tariff.energy[0]"),
        "{message}"
    );
    assert!(
        message.contains("weekdays at 17:00 in month 6"),
        "{message}"
    );
    // Weekends missing in winter.
    let mut t = base.clone();
    t.energy[4].months = Some(vec![6, 7, 8, 9]);
    let message = field(&t);
    assert!(
        message.starts_with("tariff.energy: no entry prices weekends at 00:00 in month 1"),
        "{message}"
    );
    // A time off the 15-minute grid, a month 13, a half-open window, a repeated name.
    let mut t = base.clone();
    t.energy[0].to = serde_json::from_str("\"18:10\"").unwrap();
    assert!(field(&t).starts_with("tariff.energy[0].to"));
    let mut t = base.clone();
    t.demand[1].months = Some(vec![13]);
    assert!(field(&t).starts_with("tariff.demand[1].months"));
    let mut t = base.clone();
    t.demand[1].to = None;
    assert!(field(&t).starts_with("tariff.demand[1].to"));
    let mut t = base.clone();
    t.demand[1].name = "facility".into();
    assert!(field(&t).starts_with("tariff.demand[1].name"));
    let mut t = base;
    t.demand[0].usd_per_kw = f64::NAN;
    assert!(field(&t).starts_with("tariff.demand[0].usd_per_kw"));
    // JSON-level errors: a time that is not HH:MM, an unknown key, an unknown day set.
    for bad in [
        r#"{"energy": [{"from": "6:00", "to": "22:00", "usd_per_kwh": 0.1}]}"#,
        r#"{"energy": [{"usd_per_kwh": 0.1, "colour": "red"}]}"#,
        r#"{"energy": [{"days": "mondays", "usd_per_kwh": 0.1}]}"#,
        r#"{"energy": [{"from": "25:00", "to": "22:00", "usd_per_kwh": 0.1}]}"#,
    ] {
        assert!(serde_json::from_str::<Tariff>(bad).is_err(), "{bad}");
    }
    // The smallest valid tariff: one flat price, no demand charge.
    let flat: Tariff = serde_json::from_str(r#"{"energy": [{"usd_per_kwh": 0.1}]}"#).unwrap();
    flat.validate().unwrap();
    assert_eq!(
        flat.bill(&[(date(3, 1), vec![10.0; 96])])
            .unwrap()
            .demand_usd,
        0.0
    );
}
