//! `v2b compare` on a site's own data: several session files (CSV and ACN-Data API JSON),
//! weekends, a meter file, and bad files of each kind (exit 2, naming file, line and column).

use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("evmech-data-{}-{name}", std::process::id()))
}

/// A copy of `src` named `name` with `from` replaced by `to`.
fn edited_copy(src: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let path = tmp(name);
    let text = std::fs::read_to_string(src).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", src.display());
    std::fs::write(&path, text.replace(from, to)).unwrap();
    path
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

const HEADER: &str = "session_id,station_id,arrival,departure,requested_kwh,delivered_kwh,estimated_departure,user_claimed";

/// Sessions on Friday 2019-05-03 and Saturday 2019-05-04 (CSV, CRLF line ends).
fn sessions_csv(tag: &str) -> PathBuf {
    let mut text = String::from(HEADER);
    text.push_str("\r\n");
    for (i, day) in ["03", "04"].iter().enumerate() {
        for k in 0..3 {
            let _ = write!(
                text,
                "\"csv,{i}{k}\",CA-{k},2019-05-{day}T0{}:00:00-07:00,2019-05-{day}T17:00:00-07:00,12,10,2019-05-{day}T16:00:00-07:00,true\r\n",
                7 + k
            );
        }
    }
    let path = tmp(&format!("{tag}-sessions.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

/// One Monday 2019-05-06 session as ACN-Data API JSON.
fn sessions_json(tag: &str) -> PathBuf {
    let text = r#"{"_items": [{"sessionID": "api-1", "stationID": "CA-9",
        "connectionTime": "Mon, 06 May 2019 15:00:00 GMT", "disconnectTime": "Tue, 07 May 2019 00:00:00 GMT",
        "kWhDelivered": 8.0, "timezone": "America/Los_Angeles",
        "userInputs": [{"kWhRequested": 9.0, "requestedDeparture": "Mon, 06 May 2019 23:30:00 GMT"}]}]}"#;
    let path = tmp(&format!("{tag}-api.json"));
    std::fs::write(&path, text).unwrap();
    path
}

/// A 15-minute meter from Friday to Monday (local time), higher in the afternoon.
fn meter(tag: &str) -> PathBuf {
    let mut text = String::from("time,kw\n");
    let t0: jiff::Timestamp = "2019-05-03T07:00:00Z".parse().unwrap();
    for k in 0..4 * 96 {
        let t = t0 + jiff::SignedDuration::from_mins(15 * k);
        let hour = (k % 96) / 4;
        let kw = if (12..18).contains(&hour) {
            120.0
        } else {
            50.0
        };
        let _ = writeln!(text, "{},{kw}", t.display_with_offset(jiff::tz::offset(-7)));
    }
    let path = tmp(&format!("{tag}-meter.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

fn compare(
    sessions: &[&Path],
    load: [&str; 2],
    out: &Path,
    extra: &[&str],
) -> (i32, String, String) {
    let mut args = vec!["v2b", "compare", "--policies", "reqcharge,oracle"];
    args.push("--sessions");
    let names: Vec<String> = sessions.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    args.extend(load);
    let out_s = out.display().to_string();
    args.extend(["--out", &out_s]);
    args.extend(extra);
    run(&args)
}

#[test]
fn a_meter_csv_and_api_json_with_a_weekend_run_as_one_episode() {
    let (csv, json, meter) = (sessions_csv("ok"), sessions_json("ok"), meter("ok"));
    let meter_s = meter.display().to_string();
    let out = tmp("out-all");
    let (code, stdout, stderr) = compare(&[&csv, &json], ["--meter", &meter_s], &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["days"], 3, "{run}"); // Friday, Saturday and Monday
    assert_eq!(run["building_source"], "meter");
    assert_eq!(run["days_of_week"], "all");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    // The building alone: 2 x (6 h x 120 + 18 h x 50) kWh... at least its energy is billed.
    let energy = summary["reqcharge"]["energy_cost_usd"].as_f64().unwrap();
    assert!(
        energy > 3.0 * 0.137 * (6.0 * 120.0 + 18.0 * 50.0),
        "{energy}"
    );
    assert!(summary["reqcharge"]["peak_kw"].as_f64().unwrap() >= 120.0);
    // Per billing month: energy, demand by name, export, DR; months add up to the totals.
    for policy in ["reqcharge", "oracle"] {
        let p = &summary[policy];
        let months = p["months"].as_array().unwrap();
        assert_eq!(months.len(), 1);
        let m = &months[0];
        assert_eq!(m["month"], "2019-05");
        assert!(m["demand_usd"]["peak"].is_number(), "{m}");
        for key in [
            "energy_usd",
            "export_usd",
            "dr_penalty_usd",
            "building_cost_usd",
        ] {
            assert!(m[key].is_number(), "{key} in {m}");
        }
        let total = p["energy_cost_usd"].as_f64().unwrap() + p["demand_cost_usd"].as_f64().unwrap();
        let month_total = m["energy_usd"].as_f64().unwrap()
            + m["demand_usd"]["peak"].as_f64().unwrap()
            + m["export_usd"].as_f64().unwrap();
        assert!(
            (total - month_total).abs() < 1e-6,
            "{total} vs {month_total}"
        );
        assert_eq!(p["dr_penalty_usd"], 0.0);
        assert_eq!(p["over_months"]["months"], 1);
    }
    // sessions.csv: one row per session and policy, the quoted id kept whole.
    let sessions = std::fs::read_to_string(out.join("sessions.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(sessions.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2 * 7, "{sessions}");
    assert!(rows.iter().any(|r| &r[1] == "csv,00"));
    assert!(rows.iter().all(|r| r[4].ends_with("-07:00")));
    let slots = std::fs::read_to_string(out.join("slots.csv")).unwrap();
    assert!(
        slots.starts_with("policy,date,slot,time,"),
        "{}",
        &slots[..60]
    );
    assert!(slots.contains(",2019-05-04T12:00:00-07:00,"));
    // Weekdays only drops Saturday.
    let out_w = tmp("out-weekdays");
    let (code, _, stderr) = compare(
        &[&csv, &json],
        ["--meter", &meter_s],
        &out_w,
        &["--days-of-week", "weekdays"],
    );
    assert_eq!(code, 0, "{stderr}");
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out_w.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["days"], 2);
    for p in [out, out_w] {
        std::fs::remove_dir_all(p).ok();
    }
}

#[test]
fn bad_data_files_exit_2_naming_what_is_wrong() {
    let (csv, json, meter) = (sessions_csv("bad"), sessions_json("bad"), meter("bad"));
    let meter_s = meter.display().to_string();
    let out = tmp("out-bad");
    let check = |sessions: &[&Path], load: [&str; 2], extra: &[&str], needles: &[&str]| {
        let (code, _, stderr) = compare(sessions, load, &out, extra);
        assert_eq!(code, 2, "{stderr}");
        for n in needles {
            assert!(stderr.contains(n), "{n:?} not in {stderr}");
        }
    };
    // A meter with a negative reading on line 5.
    let bad_meter = tmp("bad-meter.csv");
    let text = std::fs::read_to_string(&meter).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut broken = lines.clone();
    let fifth = lines[4].replace(",50", ",-50");
    broken[4] = &fifth;
    std::fs::write(&bad_meter, broken.join("\n")).unwrap();
    let bad_meter_s = bad_meter.display().to_string();
    check(&[&csv], ["--meter", &bad_meter_s], &[], &[":5:", "kw"]);
    // A meter that misses a simulated day.
    let short = tmp("short-meter.csv");
    std::fs::write(&short, lines[..97].join("\n")).unwrap();
    let short_s = short.display().to_string();
    check(&[&csv], ["--meter", &short_s], &[], &["2019-05-04"]);
    // API JSON with a bad time; the same session twice.
    let bad_json = edited_copy(&json, "bad.json", "Mon, 06 May", "Someday");
    check(
        &[&bad_json],
        ["--meter", &meter_s],
        &[],
        &["_items[0].connectionTime"],
    );
    check(
        &[&json, &json],
        ["--meter", &meter_s],
        &[],
        &["session_id", "api-1"],
    );
    // A CSV missing a column; an unknown zone; an unknown day filter.
    let no_col = edited_copy(&csv, "nocol.csv", "delivered_kwh", "kwh");
    check(
        &[&no_col],
        ["--meter", &meter_s],
        &[],
        &[":1:", "delivered_kwh"],
    );
    check(
        &[&csv],
        ["--meter", &meter_s],
        &["--time-zone", "Mars/Olympus"],
        &["time-zone"],
    );
    check(
        &[&csv],
        ["--meter", &meter_s],
        &["--days-of-week", "mondays"],
        &["days-of-week"],
    );
    for p in [bad_meter, short, bad_json, no_col] {
        std::fs::remove_file(p).ok();
    }
}

fn tariff_file(name: &str) -> String {
    format!("{}/../../examples/data/tariffs/{name}", manifest_dir())
}

#[test]
fn a_tariff_file_bills_each_demand_charge_and_a_bad_one_exits_2() {
    let (csv, meter) = (sessions_csv("tariff"), meter("tariff"));
    let meter_s = meter.display().to_string();
    // Output directories of their own ("tariff-..."): another test writes to `tmp("openv2b")`
    // at the same time, and this one removes its directory when done.
    let run_with = |tariff: &str, tag: &str| {
        let out = tmp(&format!("tariff-{tag}"));
        let result = compare(&[&csv], ["--meter", &meter_s], &out, &["--tariff", tariff]);
        std::fs::remove_dir_all(&out).ok();
        result
    };
    let (code, stdout, stderr) = run_with(&tariff_file("openv2b_one_day.json"), "openv2b");
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    // openv2b's facility charge applies to every slot, Saturday included: at least the
    // building's 120 kW afternoon peak at 11.67 USD/kW.
    let demand = v["reqcharge"]["demand_cost_usd"].as_f64().unwrap();
    assert!(demand >= 11.67 * 120.0 - 1e-9, "{demand}");
    let (code, _, stderr) = run_with(&tariff_file("seasonal_two_demand.json"), "seasonal");
    assert_eq!(code, 0, "{stderr}");
    // An overlapping period: exit 2 naming the file and the entry.
    let bad = tmp("bad-tariff.json");
    std::fs::write(
        &bad,
        r#"{"energy": [{"usd_per_kwh": 0.1}, {"from": "12:00", "to": "13:00", "usd_per_kwh": 0.2}]}"#,
    )
    .unwrap();
    let (code, _, stderr) = run_with(&bad.display().to_string(), "bad");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("bad-tariff.json") && stderr.contains("energy[1]"),
        "{stderr}"
    );
    std::fs::write(
        &bad,
        r#"{"energy": [{"usd_per_kwh": 0.1, "from": "noon"}]}"#,
    )
    .unwrap();
    let (code, _, stderr) = run_with(&bad.display().to_string(), "bad2");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("energy[0].from"), "{stderr}");
    std::fs::remove_file(bad).ok();
}

#[test]
fn an_openv2b_scenario_runs_and_reports_what_it_approximates() {
    let dir = format!("{}/../../examples/data/openv2b/one_day", manifest_dir());
    let out = tmp("openv2b");
    let out_s = out.display().to_string();
    let (code, stdout, stderr) = run(&[
        "v2b",
        "compare",
        "--openv2b",
        &dir,
        "--policies",
        "reqcharge,oracle",
        "--out",
        &out_s,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["oracle"]["rejected_sessions"], 1);
    assert!(v["oracle"]["dr_penalty_usd"].as_f64().unwrap() > 0.0);
    assert!(v["oracle"]["months"][0]["demand_usd"]["facilities"].is_number());
    let run_json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert!(!run_json["import_notes"].as_array().unwrap().is_empty());
    std::fs::remove_dir_all(&out).ok();
    // A missing directory, a bad start date, and --openv2b beside --sessions: exit 2.
    for args in [
        vec![
            "v2b",
            "compare",
            "--openv2b",
            "/nonexistent",
            "--out",
            &out_s,
        ],
        vec![
            "v2b",
            "compare",
            "--openv2b",
            &dir,
            "--start-date",
            "2019-02-30",
            "--out",
            &out_s,
        ],
        vec![
            "v2b",
            "compare",
            "--openv2b",
            &dir,
            "--sessions",
            "x.csv",
            "--out",
            &out_s,
        ],
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }
}

#[test]
fn months_select_billing_months_and_bad_ranges_exit_2() {
    let (csv, meter) = (sessions_csv("months"), meter("months"));
    let meter_s = meter.display().to_string();
    let out = tmp("out-months");
    let (code, stdout, stderr) = compare(
        &[&csv],
        ["--meter", &meter_s],
        &out,
        &["--months", "2019-04..2019-05"],
    );
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["reqcharge"]["months"][0]["month"], "2019-05");
    for (range, needle) in [
        ("2019-06", "no session arrives"),
        ("2019-13", "YYYY-MM"),
        ("2019-06..2019-05", "ends before"),
        ("May", "YYYY-MM"),
    ] {
        let (code, _, stderr) = compare(&[&csv], ["--meter", &meter_s], &out, &["--months", range]);
        assert_eq!(code, 2, "{range}: {stderr}");
        assert!(
            stderr.contains("months") && stderr.contains(needle),
            "{range}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn the_fall_back_day_is_written_with_100_slots_and_its_offsets() {
    // Sunday 2019-11-03 in Los Angeles (the default tariff's zone): 25 hours.
    let mut text = String::from(HEADER);
    text.push('\n');
    text.push_str("dst-1,CA-1,2019-11-03T00:30:00-07:00,2019-11-03T05:00:00-08:00,20,20,2019-11-03T05:00:00-08:00,true\n");
    let sessions = tmp("dst-sessions.csv");
    std::fs::write(&sessions, text).unwrap();
    let mut meter_text = String::from("time,kw\n");
    let t0: jiff::Timestamp = "2019-11-03T07:00:00Z".parse().unwrap();
    let la = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    for k in 0..100 {
        let z = (t0 + jiff::SignedDuration::from_mins(15 * k)).to_zoned_datetime(la.clone());
        let _ = writeln!(
            meter_text,
            "{},80",
            z.timestamp().display_with_offset(z.offset())
        );
    }
    let meter = tmp("dst-meter.csv");
    std::fs::write(&meter, meter_text).unwrap();
    let meter_s = meter.display().to_string();
    let out = tmp("out-dst");
    let (code, _, stderr) = compare(&[&sessions], ["--meter", &meter_s], &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let slots = std::fs::read_to_string(out.join("slots.csv")).unwrap();
    let rows = slots
        .lines()
        .filter(|l| l.starts_with("reqcharge,"))
        .count();
    assert_eq!(rows, 100, "{}", &slots[..200]);
    assert!(slots.contains(",2019-11-03T01:00:00-07:00,"));
    assert!(slots.contains(",2019-11-03T01:00:00-08:00,"));
    assert!(slots.contains(",2019-11-03T23:45:00-08:00,"));
    let outcome = std::fs::read_to_string(out.join("sessions.csv")).unwrap();
    assert!(outcome.contains("2019-11-03T05:00:00-08:00"), "{outcome}");
    // One clock per site: a --time-zone other than the tariff's is refused.
    let (code, _, stderr) = compare(
        &[&sessions],
        ["--meter", &meter_s],
        &tmp("out-dst-2"),
        &["--time-zone", "Europe/Paris"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("time-zone"), "{stderr}");
    for p in [sessions, meter] {
        std::fs::remove_file(p).ok();
    }
}
