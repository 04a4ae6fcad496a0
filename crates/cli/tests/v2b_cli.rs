//! The `evmech v2b compare` contract, run through the real binary on the fixture's first days.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn data(name: &str) -> String {
    format!("{}/../v2b-control/tests/data/{name}", manifest_dir())
}

fn out_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("evmech-v2b-cli-{tag}-{}", std::process::id()))
}

fn compare(extra: &[&str], sessions: &str, out: &Path) -> (i32, String, String) {
    let building = data("doe_medium_office_la_hourly.csv");
    let mut args = vec![
        "v2b",
        "compare",
        "--sessions",
        sessions,
        "--building",
        &building,
        "--out",
    ];
    let out_s = out.display().to_string();
    args.push(&out_s);
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

const CONTRACT: [&str; 10] = [
    "building_cost_usd",
    "energy_cost_usd",
    "demand_cost_usd",
    "peak_kw",
    "missing_soc_kwh",
    "cars_below_target",
    "rejected_sessions",
    "decisions",
    "seconds_per_decision",
    "fallbacks",
];

#[test]
fn summary_has_every_contract_field_for_every_policy() {
    let out = out_dir("ok");
    let sessions = data("caltech_2019-05_weekdays.csv");
    let (code, stdout, stderr) = compare(
        &[
            "--policies",
            "maxcharge,reqcharge,edf,llf,mpc,mc-mpc,oracle",
            "--days",
            "2",
            "--scenarios",
            "3",
            "--seed",
            "4",
        ],
        &sessions,
        &out,
    );
    assert_eq!(code, 0, "{stderr}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(file, printed);
    for policy in [
        "maxcharge",
        "reqcharge",
        "edf",
        "llf",
        "mpc",
        "mc-mpc",
        "oracle",
    ] {
        let p = &file[policy];
        for key in CONTRACT {
            assert!(p[key].is_number(), "{policy}.{key} missing in {p}");
        }
        assert_eq!(p["fallbacks"], 0);
    }
    let oracle = file["oracle"]["building_cost_usd"].as_f64().unwrap();
    let max = file["maxcharge"]["building_cost_usd"].as_f64().unwrap();
    assert!(oracle < max, "oracle {oracle} vs maxcharge {max}");
    let days = std::fs::read_to_string(out.join("days.csv")).unwrap();
    assert_eq!(days.lines().count(), 1 + 7 * 2);
    assert!(std::fs::read_to_string(out.join("plot.svg"))
        .unwrap()
        .contains("<polyline"));
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn bad_session_file_exits_2_naming_file_line_and_field() {
    let out = out_dir("bad");
    let path = std::env::temp_dir().join(format!("evmech-v2b-bad-{}.csv", std::process::id()));
    let header = "session_id,site,station_id,arrival,departure,requested_kwh,delivered_kwh,estimated_departure,user_claimed";
    std::fs::write(
        &path,
        format!("{header}\ns1,caltech,CA-1,2019-05-01T08:00:00-07:00,2019-05-01T17:00:00-07:00,lots,5,2019-05-01T17:00:00-07:00,true\n"),
    )
    .unwrap();
    let (code, _, stderr) = compare(&[], &path.display().to_string(), &out);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 2);
    assert!(
        stderr.contains(":2:") && stderr.contains("requested_kwh"),
        "{stderr}"
    );
}

#[test]
fn unknown_policy_exits_2() {
    let out = out_dir("policy");
    let (code, _, stderr) = compare(
        &["--policies", "maxcharge,greedy"],
        &data("caltech_2019-05_weekdays.csv"),
        &out,
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("greedy"), "{stderr}");
}

#[test]
fn a_stressed_episode_is_simulated_and_a_bad_stress_is_named() {
    let sessions = data("caltech_2019-05_weekdays.csv");
    let run = |stress: &str, tag: &str| {
        let out = out_dir(tag);
        let (code, stdout, stderr) = compare(
            &["--policies", "maxcharge", "--days", "2", "--stress", stress],
            &sessions,
            &out,
        );
        assert_eq!(code, 0, "{stderr}");
        let run: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        assert_eq!(run["stress"], stress);
        std::fs::remove_dir_all(&out).ok();
        let v: Value = serde_json::from_str(&stdout).unwrap();
        v["maxcharge"]["rejected_sessions"].as_u64().unwrap()
    };
    assert!(run("fleet", "fleet") > run("none", "calm"));
    let (code, _, stderr) = compare(&["--stress", "storm"], &sessions, &out_dir("storm"));
    assert_eq!(code, 2);
    assert!(stderr.contains("stress"), "{stderr}");
}

#[test]
fn mc_mpc_grid_is_chosen_by_name_and_recorded() {
    let sessions = data("caltech_2019-05_weekdays.csv");
    for grid in ["slots", "hourly"] {
        let out = out_dir(&format!("grid-{grid}"));
        let (code, stdout, stderr) = compare(
            &[
                "--policies",
                "mc-mpc",
                "--days",
                "1",
                "--scenarios",
                "2",
                "--grid",
                grid,
            ],
            &sessions,
            &out,
        );
        assert_eq!(code, 0, "{stderr}");
        let run: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        assert_eq!(run["grid"], grid);
        let kind = if grid == "slots" { "slots" } else { "coarse" };
        assert_eq!(run["time_grid"]["kind"], kind);
        let v: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(v["mc-mpc"]["fallbacks"], 0);
        std::fs::remove_dir_all(&out).ok();
    }
    let (code, _, stderr) = compare(&["--grid", "weekly"], &sessions, &out_dir("weekly"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("grid") && stderr.contains("hourly"),
        "{stderr}"
    );
}
