//! The `evmech two-stage` JSON contract, run through the real binary.

use serde_json::{json, Value};
use std::io::Write;
use std::process::Command;

fn run(input: &str) -> (i32, String, String) {
    let mut file = tempfile();
    file.1.write_all(input.as_bytes()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(["two-stage", "--input"])
        .arg(&file.0)
        .output()
        .expect("binary runs");
    std::fs::remove_file(&file.0).ok();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn tempfile() -> (std::path::PathBuf, std::fs::File) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "evmech-cli-test-{}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let file = std::fs::File::create(&path).unwrap();
    (path, file)
}

const README_INPUT: &str = include_str!("../../../examples/data/two_stage.json");

#[test]
fn readme_instance_gives_the_documented_output() {
    let (code, stdout, stderr) = run(README_INPUT);
    assert_eq!(code, 0, "stderr: {stderr}");
    let got: Value = serde_json::from_str(&stdout).unwrap();
    let expected = json!({
        "day_ahead": {"allocation": {"ev1": "A", "ev2": null}, "payments": {"ev1": 0, "ev2": 0},
                      "reserve_prices": {"A": 0, "B": 0}, "welfare": 6},
        "real_time": {"allocation": {"ev1": "A", "ev2": "B"}, "payments": {"ev1": 0, "ev2": 0},
                      "welfare": 7, "optimal_welfare": 7, "revenue": 0,
                      "reservation_awareness_slack": {"ev1": 0, "ev2": 5}}
    });
    assert_eq!(got, expected);
}

#[test]
fn every_mechanism_and_reserve_rule_runs() {
    for mech in ["posted-price", "vcg-scratch", "vcg-endowment", "none"] {
        for reserve in ["vcg", "max-walrasian", "zero"] {
            let input = format!(
                r#"{{"sessions": ["A", "B"],
                 "evs": [{{"id": "e1", "da_values": {{"A": 6, "B": 3}}, "rt_values": {{"A": 2, "B": 6}}}},
                         {{"id": "e2", "da_values": {{"A": 4, "B": 1}}, "rt_values": {{"A": 1, "B": 5}}}},
                         {{"id": "e3", "da_values": {{"A": 2, "B": 2}}, "rt_values": {{"A": 2, "B": 2}}}}],
                 "rt": {{"mechanism": "{mech}", "reserve": "{reserve}"}}}}"#
            );
            let (code, stdout, stderr) = run(&input);
            assert_eq!(code, 0, "{mech}/{reserve}: {stderr}");
            let v: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(v["day_ahead"]["welfare"], json!(8));
            assert_eq!(v["real_time"]["optimal_welfare"], json!(8));
        }
    }
}

#[test]
fn vcg_endowment_reports_the_t2_deficit() {
    let input = r#"{"sessions": ["A"],
        "evs": [{"id": "a", "da_values": {"A": 1}, "rt_values": {"A": 1}},
                {"id": "b", "rt_values": {"A": 3}}],
        "rt": {"mechanism": "vcg-endowment"}}"#;
    let (code, stdout, _) = run(input);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["real_time"]["payments"], json!({"a": -3, "b": 1}));
    assert_eq!(v["real_time"]["revenue"], json!(-2));
}

fn assert_refused(input: &str, field: &str) {
    let (code, stdout, stderr) = run(input);
    assert_eq!(code, 2, "stdout: {stdout}");
    assert!(
        stderr.contains(field),
        "message {stderr:?} does not name {field}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a", "rt_values": {"A": -1}}]}"#,
        "evs[0].rt_values.A",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a", "rt_values": {"C": 1}}]}"#,
        "evs[0].rt_values.C",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a"}, {"id": "a"}]}"#,
        "evs[1].id",
    );
    assert_refused(r#"{"sessions": ["A", "A"], "evs": []}"#, "sessions[1]");
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a"}, {"id": "b"}], "rt": {"order": ["a", "a"]}}"#,
        "rt.order[1]",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a"}, {"id": "b"}], "rt": {"order": ["a"]}}"#,
        "rt.order",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a"}], "rt": {"order": ["z"]}}"#,
        "rt.order[0]",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [], "rt": {"mechanism": "auction"}}"#,
        "rt.mechanism",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [{"id": "a", "da_values": {"A": "x"}}]}"#,
        "evs[0].da_values.A",
    );
    assert_refused(
        r#"{"sessions": ["A"], "evs": [], "rt": {"mechanism": "vcg-scratch", "swaps": "trading-cycles"}}"#,
        "rt.swaps",
    );
    assert_refused(r#"{"sessions": ["A"], "evz": []}"#, "evz");
    assert_refused("{not json", "line 1");
}

#[test]
fn missing_file_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(["two-stage", "--input", "/nonexistent/evmech.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A dense market of `n` EVs and `n` sessions with values from a fixed linear congruential
/// sequence (ties are rare, so the outcome exercises the whole search).
fn dense_market(n: usize, mechanism: &str) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % 1000
    };
    let sessions: Vec<String> = (0..n).map(|s| format!("\"S{s}\"")).collect();
    let mut values = |_: usize| -> String {
        let entries: Vec<String> = (0..n).map(|s| format!("\"S{s}\": {}", next())).collect();
        format!("{{{}}}", entries.join(", "))
    };
    let evs: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id": "e{i}", "da_values": {}, "rt_values": {}}}"#,
                values(i),
                values(i)
            )
        })
        .collect();
    format!(
        r#"{{"sessions": [{}], "evs": [{}], "rt": {{"mechanism": "{mechanism}"}}}}"#,
        sessions.join(", "),
        evs.join(", ")
    )
}

/// The endowment pivot runs one search per holder on the rayon pool, each into its own slot:
/// the output is the same, byte for byte, on 1, 2 and 3 threads, for every real-time mechanism.
#[test]
fn the_same_market_gives_the_same_output_on_any_thread_count() {
    for mechanism in ["vcg-endowment", "vcg-scratch", "posted-price"] {
        let input = dense_market(40, mechanism);
        let mut file = tempfile();
        file.1.write_all(input.as_bytes()).unwrap();
        let outputs: Vec<Vec<u8>> = ["1", "2", "3"]
            .iter()
            .map(|threads| {
                let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
                    .args(["two-stage", "--input"])
                    .arg(&file.0)
                    .env("RAYON_NUM_THREADS", threads)
                    .output()
                    .expect("binary runs");
                assert_eq!(out.status.code(), Some(0), "{mechanism}");
                out.stdout
            })
            .collect();
        std::fs::remove_file(&file.0).ok();
        assert!(outputs[0].len() > 1000, "{mechanism}: a whole outcome");
        assert_eq!(outputs[0], outputs[1], "{mechanism}: 1 and 2 threads");
        assert_eq!(outputs[0], outputs[2], "{mechanism}: 1 and 3 threads");
    }
}
