//! The `evmech copositive` JSON contract, run through the real binary.

mod json_times;
use json_times::without_times;
use serde_json::Value;
use std::process::Command;

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn run_json(input: &str) -> (i32, String, String) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "evmech-copositive-test-{}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(["copositive", "--input"])
        .arg(&path)
        .output()
        .expect("binary runs");
    std::fs::remove_file(&path).ok();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn example(name: &str, extra: &str) -> String {
    let path = format!("{}/../../examples/data/{name}", manifest_dir());
    let text = std::fs::read_to_string(path).unwrap();
    let trimmed = text.trim_end().trim_end_matches('}');
    format!("{trimmed}{extra}}}")
}

#[test]
fn example_b_output_has_every_contract_key() {
    let (code, stdout, stderr) = run_json(&example(
        "copositive_example_b.json",
        r#", "cone": "psd-nn", "lift": "reduced", "payment": "cmp-b""#,
    ));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "status",
        "welfare",
        "dual_bound",
        "gap",
        "assignment",
        "energy",
        "prices",
        "payments",
        "net_utility",
        "max_deviation_gain",
        "operator_surplus",
        "certificate",
        "solve_seconds",
        "benchmarks",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in ["min_eig_psd", "min_nn", "gap"] {
        assert!(v["certificate"][key].is_number(), "certificate.{key}");
    }
    // Example B's largest slot energy is 7 kWh (7 kW for an hour): the solver's energy unit.
    assert_eq!(v["solver_units"]["energy_kwh"], 7.0);
    assert!(v["solver_units"]["money_usd"].as_f64().unwrap() > 0.0);
    for bench in ["tou", "lp", "ip"] {
        for key in ["payments", "max_deviation_gain", "operator_surplus"] {
            assert!(
                v["benchmarks"][bench].get(key).is_some(),
                "benchmarks.{bench}.{key}"
            );
        }
    }
    assert!(matches!(
        v["status"].as_str(),
        Some("solved") | Some("inaccurate")
    ));
    assert!((v["welfare"].as_f64().unwrap() - 13.3).abs() < 1e-6);
    assert_eq!(v["assignment"]["ev1"], "B");
    assert_eq!(v["energy"]["ev0"].as_array().unwrap().len(), 4);
    for gain in v["max_deviation_gain"].as_object().unwrap().values() {
        assert!(gain.as_f64().unwrap() <= 1e-3);
    }
    // TOU lost opportunity costs of the spec: EV1 0.8, EV2 0.4.
    let tou = &v["benchmarks"]["tou"]["max_deviation_gain"];
    assert!((tou["ev1"].as_f64().unwrap() - 0.8).abs() < 1e-4);
    assert!((tou["ev2"].as_f64().unwrap() - 0.4).abs() < 1e-4);
    for p in v["prices"].as_array().unwrap() {
        assert!(matches!(p["row"].as_str(), Some("power") | Some("evse")));
        assert!(p["rho"].as_f64().unwrap() >= 0.0 && p["eta"].as_f64().unwrap() >= 0.0);
        assert!(p["slot"].as_u64().unwrap() < 4);
    }
}

