//! Live decisions as OCPP 2.0.1 messages, validated against the official
//! `SetChargingProfileRequest` JSON schema (`tests/data/ocpp/`, see its README).
#![cfg(feature = "ocpp")]

use evmech_v2b_control::live::ocpp::profiles;
use evmech_v2b_control::live::{Controller, LiveEv, LiveOptions, SiteState};
use evmech_v2b_control::policy::PolicyKind;
use evmech_v2b_control::History;
use serde_json::Value;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/ocpp/SetChargingProfileRequest.json",
        manifest_dir()
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str::<Value>(&text).unwrap()).unwrap()
}

fn state() -> SiteState {
    let ev = |id: &str, charger: usize, departure: &str, energy: f64| LiveEv {
        id: id.into(),
        charger,
        arrival: "2019-05-14T08:00:00-07:00".into(),
        departure: departure.into(),
        energy_kwh: energy,
        target_kwh: 60.0,
        battery_kwh: 75.0,
        limits: Default::default(),
    };
    SiteState {
        time: "2019-05-14T13:07:00-07:00".into(),
        building_kw: 40.0,
        month_peak_kw: 120.0,
        month_peaks_kw: Default::default(),
        evs: vec![
            ev("plain", 2, "2019-05-14T18:00:00-07:00", 20.0),
            // Bidirectional, full enough to discharge into the peak window.
            ev("v2b", 11, "2019-05-15T02:00:00-07:00", 70.0),
        ],
    }
}

#[test]
fn every_message_fits_the_official_schema() {
    let validator = schema();
    for policy in [PolicyKind::McMpc, PolicyKind::Mpc, PolicyKind::ReqCharge] {
        let options = LiveOptions {
            policy,
            scenarios: 4,
            ..LiveOptions::default()
        };
        let mut c = Controller::new(Default::default(), options).unwrap();
        let decision = c.decide(&state(), &History::new()).unwrap();
        let messages = profiles(&decision, 7).unwrap();
        assert_eq!(messages.len(), 2);
        for (m, sp) in messages.iter().zip(&decision.setpoints) {
            let json = serde_json::to_value(&m.request).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{policy:?}: {errors:?}\n{json}");
            let profile = &m.request.charging_profile;
            assert_eq!(m.request.evse_id as usize, sp.charger + 1);
            assert_eq!(profile.transaction_id.as_deref(), Some(sp.ev.as_str()));
            let schedule = &profile.charging_schedule[0];
            // The slot containing 13:07 starts at 13:00 local, 20:00 UTC.
            assert_eq!(
                schedule.start_schedule.unwrap().to_rfc3339(),
                "2019-05-14T20:00:00+00:00"
            );
            let first = schedule.charging_schedule_period[0].limit;
            let expected = (sp.power_kw.max(0.0) * 10_000.0).round() / 10.0;
            assert_eq!(first.to_string().parse::<f64>().unwrap(), expected);
        }
    }
}

#[test]
fn long_ids_are_refused_not_truncated() {
    let mut s = state();
    s.evs[1].id = "x".repeat(37);
    let options = LiveOptions {
        policy: PolicyKind::ReqCharge,
        ..LiveOptions::default()
    };
    let decision = Controller::new(Default::default(), options)
        .unwrap()
        .decide(&s, &History::new())
        .unwrap();
    match profiles(&decision, 1) {
        Err(evmech_v2b_control::Error::InvalidField { field, .. }) => {
            assert_eq!(field, "evs[1].id")
        }
        other => panic!("{other:?}"),
    }
}
