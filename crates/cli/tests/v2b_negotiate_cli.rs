//! The `evmech v2b negotiate` contract, run through the real binary on the fixture's first day.

mod json_times;
use json_times::without_times;
use serde_json::Value;
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

fn negotiate(extra: &[&str], tag: &str) -> (i32, String, String, PathBuf) {
    let out = std::env::temp_dir().join(format!("evmech-negotiate-{tag}-{}", std::process::id()));
    let (sessions, building) = (
        data("caltech_2019-05_weekdays.csv"),
        data("doe_medium_office_la_hourly.csv"),
    );
    let out_s = out.display().to_string();
    let mut args = vec![
        "v2b",
        "negotiate",
        "--sessions",
        &sessions,
        "--building",
        &building,
        "--out",
        &out_s,
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
        out,
    )
}

const CONTRACT: [&str; 6] = [
    "building_cost_usd",
    "user_cost_usd_per_kwh",
    "monthly_user_cost_usd",
    "reject_pct",
    "missing_soc_kwh",
    "seconds_per_arrival",
];

#[test]
fn every_table_row_reports_the_contract_fields() {
    let (code, stdout, stderr, out) = negotiate(
        &[
            "--days",
            "1",
            "--scenarios",
            "2",
            "--charging-scenarios",
            "2",
            "--seed",
            "4",
        ],
        "all",
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary, written);
    let rows = [
        "building-only",
        "uncoordinated-free",
        "smart-free",
        "smart-fixed",
        "smart-utility",
        "menu",
        "consent",
        "consent-no-reject",
    ];
    for row in rows {
        let o = &summary[row];
        for field in CONTRACT {
            assert!(o[field].is_number(), "{row}.{field} missing: {o}");
        }
    }
    let get = |row: &str, field: &str| summary[row][field].as_f64().unwrap();
    assert_eq!(get("building-only", "reject_pct"), 0.0);
    assert_eq!(summary["building-only"]["arrivals"], 0);
    assert_eq!(get("smart-free", "user_cost_usd_per_kwh"), 0.0);
    assert!((get("smart-fixed", "user_cost_usd_per_kwh") - 0.178).abs() < 1e-9);
    // Without reject, only "no charger" rejects remain, as in the free rows.
    assert_eq!(
        get("consent-no-reject", "reject_pct"),
        get("smart-free", "reject_pct")
    );
    assert!(get("consent", "seconds_per_arrival") > 0.0);
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["days"], 1);
    assert_eq!(run["grid"], "slots");
    assert_eq!(run["history_records"], "arrivals");
    assert_eq!(run["future_users"], "committed");
    assert_eq!(run["time_grid"]["kind"], "slots");
    assert!(out.join("days.csv").exists());
    // slots.csv: every slot of the day for every row, net import = building + EVs, and the
    // highest net import of the day at or above the day's peak over the demand window.
    let slots = std::fs::read_to_string(out.join("slots.csv")).unwrap();
    let days = std::fs::read_to_string(out.join("days.csv")).unwrap();
    for policy in rows {
        let grid: Vec<f64> = slots
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[0] == policy)
            .map(|f| {
                let (b, e, g): (f64, f64, f64) = (
                    f[4].parse().unwrap(),
                    f[5].parse().unwrap(),
                    f[6].parse().unwrap(),
                );
                assert!((b + e - g).abs() < 1e-3, "{policy}: {f:?}");
                g
            })
            .collect();
        assert_eq!(grid.len(), 96, "{policy}");
        let peak: f64 = days
            .lines()
            .find(|l| l.starts_with(&format!("{policy},")))
            .and_then(|l| l.split(',').nth(3))
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            grid.iter().copied().fold(f64::MIN, f64::max) >= peak - 1e-3,
            "{policy}"
        );
    }
    let arrivals = std::fs::read_to_string(out.join("arrivals.csv")).unwrap();
    let mut lines = arrivals.lines();
    assert_eq!(
        lines.next().unwrap(),
        "policy,date,session_id,slot,served,level,reduction_kwh,delay_minutes,quote_usd,price_usd_per_kwh,reduction_pct,acceptance_utility_usd,best_offer_usd,external_cost_usd"
    );
    assert!(lines.all(|l| l.split(',').count() == 14));
    assert_eq!(run["settlement"], "escrow");
    // The ledger: one line per decided arrival and policy, the menus' options in columns, and
    // per month what the EVs added, what users paid and the decomposition of the difference.
    let ledger = std::fs::read_to_string(out.join("ledger.csv")).unwrap();
    let header: Vec<&str> = ledger.lines().next().unwrap().split(',').collect();
    for column in [
        "policy",
        "cost_without_usd",
        "planned_marginal_usd",
        "paid_usd",
        "hindsight_marginal_usd",
        "option3_price_usd",
    ] {
        assert!(header.contains(&column), "{column} missing: {header:?}");
    }
    let decided: usize = rows
        .iter()
        .map(|r| {
            summary[*r]["served"].as_u64().unwrap() as usize
                + summary[*r]["declined"].as_u64().unwrap() as usize
        })
        .sum();
    assert_eq!(ledger.lines().count(), 1 + decided);
    let months = std::fs::read_to_string(out.join("ledger_months.csv")).unwrap();
    assert_eq!(months.lines().count(), 1 + rows.len());
    for row in rows {
        let m = &summary[row]["ledger"][0];
        let net = m["net_cost_of_evs_usd"].as_f64().unwrap();
        let added = m["ev_added_cost_usd"].as_f64().unwrap();
        let paid = m["payments_usd"].as_f64().unwrap();
        assert!((net - (added - paid)).abs() < 1e-6, "{row}: {m}");
        if m["credits_paid_usd"].as_f64().unwrap() > 1e-6 {
            assert!(net <= 1e-6, "{row}: escrow paid an unearned credit: {m}");
        }
        // The month planned with hindsight is a lower bound on what the run added.
        if row == "consent" {
            assert!(m["hindsight_month_added_cost_usd"].is_f64(), "{m}");
        }
        if let Some(bound) = m["hindsight_month_added_cost_usd"].as_f64() {
            assert!(bound <= added + 1e-6, "{row}: {m}");
            let kwh = m["energy_added_kwh"].as_f64().unwrap();
            match m["break_even_usd_per_kwh"].as_f64() {
                Some(floor) => assert!((floor * kwh - bound).abs() < 1e-3, "{row}: {m}"),
                None => assert_eq!(kwh, 0.0, "{row}: {m}"),
            }
            if let Some(price) = m["user_usd_per_kwh"].as_f64() {
                assert!((price * kwh - paid).abs() < 1e-3, "{row}: {m}");
            }
            // The demand part of `A - M`: the run's demand charges above the month plan's.
            let plan_demand = m["hindsight_month_demand_usd"].as_f64().unwrap();
            let run_demand = m["demand_cost_usd"].as_f64().unwrap();
            let gap = m["demand_gap_usd"].as_f64().unwrap();
            assert!(
                (gap - (run_demand - plan_demand)).abs() < 1e-3,
                "{row}: {m}"
            );
            assert!(
                m["hindsight_month_peak_kw"].as_f64().unwrap() > 0.0,
                "{row}: {m}"
            );
            assert!(m["peak_kw"].as_f64().unwrap() > 0.0, "{row}: {m}");
        }
    }
    // One month: its users' numbers are the episode's.
    for row in ["menu", "consent"] {
        let users = &summary[row]["months"][0]["users"];
        assert!((users["reject_pct"].as_f64().unwrap() - get(row, "reject_pct")).abs() < 1e-9);
        let per_kwh = users["user_cost_usd_per_kwh"].as_f64().unwrap();
        assert!(
            (per_kwh - get(row, "user_cost_usd_per_kwh")).abs() < 1e-9,
            "{users}"
        );
    }
    let terms = &summary["consent"]["ledger"][0]["gap_terms"];
    let sum: f64 = [
        "dispatch_usd",
        "interaction_usd",
        "forecast_usd",
        "pricing_rule_usd",
        "settlement_usd",
    ]
    .iter()
    .map(|k| terms[*k].as_f64().unwrap())
    .sum();
    let net = summary["consent"]["ledger"][0]["net_cost_of_evs_usd"]
        .as_f64()
        .unwrap();
    assert!((sum - net).abs() < 1e-6, "{terms}");
    figures_from(&out);
    let _ = std::fs::remove_dir_all(out);
}