#[test]
fn defaults_apply_when_options_are_missing() {
    let (code, stdout, stderr) = run_json(&example("copositive_example_a.json", ""));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["payment_rule"], "cmp-b");
    assert!((v["welfare"].as_f64().unwrap() - 6.0).abs() < 1e-6);
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    let bad = |extra: &str, replace: (&str, &str), field: &str| {
        let input = example("copositive_example_a.json", extra).replace(replace.0, replace.1);
        let (code, _, stderr) = run_json(&input);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(field), "{stderr:?} does not name {field}");
    };
    bad(r#", "cone": "magic""#, ("", ""), "cone");
    bad(r#", "lift": "tall""#, ("", ""), "lift");
    bad(r#", "payment": "cmp-z""#, ("", ""), "payment");
    bad("", (r#""B": 0.5"#, r#""Z": 0.5"#), "evs[0].access_cost.Z");
    bad(
        "",
        (r#""departure_slot": 2"#, r#""departure_slot": 5"#),
        "evs[0].departure_slot",
    );
    bad(
        "",
        (r#""energy_kwh": 7"#, r#""energy_kwh": -7"#),
        "evs[0].energy_kwh",
    );
    bad("", (r#""evse": 1"#, r#""evse": -1"#), "stations[0].evse");
    bad(r#", "colour": 1"#, ("", ""), "colour");
    for limit in ["0", "-1", "1e999", "\"soon\""] {
        bad(
            &format!(r#", "time_limit_s": {limit}"#),
            ("", ""),
            "time_limit_s",
        );
    }
    // The linear cone certifies the linear lift only.
    bad(r#", "cone": "linear", "lift": "reduced""#, ("", ""), "lift");
    for threads in ["0", "-1", "1.5", "\"all\""] {
        bad(
            &format!(r#", "solver_threads": {threads}"#),
            ("", ""),
            "solver_threads",
        );
    }
}

/// Example B's dual is degenerate: before each conic solve ran on one KKT thread, its prices and
/// payments moved with the thread count. Now the JSON is the same, byte for byte (times aside),
/// on 1, 2 and 3 threads; so is Example C's, and an instance of two components (a morning and an
/// afternoon that share no station-slot row), which are priced side by side.
#[test]
fn the_same_input_gives_the_same_json_on_any_thread_count() {
    let two = format!("{}/tests/copositive_two_components.json", manifest_dir());
    let ex = |name: &str| format!("{}/../../examples/data/{name}", manifest_dir());
    // Example C with LP certificates per region (a tree of regions per component).
    let linear = std::env::temp_dir().join(format!("evmech_linear_c_{}.json", std::process::id()));
    std::fs::write(
        &linear,
        example("copositive_example_c.json", r#", "cone": "linear""#),
    )
    .unwrap();
    let linear = linear.display().to_string();
    for path in [
        ex("copositive_example_b.json"),
        ex("copositive_example_c.json"),
        two,
        linear,
    ] {
        let name = path.rsplit('/').next().unwrap_or_default().to_string();
        let outputs: Vec<String> = ["1", "2", "3"]
            .iter()
            .map(|threads| {
                let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
                    .args(["copositive", "--input", &path])
                    .env("RAYON_NUM_THREADS", threads)
                    .output()
                    .expect("binary runs");
                assert_eq!(out.status.code(), Some(0), "{name} on {threads} threads");
                let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
                if name.contains("two_components") {
                    assert_eq!(v["components"].as_array().map(Vec::len), Some(2));
                }
                without_times(&mut v);
                v.to_string()
            })
            .collect();
        assert_eq!(outputs[0], outputs[1], "{name}: 1 and 2 threads");
        assert_eq!(outputs[0], outputs[2], "{name}: 1 and 3 threads");
    }
}

/// `cone: "linear"`: LP certificates per region, exact on Example C, linear prices (`eta` 0)
/// in every region, no user gaining from a deviation.
#[test]
fn linear_cone_in_the_contract() {
    let (code, stdout, stderr) = run_json(&example(
        "copositive_example_c.json",
        r#", "cone": "linear", "lift": "linear", "time_limit_s": 60"#,
    ));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["exact"], true);
    assert_eq!(v["status"], "solved");
    assert_eq!(v["stopped_by"], "closed");
    assert_eq!(v["method"], "branch");
    let regions = v["regions"].as_array().unwrap();
    assert!(!regions.is_empty());
    for r in regions {
        for q in r["prices"].as_array().unwrap() {
            assert_eq!(q["eta"].as_f64(), Some(0.0), "{q}");
        }
        // Ruled-out choices: per EV id, the stations (null = opting out) the region excludes,
        // never of an EV whose choice the region fixes.
        let excluded = r["excluded"].as_object().expect("excluded");
        for (ev, list) in excluded {
            assert!(!list.as_array().unwrap().is_empty(), "{r}");
            assert!(!r["choices"].as_object().unwrap().contains_key(ev), "{r}");
        }
    }
    let tol = v["tolerance"].as_f64().unwrap();
    for (ev, gain) in v["max_deviation_gain"].as_object().unwrap() {
        assert!(gain.as_f64().unwrap() <= tol, "{ev}: {gain}");
    }
}

#[test]
fn sparse_cones_and_the_time_budget_in_the_contract() {
    let (code, stdout, stderr) = run_json(&example(
        "copositive_example_c.json",
        r#", "cone": "sparse", "time_limit_s": 600"#,
    ));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["exact"], true);
    assert_eq!(v["stopped_by"], "closed");
    assert_eq!(v["components"][0]["stopped_by"], "closed");
    // The certificate is proven (repaired if need be); the solver's own status is beside it.
    assert_eq!(v["status"], "solved");
    assert!(v["components"][0]["solver_status"].is_string());
    assert!(v["components"][0]["repair"].as_f64().unwrap() >= 0.0);
    let (code, stdout, stderr) = run_json(&example(
        "copositive_example_c.json",
        r#", "cone": "sparse-psd-nn""#,
    ));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["exact"], false);
    assert_eq!(v["stopped_by"], "tightening-off");
    assert_eq!(v["method"], "sparse-psd-nn");
    assert!(v["gap"].as_f64().unwrap() > 0.1);
}

#[test]
fn example_c_is_exact_by_default_and_loose_with_psd_nn_only() {
    let (code, stdout, stderr) = run_json(&example("copositive_example_c.json", ""));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["exact"], true);
    assert_eq!(v["method"], "branch");
    assert!(v["gap"].as_f64().unwrap().abs() <= 1e-4 * 7.21);
    assert!(v["epsilon_ir"].as_f64().unwrap() <= 1e-4 * 7.21);
    let regions = v["regions"].as_array().unwrap();
    assert!(regions.len() >= 3, "{regions:?}");
    assert_eq!(
        regions
            .iter()
            .filter(|r| r["contains_optimum"] == true)
            .count(),
        1
    );
    // Every region fixes EV 0's choice (some also another EV's).
    for r in regions {
        assert!(r["choices"].as_object().unwrap().contains_key("ev0"), "{r}");
    }
    assert_eq!(v["components"][0]["method"], "branch");
    for gain in v["max_deviation_gain"].as_object().unwrap().values() {
        assert!(gain.as_f64().unwrap() <= 1e-3);
    }
    let (code, stdout, stderr) = run_json(&example(
        "copositive_example_c.json",
        r#", "cone": "psd-nn""#,
    ));
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["exact"], false);
    assert_eq!(v["method"], "psd-nn");
    let gap = v["gap"].as_f64().unwrap();
    assert!(gap > 0.1);
    assert!((v["epsilon_ir"].as_f64().unwrap() - gap).abs() < 1e-9);
    assert!(v["regions"].as_array().unwrap().is_empty());
}
