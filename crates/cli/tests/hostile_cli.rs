//! Careless and hostile invocations: every one is answered with a typed refusal (exit 2, the
//! field named) or a result, never a panic, and arguments are checked before any work starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn evmech(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn temp(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("evmech-hostile-{tag}-{}", std::process::id()))
}

fn write(tag: &str, body: &str) -> PathBuf {
    let path = temp(tag);
    std::fs::write(&path, body).expect("temp file");
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn data(name: &str) -> String {
    format!("{}/../v2b-control/tests/data/{name}", manifest_dir())
}

fn two_stage(path: &Path) -> Output {
    evmech(&["two-stage", "--input", &path.display().to_string()])
}

#[test]
fn a_repeated_key_is_refused_naming_where() {
    let path = write(
        "dup.json",
        r#"{"sessions": ["A", "B"], "evs": [{"id": "e", "rt_values": {"A": 1, "B": 2, "A": 5}}]}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("evs[0].rt_values"), "{err}");
    assert!(err.contains("\"A\" appears twice"), "{err}");
}

#[test]
fn anything_after_the_json_value_is_refused() {
    let path = write(
        "two.json",
        r#"{"sessions": ["A"], "evs": [{"id": "e", "rt_values": {"A": 1}}]} {"sessions": []}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("one JSON value"), "{}", stderr(&o));
    // Trailing whitespace is fine.
    let path = write(
        "ws.json",
        "{\"sessions\": [\"A\"], \"evs\": [{\"id\": \"e\", \"rt_values\": {\"A\": 1}}]}\n\n  \n",
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_closed_stderr_does_not_turn_a_refusal_into_a_panic() {
    // `2>&-`: writing the message fails; the exit code must still be the refusal's.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" two-stage --input /nonexistent/evmech.json 2>&-",
            env!("CARGO_BIN_EXE_evmech")
        ))
        .output()
        .expect("sh runs");
    assert_eq!(o.status.code(), Some(2));
}

fn compare(extra: &[&str], out: &str) -> Output {
    let sessions = data("caltech_2019-05_weekdays.csv");
    let building = data("doe_medium_office_la_hourly.csv");
    let mut args = vec![
        "v2b",
        "compare",
        "--sessions",
        &sessions,
        "--building",
        &building,
        "--policies",
        "maxcharge",
        "--days",
        "1",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    evmech(&args)
}

#[test]
fn an_output_directory_that_cannot_be_made_is_refused_before_the_run() {
    // A regular file where a directory is needed (root ignores permissions, this it cannot).
    let blocker = write("blocker", "not a directory");
    let out = blocker.join("out");
    let o = compare(&[], &out.display().to_string());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("out: cannot write to"), "{err}");
}

#[test]
fn a_plot_day_beyond_the_episode_is_refused_before_anything_is_written() {
    let out = temp("plotday");
    let _ = std::fs::remove_dir_all(&out);
    let o = compare(&["--plot-day", "5"], &out.display().to_string());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("plot-day"), "{err}");
    assert!(err.contains("1 days"), "{err}");
    assert!(
        !out.join("summary.json").exists(),
        "nothing is simulated or written"
    );
}

#[test]
fn a_value_beyond_the_documented_range_is_refused_not_summed_to_null() {
    let path = write(
        "huge.json",
        r#"{"sessions": ["A", "B"], "evs": [{"id": "e", "rt_values": {"A": 1e308, "B": 1e308}},
            {"id": "f", "rt_values": {"A": 1e308}}]}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("evs[0].rt_values.A"), "{err}");
    assert!(err.contains("between 0 and 1e9"), "{err}");
    // The bound itself is accepted and every number printed is finite.
    let path = write(
        "bound.json",
        r#"{"sessions": ["A", "B"], "evs": [{"id": "e", "rt_values": {"A": 1e9, "B": 1e9}},
            {"id": "f", "rt_values": {"A": 1e9, "B": 1e9}}]}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(out["real_time"]["welfare"], 2_000_000_000i64, "{out}");
    assert_eq!(
        out["real_time"]["optimal_welfare"], 2_000_000_000i64,
        "{out}"
    );
}

