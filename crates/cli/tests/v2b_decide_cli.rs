//! The `evmech v2b decide` contract, run through the real binary: the output keys, the OCPP
//! messages, bad states (exit 2 naming the field) and causality (sessions recorded after the
//! state's time change nothing).

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn data(name: &str) -> String {
    format!("{}/../v2b-control/tests/data/{name}", manifest_dir())
}

fn temp(tag: &str, body: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("evmech-decide-{tag}-{}", std::process::id()));
    std::fs::write(&path, body).unwrap();
    path
}

fn state() -> Value {
    json!({"time": "2019-05-14T10:00:00-07:00", "building_kw": 131.2, "month_peak_kw": 160.4,
      "evs": [{"id": "s1", "charger": 3, "arrival": "2019-05-14T07:58:00-07:00",
               "departure": "2019-05-14T17:30:00-07:00", "energy_kwh": 21.5, "target_kwh": 52.0,
               "battery_kwh": 75.0},
              {"id": "s2", "charger": 12, "arrival": "2019-05-14T08:40:00-07:00",
               "departure": "2019-05-14T16:00:00-07:00", "energy_kwh": 30.0, "target_kwh": 60.0,
               "battery_kwh": 100.0}]})
}

fn decide(tag: &str, state: &Value, sessions: &str, extra: &[&str]) -> (i32, String, String) {
    let state = temp(tag, &state.to_string());
    let building = data("doe_medium_office_la_hourly.csv");
    let mut args = vec![
        "v2b",
        "decide",
        "--state",
        state.to_str().unwrap(),
        "--history-sessions",
        sessions,
        "--building",
        &building,
        "--scenarios",
        "8",
    ];
    args.extend_from_slice(extra);
    let o = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(&args)
        .output()
        .expect("binary runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn a_decision_has_every_contract_field_and_one_ocpp_message_per_ev() {
    let sessions = data("caltech_2019-05_weekdays.csv");
    let (code, stdout, stderr) = decide("ok", &state(), &sessions, &["--ocpp"]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "time",
        "policy",
        "status",
        "setpoints",
        "plan",
        "expected_cost_usd",
        "solve_seconds",
        "ocpp",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["time"], "2019-05-14T10:00:00-07:00");
    assert_eq!(v["policy"], "mc-mpc");
    assert_eq!(v["status"], "optimal");
    assert_eq!(v["forecast"], "history");
    let sp = v["setpoints"].as_array().unwrap();
    assert_eq!(sp.len(), 2);
    assert_eq!(sp[1]["ev"], "s2");
    assert_eq!(sp[1]["charger"], 12);
    let p = sp[0]["power_kw"].as_f64().unwrap();
    assert!((-1e-9..=20.0 + 1e-9).contains(&p), "{p}");
    // 10:00 to 17:30 is 30 slots.
    assert_eq!(v["plan"][0]["power_kw"].as_array().unwrap().len(), 30);
    let ocpp = v["ocpp"].as_array().unwrap();
    assert_eq!(ocpp.len(), 2);
    assert_eq!(ocpp[1]["evseId"], 13);
    assert_eq!(
        ocpp[0]["chargingProfile"]["chargingProfilePurpose"],
        "TxProfile"
    );
    assert_eq!(
        ocpp[0]["chargingProfile"]["chargingSchedule"][0]["chargingRateUnit"],
        "W"
    );
}

#[test]
fn bad_states_exit_2_naming_the_field() {
    let sessions = data("caltech_2019-05_weekdays.csv");
    let cases: [(&str, Value, &str); 4] = [
        ("missing-charger", json!(15), "evs[0].charger"),
        (
            "departed",
            json!("2019-05-14T09:00:00-07:00"),
            "evs[0].departure",
        ),
        ("overfull", json!(80.0), "evs[0].energy_kwh"),
        ("shared", json!(12), "evs[1].charger"),
    ];
    for (tag, value, field) in cases {
        let mut s = state();
        let key = field.rsplit('.').next().unwrap();
        s["evs"][0][key] = value;
        let (code, _, stderr) = decide(tag, &s, &sessions, &[]);
        assert_eq!(code, 2, "{tag}: {stderr}");
        assert!(stderr.contains(field), "{tag}: {stderr}");
    }
    for (flag, value) in [
        ("--policy", "oracle"),
        ("--scenarios", "0"),
        ("--time-zone", "Nowhere/Land"),
    ] {
        let (code, _, stderr) = decide("opt", &state(), &sessions, &[flag, value]);
        assert_eq!(code, 2, "{flag}: {stderr}");
        assert!(stderr.contains(&flag[2..]), "{flag}: {stderr}");
    }
}

#[test]
fn sessions_recorded_after_the_state_change_nothing() {
    let text = std::fs::read_to_string(data("caltech_2019-05_weekdays.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let now = "2019-05-14T10:00:00-07:00";
    // Rows are (arrival, departure) in the site's offset, so text order is time order.
    let times = |l: &str| {
        let c: Vec<&str> = l.split(',').collect();
        (c[3].to_string(), c[4].to_string())
    };
    let rows: Vec<&str> = lines.collect();
    // What a site knows at 10:00 on 14 May: the sessions that have left. The sessions still
    // plugged in are in the state, not the history, so they are left out of both files.
    let past: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|l| times(l).1.as_str() < now)
        .collect();
    let future: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|l| times(l).0.as_str() >= now)
        .collect();
    assert!(past.len() > 100 && future.len() > 100);
    let past_file = temp("past.csv", &format!("{header}\n{}\n", past.join("\n")));
    let both = [past.clone(), future].concat();
    let full_file = temp("full.csv", &format!("{header}\n{}\n", both.join("\n")));
    let full = full_file.display().to_string();
    let (c1, all, e1) = decide("all", &state(), &full, &[]);
    let (c2, only_past, e2) = decide("past", &state(), past_file.to_str().unwrap(), &[]);
    assert_eq!((c1, c2), (0, 0), "{e1}{e2}");
    let (a, b): (Value, Value) = (
        serde_json::from_str(&all).unwrap(),
        serde_json::from_str(&only_past).unwrap(),
    );
    assert_eq!(a["setpoints"], b["setpoints"]);
    assert_eq!(a["plan"], b["plan"]);
    assert_eq!(a["expected_cost_usd"], b["expected_cost_usd"]);
}

#[test]
fn a_quote_lists_the_menu_and_an_acceptance_gives_the_ev_to_add() {
    let sessions = data("caltech_2019-05_weekdays.csv");
    let arrival = temp(
        "arrival",
        &json!({"id": "new", "departure": "2019-05-14T17:00:00-07:00", "energy_kwh": 20.0,
                "target_kwh": 50.0, "battery_kwh": 75.0})
        .to_string(),
    );
    let state = temp("quote-state", &state().to_string());
    let building = data("doe_medium_office_la_hourly.csv");
    let run = |accept: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_evmech"))
            .args([
                "v2b",
                "quote",
                "--arrival",
                arrival.to_str().unwrap(),
                "--accept",
                accept,
                "--state",
                state.to_str().unwrap(),
                "--history-sessions",
                &sessions,
                "--building",
                &building,
            ])
            .output()
            .expect("binary runs");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (code, stdout, stderr) = run("2");
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let options = v["options"].as_array().unwrap();
    assert_eq!(options.len(), 4);
    assert_eq!(options[0]["departure"], "2019-05-14T17:00:00-07:00");
    // The first free charger: the site's bidirectional ones come first, 12 is taken.
    assert_eq!(v["charger"], 10);
    let ev = &v["accepted"]["ev"];
    assert_eq!(ev["target_kwh"], options[2]["target_kwh"]);
    assert_eq!(ev["departure"], options[2]["departure"]);
    assert_eq!(v["accepted"]["price_usd"], options[2]["price_usd"]);
    let (code, stdout, _) = run("reject");
    assert_eq!(code, 0);
    assert!(serde_json::from_str::<Value>(&stdout).unwrap()["accepted"].is_null());
    let (code, _, stderr) = run("9");
    assert_eq!(code, 2);
    assert!(stderr.contains("accept"), "{stderr}");
}

#[test]
fn a_two_charge_tariff_needs_the_peak_of_each_charge() {
    let sessions = data("caltech_2019-05_weekdays.csv");
    let tariff = format!(
        "{}/../../examples/data/tariffs/seasonal_two_demand.json",
        manifest_dir()
    );
    let args = ["--tariff", tariff.as_str(), "--policy", "mpc"];
    let (code, _, stderr) = decide("two-charges-missing", &state(), &sessions, &args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("month_peaks_kw.on-peak"), "{stderr}");
    // The first charge (facility) is month_peak_kw; the on-peak one is named.
    let mut s = state();
    s["month_peaks_kw"] = json!({"on-peak": 150.0});
    let (code, stdout, stderr) = decide("two-charges", &s, &sessions, &args);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["status"], "optimal");
    s["month_peaks_kw"] = json!({"on-peak": 150.0, "shoulder": 3.0});
    let (code, _, stderr) = decide("two-charges-unknown", &s, &sessions, &args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("month_peaks_kw.shoulder"), "{stderr}");
}

#[test]
fn a_meter_can_be_the_load_history() {
    // Fourteen days of a 15-minute meter before the state's date (2019-05-14).
    let mut text = String::from("time,kw\n");
    let t0: jiff::Timestamp = "2019-04-30T07:00:00Z".parse().unwrap();
    for k in 0..14 * 96 {
        let t = t0 + jiff::SignedDuration::from_mins(15 * k);
        let kw = if (40..72).contains(&(k % 96)) {
            140.0
        } else {
            45.0
        };
        text.push_str(&format!(
            "{},{kw}\n",
            t.display_with_offset(jiff::tz::offset(-7))
        ));
    }
    let meter = temp("meter.csv", &text);
    let sessions = data("caltech_2019-05_weekdays.csv");
    let state_file = temp("meter-state", &state().to_string());
    let o = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args([
            "v2b",
            "decide",
            "--state",
            state_file.to_str().unwrap(),
            "--history-sessions",
            &sessions,
            "--meter",
            meter.to_str().unwrap(),
            "--policy",
            "mpc",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "optimal");
    std::fs::remove_file(meter).ok();
    std::fs::remove_file(state_file).ok();
}