/// `v2b figures` on the arrivals the run wrote: five SVG files; a policy without arrivals and
/// a malformed file exit 2 naming what is wrong.
fn figures_from(out: &std::path::Path) {
    let arrivals = out.join("arrivals.csv").display().to_string();
    let figs = out.join("figs").display().to_string();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_evmech"))
            .args(["v2b", "figures"])
            .args(args)
            .output()
            .expect("binary runs");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (code, stdout, stderr) = run(&["--arrivals", &format!("seed4={arrivals}"), "--out", &figs]);
    assert_eq!(code, 0, "{stderr}");
    let listed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(listed["figures"].as_array().unwrap().len(), 5);
    for f in listed["figures"].as_array().unwrap() {
        let svg = std::fs::read_to_string(f.as_str().unwrap()).unwrap();
        assert!(svg.starts_with("<svg"), "{f}");
    }
    let (code, _, stderr) = run(&[
        "--arrivals",
        &arrivals,
        "--policy",
        "auction",
        "--out",
        &figs,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("policy"), "{stderr}");
    let bad = out.join("bad.csv");
    std::fs::write(&bad, "policy,served\nconsent,maybe\n").unwrap();
    let (code, _, stderr) = run(&["--arrivals", &bad.display().to_string(), "--out", &figs]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_and_name_the_argument() {
    let mut cases = vec![
        (vec!["--alpha", "1.5"], "alpha"),
        (vec!["--profile", "lazy"], "profile"),
        (vec!["--policies", "consent,auction"], "auction"),
        (vec!["--backend", "gurobi"], "backend"),
        (vec!["--grid", "weekly"], "grid"),
        (vec!["--threads", "0"], "threads"),
        (vec!["--settlement", "never"], "settlement"),
        (vec!["--menu-rule", "tou"], "menu_rule"),
        (vec!["--history-records", "agreed"], "history-records"),
        (vec!["--future-users", "sometimes"], "future-users"),
    ];
    // A backend this build was compiled without is refused before any work, naming it.
    if cfg!(not(feature = "cbc")) {
        cases.push((vec!["--backend", "cbc"], "--features cbc"));
    }
    for (extra, needle) in cases {
        let (code, _, stderr, out) = negotiate(&extra, "bad");
        assert_eq!(code, 2, "{extra:?}: {stderr}");
        assert!(stderr.contains(needle), "{extra:?}: {stderr}");
        let _ = std::fs::remove_dir_all(out);
    }
}

#[test]
fn the_charging_grid_history_records_and_future_users_are_chosen_by_name() {
    let (code, stdout, stderr, out) = negotiate(
        &[
            "--days",
            "1",
            "--policies",
            "smart-free",
            "--charging-scenarios",
            "2",
            "--grid",
            "hourly",
            "--history-records",
            "served",
            "--future-users",
            "outside-option",
        ],
        "hourly",
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["grid"], "hourly");
    assert_eq!(run["history_records"], "served");
    assert_eq!(run["future_users"], "outside-option");
    assert_eq!(run["time_grid"]["kind"], "coarse");
    let default_backend = if cfg!(feature = "highs") {
        "highs"
    } else {
        "cbc"
    };
    assert_eq!(run["backend"], default_backend);
    assert!(run["threads"].as_u64().unwrap() >= 1);
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert!(summary["smart-free"]["missing_soc_kwh"].as_f64().unwrap() < 1e-6);
    let _ = std::fs::remove_dir_all(out);
}

/// The rows run side by side and each CONSENT menu solves its levels side by side, each level's
/// solves in a fixed order on its own kept model: one and two threads give the same summary
/// (times aside) and the same per-session and ledger files, byte for byte.
#[test]
fn one_and_two_threads_give_the_same_results() {
    let run = |threads: &str| {
        let (code, stdout, stderr, out) = negotiate(
            &[
                "--days",
                "1",
                "--policies",
                "menu,consent",
                "--scenarios",
                "3",
                "--charging-scenarios",
                "2",
                "--grid",
                "hourly",
                "--threads",
                threads,
            ],
            &format!("threads{threads}"),
        );
        assert_eq!(code, 0, "stderr: {stderr}");
        let mut summary: Value = serde_json::from_str(&stdout).unwrap();
        without_times(&mut summary);
        let file = |name: &str| std::fs::read(out.join(name)).unwrap();
        let files = (file("sessions.csv"), file("ledger.csv"), file("days.csv"));
        let _ = std::fs::remove_dir_all(&out);
        (summary, files)
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one.0["consent"]["arrivals"].as_u64().unwrap() > 0);
    assert_eq!(one.0, two.0);
    assert_eq!(one.1, two.1);
}
