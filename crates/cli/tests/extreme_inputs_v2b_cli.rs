//! Random, structurally valid but extreme V2B inputs through the real binary: a live state and a
//! tariff with extreme numbers (`v2b decide`, the MC-MPC LP behind it), an arriving driver with
//! extreme numbers (`v2b quote`, CONSENT's menu), and a session file with an extreme energy
//! (`v2b compare`). Every run answers with exit 0 and finite JSON, or exit 2
//! naming the field; never a panic, a solver crash or another exit code.

mod common;

use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn data(name: &str) -> String {
    format!("{}/../v2b-control/tests/data/{name}", manifest_dir())
}

/// Zero, tiny, huge, near the limits of `f64`, negative.
fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(1e-300),
        Just(1e-9),
        Just(1e5),
        Just(1e9),
        Just(1e25),
        Just(1e300),
        Just(-1.0),
    ]
}

fn temp(tag: &str, body: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("evmech-extreme-v2b-{tag}-{}", std::process::id()));
    std::fs::write(&path, body).expect("temp file");
    path
}

fn evmech(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A `null` only where the contract puts one: `peak_shaving_kw` without MaxCharge in the run.
fn check(code: Option<i32>, stdout: &str, stderr: &str) -> Result<(), TestCaseError> {
    let null_ok = |path: &str| path.ends_with(".peak_shaving_kw");
    common::answered_or_refused(code, stdout, stderr, &null_ok)
}

/// The live state of the README, with the numbers of `x` in it.
fn state(x: &[f64]) -> Value {
    json!({"time": "2019-05-14T10:00:00-07:00", "building_kw": x[0], "month_peak_kw": x[1],
      "evs": [{"id": "s1", "charger": 3, "arrival": "2019-05-14T07:58:00-07:00",
               "departure": "2019-05-14T17:30:00-07:00", "energy_kwh": x[2], "target_kwh": x[3],
               "battery_kwh": x[4]},
              {"id": "s2", "charger": 12, "arrival": "2019-05-14T08:40:00-07:00",
               "departure": "2019-05-14T16:00:00-07:00", "energy_kwh": 30.0, "target_kwh": 60.0,
               "battery_kwh": 100.0, "limits": {"max_charge_kw": x[5]}}]})
}

/// A two-period tariff with a demand charge, with the numbers of `x` in it.
fn tariff(x: &[f64]) -> Value {
    json!({"name": "extreme", "timezone": "America/Los_Angeles",
      "energy": [{"from": "06:00", "to": "22:00", "usd_per_kwh": x[6]},
                 {"from": "22:00", "to": "06:00", "usd_per_kwh": x[7]}],
      "demand": [{"name": "peak", "from": "06:00", "to": "22:00", "usd_per_kw": x[8]}]})
}

/// Ordinary numbers for every slot, with one or two extreme ones at random places.
fn numbers() -> impl Strategy<Value = Vec<f64>> {
    let ordinary = vec![130.0, 160.0, 20.0, 50.0, 75.0, 7.0, 0.18, 0.14, 11.7];
    proptest::collection::vec((0..9usize, extreme()), 1..=2).prop_map(move |extremes| {
        let mut xs = ordinary.clone();
        for (at, x) in extremes {
            xs[at] = x;
        }
        xs
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn decide_answers_or_refuses(x in numbers(), tag in 0..1_000_000usize) {
        let state = temp(&format!("state-{tag}"), &state(&x).to_string());
        let tariff = temp(&format!("tariff-{tag}"), &tariff(&x).to_string());
        let (code, out, err) = evmech(&[
            "v2b", "decide",
            "--state", state.to_str().unwrap(),
            "--history-sessions", &data("caltech_2019-05_weekdays.csv"),
            "--building", &data("doe_medium_office_la_hourly.csv"),
            "--tariff", tariff.to_str().unwrap(),
            "--scenarios", "2",
        ]);
        std::fs::remove_file(&state).ok();
        std::fs::remove_file(&tariff).ok();
        check(code, &out, &err)?;
    }
}

/// The README's arriving driver, with extreme energies or battery: `x[2..5]` of [`numbers`]
/// stand for her energy at plug-in, her target and her battery.
fn arrival(x: &[f64]) -> Value {
    json!({"id": "new", "departure": "2019-05-14T17:00:00-07:00", "energy_kwh": x[2],
           "target_kwh": x[3], "battery_kwh": x[4]})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn quote_answers_or_refuses(x in numbers(), tag in 0..1_000_000usize) {
        // The state keeps its ordinary EVs; the extreme numbers go to the arrival and the tariff.
        let ordinary = [130.0, 160.0, 20.0, 50.0, 75.0, 7.0];
        let state = temp(&format!("qstate-{tag}"), &state(&ordinary).to_string());
        let tariff = temp(&format!("qtariff-{tag}"), &tariff(&x).to_string());
        let arrival = temp(&format!("arrival-{tag}"), &arrival(&x).to_string());
        let (code, out, err) = evmech(&[
            "v2b", "quote",
            "--arrival", arrival.to_str().unwrap(),
            "--accept", "0",
            "--state", state.to_str().unwrap(),
            "--history-sessions", &data("caltech_2019-05_weekdays.csv"),
            "--building", &data("doe_medium_office_la_hourly.csv"),
            "--tariff", tariff.to_str().unwrap(),
            "--scenarios", "2",
        ]);
        for path in [&state, &tariff, &arrival] {
            std::fs::remove_file(path).ok();
        }
        check(code, &out, &err)?;
    }

    #[test]
    fn compare_answers_or_refuses_an_extreme_session_energy(
        x in extreme(),
        column in prop_oneof![Just(5usize), Just(6usize)],
        tag in 0..1_000_000usize,
    ) {
        // The first day's first session with `x` kWh requested or delivered.
        let text = std::fs::read_to_string(data("caltech_2019-05_weekdays.csv")).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        cells[column] = format!("{x:e}");
        lines[1] = cells.join(",");
        let sessions = temp(&format!("sessions-{tag}.csv"), &lines.join("\n"));
        let out_dir = std::env::temp_dir().join(format!("evmech-extreme-v2b-out-{tag}-{}", std::process::id()));
        let (code, out, err) = evmech(&[
            "v2b", "compare",
            "--sessions", sessions.to_str().unwrap(),
            "--building", &data("doe_medium_office_la_hourly.csv"),
            "--days", "1",
            "--policies", "reqcharge,mpc",
            "--out", out_dir.to_str().unwrap(),
        ]);
        std::fs::remove_file(&sessions).ok();
        std::fs::remove_dir_all(&out_dir).ok();
        check(code, &out, &err)?;
        if !(0.0..=1e4).contains(&x) {
            prop_assert_eq!(code, Some(2), "{} kWh was accepted: {}", x, err);
        }
    }
}
