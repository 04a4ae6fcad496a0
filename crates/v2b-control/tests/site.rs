//! Site validation, JSON and the charger-assignment order.

use evmech_v2b_control::{Site, SiteSpec};

#[test]
fn paper_site_has_ten_unidirectional_and_five_bidirectional_chargers() {
    let site = Site::paper_default();
    assert_eq!(site.chargers().len(), 15);
    assert_eq!(
        site.chargers()
            .iter()
            .filter(|c| c.is_bidirectional())
            .count(),
        5
    );
    assert!(site.no_export());
    assert_eq!(
        site.penalties().missing_energy_usd_per_kwh.to_bits(),
        0.5f64.to_bits()
    );
    // Bidirectional chargers are taken first, then by power, then by id.
    let order: Vec<&str> = site
        .assignment_order()
        .iter()
        .map(|&i| site.chargers()[i].id.as_str())
        .collect();
    assert_eq!(&order[..6], &["b0", "b1", "b2", "b3", "b4", "u0"]);
}

#[test]
fn site_json_round_trips_with_defaults() {
    let json = r#"{"chargers": [{"id": "u0", "max_charge_kw": 11},
                                 {"id": "b0", "max_charge_kw": 20, "max_discharge_kw": 20}]}"#;
    let site: Site = serde_json::from_str(json).unwrap();
    assert!(site.no_export());
    assert!(site.chargers()[0].controlled);
    assert_eq!(site.assignment_order(), vec![1, 0]);
    let back: Site = serde_json::from_str(&serde_json::to_string(&site).unwrap()).unwrap();
    assert_eq!(back, site);
}

#[test]
fn invalid_sites_name_the_field() {
    let bad = |json: &str, field: &str| {
        let err = serde_json::from_str::<Site>(json).unwrap_err().to_string();
        assert!(err.contains(field), "{err:?} does not name {field}");
    };
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": -1}]}"#,
        "chargers[0].max_charge_kw",
    );
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": 1}, {"id": "a", "max_charge_kw": 1}]}"#,
        "chargers[1].id",
    );
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": 1, "charge_efficiency": 1.5}]}"#,
        "chargers[0].charge_efficiency",
    );
    bad(
        r#"{"chargers": [], "penalties": {"missing_energy_usd_per_kwh": -1, "degradation_usd_per_kwh": 0, "external_price_usd_per_kwh": 0}}"#,
        "penalties.missing_energy_usd_per_kwh",
    );
    assert!(serde_json::from_str::<Site>(r#"{"chargers": [], "colour": 1}"#).is_err());
    // Degenerate sites are refused, not reported as perfect service.
    bad(r#"{"chargers": []}"#, "at least one charger");
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": 0}]}"#,
        "chargers[0].max_charge_kw",
    );
    // Unit mistakes beyond the documented ranges.
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": 1e9}]}"#,
        "chargers[0].max_charge_kw",
    );
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": 10, "max_discharge_kw": 6000}]}"#,
        "chargers[0].max_discharge_kw",
    );
    bad(
        r#"{"chargers": [{"id": "a", "max_charge_kw": 10}], "import_limit_kw": 1e12}"#,
        "import_limit_kw",
    );
    // The bounds themselves are accepted.
    let edge = r#"{"chargers": [{"id": "a", "max_charge_kw": 5000, "max_discharge_kw": 5000}],
        "import_limit_kw": 1e6}"#;
    assert!(serde_json::from_str::<Site>(edge).is_ok());
    let _ = SiteSpec::from(Site::paper_default());
}