#[test]
fn a_session_named_twice_in_one_values_map_is_refused() {
    let path = write(
        "dupval.json",
        r#"{"sessions": ["A"], "evs": [{"id": "e", "da_values": {"A": 1, "A": 3}}]}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("evs[0].da_values.A"), "{}", stderr(&o));
    // A repeated struct field is refused by the typed reader too.
    let path = write(
        "dupfield.json",
        r#"{"sessions": ["A"], "evs": [{"id": "e", "id": "f", "rt_values": {"A": 1}}]}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("duplicate field"), "{}", stderr(&o));
}

#[test]
fn the_dense_matrix_form_gives_the_same_outcome_as_the_named_maps() {
    let named = write(
        "named.json",
        r#"{"sessions": ["A", "B"],
            "evs": [{"id": "ev1", "da_values": {"A": 6, "B": 3}, "rt_values": {"A": 2, "B": 6}},
                    {"id": "ev2", "rt_values": {"A": 1, "B": 5}}],
            "rt": {"mechanism": "vcg-endowment"}}"#,
    );
    let dense = write(
        "dense.json",
        r#"{"sessions": ["A", "B"], "evs": [{"id": "ev1"}, {"id": "ev2"}],
            "da_matrix": [[6, 3], null], "rt_matrix": [[2, 6], [1, 5]],
            "rt": {"mechanism": "vcg-endowment"}}"#,
    );
    let (a, b) = (two_stage(&named), two_stage(&dense));
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_malformed_dense_matrix_is_refused_naming_the_row_or_cell() {
    let cases = [
        (
            r#""rt_matrix": [[2, 6]]"#,
            "rt_matrix: has 1 rows; there are 2 EVs",
        ),
        (
            r#""rt_matrix": [[2, 6], [1]]"#,
            "rt_matrix[1]: has 1 values; there are 2 sessions",
        ),
        (
            r#""rt_matrix": [[2, 6], [1, -5]]"#,
            "rt_matrix[1][1]: value must be between",
        ),
        (
            r#""da_matrix": [null, [1, 2e9]]"#,
            "da_matrix[1][1]: value must be between",
        ),
    ];
    for (matrix, message) in cases {
        let path = write(
            "badmatrix.json",
            &format!(
                r#"{{"sessions": ["A", "B"], "evs": [{{"id": "x"}}, {{"id": "y"}}], {matrix}}}"#
            ),
        );
        let o = two_stage(&path);
        assert_eq!(o.status.code(), Some(2), "{matrix}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{matrix}: {}", stderr(&o));
    }
    // One stage's values in both forms is ambiguous.
    let path = write(
        "both.json",
        r#"{"sessions": ["A"], "evs": [{"id": "x", "rt_values": {"A": 1}}], "rt_matrix": [[2]]}"#,
    );
    let o = two_stage(&path);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("evs[0].rt_values"), "{}", stderr(&o));
}

#[test]
fn a_copositive_number_beyond_its_range_is_refused_before_any_solver_sees_it() {
    let example = std::fs::read_to_string(format!(
        "{}/../../examples/data/copositive_example_a.json",
        manifest_dir()
    ))
    .expect("example A");
    let huge = example.replace("[0.1, 0.1]", "[0.1, 1e25]");
    assert_ne!(huge, example);
    let path = write("cop_huge.json", &huge);
    let o = evmech(&["copositive", "--input", &path.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("energy_price[1]"), "{}", stderr(&o));
}

/// Values within a hair of the prices (every margin below 1e-5 of the prices) leave the
/// margins below the solvers' rounding: refused naming the largest price or value.
#[test]
fn values_within_a_hair_of_the_prices_are_refused_naming_the_largest() {
    let body = r#"{"slot_hours": 1.0, "energy_price": [0.3, 0.3],
      "stations": [{"id": "A", "evse": 1, "power_kw": 10}],
      "evs": [{"id": "ev0", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": 10,
               "max_kw": 7, "value_per_kwh": 0.3000000001}]}"#;
    let path = write("cop_hair.json", body);
    let o = evmech(&["copositive", "--input", &path.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("evs[0].value_per_kwh"),
        "{}",
        stderr(&o)
    );
    // A margin of a tenth of a cent is an ordinary instance.
    let path = write("cop_cent.json", &body.replace("0.3000000001", "0.301"));
    let o = evmech(&["copositive", "--input", &path.display().to_string()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `--stations 0` keeps no station: refused naming the flag, not reported as a file with no
/// sessions.
#[test]
fn zero_stations_are_refused_naming_the_flag() {
    let out = temp("zerostations");
    let o = compare(&["--stations", "0"], &out.display().to_string());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("stations"), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
}
