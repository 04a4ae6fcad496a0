//! Random, structurally valid but extreme two-stage and copositive instances through the real
//! binary: every run answers with exit 0 (and JSON without NaN, infinity or `null` where a number
//! belongs) or exit 2 naming a field; never a panic, a crash in a C library or another code.

mod common;

use proptest::prelude::*;
use std::process::Command;

/// Numbers from every scale a careless user may type: zero, tiny, huge, near the limits of
/// `f64`, negative.
fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(1e-300),
        Just(1e-9),
        Just(1e9),
        Just(1e9 + 1.0),
        Just(1e25),
        Just(1e300),
        Just(-1.0),
    ]
}

/// `len` ordinary numbers with one or two extreme ones put in at random places, so that about
/// half the instances are valid and reach the solvers with an extreme number in them.
fn numbers(len: usize) -> impl Strategy<Value = Vec<f64>> {
    (
        proptest::collection::vec(0.1..10.0f64, len),
        proptest::collection::vec((0..len, extreme()), 1..=2),
    )
        .prop_map(|(mut xs, extremes)| {
            for (at, x) in extremes {
                xs[at] = x;
            }
            xs
        })
}

fn number_json(x: f64) -> String {
    // JSON has no literal for these; serde_json writes them as `null`.
    serde_json::to_string(&x).expect("a number")
}

fn run(command: &str, input: &str, tag: usize) -> (Option<i32>, String, String) {
    let path = std::env::temp_dir().join(format!(
        "evmech-extreme-{command}-{}-{tag}.json",
        std::process::id()
    ));
    std::fs::write(&path, input).expect("temp file");
    let out = Command::new(env!("CARGO_BIN_EXE_evmech"))
        .args([command, "--input"])
        .arg(&path)
        .output()
        .expect("binary runs");
    std::fs::remove_file(&path).ok();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A `null` is allowed only where the contract puts one (an allocation or station assignment
/// to nobody, a region's choice of opting out).
fn check(code: Option<i32>, stdout: &str, stderr: &str) -> Result<(), TestCaseError> {
    let null_ok = |path: &str| {
        path.contains("allocation") || path.contains("assignment") || path.contains(".choices.")
    };
    common::answered_or_refused(code, stdout, stderr, &null_ok)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn two_stage_answers_or_refuses(
        n in 1..5usize,
        m in 1..5usize,
        cells in numbers(50),
        mechanism in prop_oneof![
            Just("posted-price"), Just("vcg-scratch"), Just("vcg-endowment"), Just("none")
        ],
        tag in 0..1_000_000usize,
    ) {
        let mut k = 0;
        let mut next = || { k += 1; number_json(cells[k % cells.len()]) };
        let sessions: Vec<String> = (0..m).map(|j| format!("\"s{j}\"")).collect();
        let evs: Vec<String> = (0..n)
            .map(|i| {
                let da: Vec<String> = (0..m).map(|j| format!("\"s{j}\": {}", next())).collect();
                let rt: Vec<String> = (0..m).map(|j| format!("\"s{j}\": {}", next())).collect();
                format!(
                    r#"{{"id": "e{i}", "da_values": {{{}}}, "rt_values": {{{}}}}}"#,
                    da.join(", "),
                    rt.join(", ")
                )
            })
            .collect();
        let input = format!(
            r#"{{"sessions": [{}], "evs": [{}], "rt": {{"mechanism": "{mechanism}"}}}}"#,
            sessions.join(", "),
            evs.join(", ")
        );
        let (code, out, err) = run("two-stage", &input, tag);
        check(code, &out, &err)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn copositive_answers_or_refuses(
        numbers in numbers(12),
        tag in 0..1_000_000usize,
    ) {
        let x = |i: usize| number_json(numbers[i]);
        let input = format!(
            r#"{{"slot_hours": {}, "energy_price": [{}, {}],
                "stations": [{{"id": "A", "evse": 1, "power_kw": {}}},
                             {{"id": "B", "evse": 1, "power_kw": 14}}],
                "evs": [{{"id": "e0", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": {},
                          "max_kw": {}, "value_per_kwh": {}, "access_cost": {{"A": {}, "B": 0.5}}}},
                        {{"id": "e1", "arrival_slot": 0, "departure_slot": 2, "energy_kwh": {},
                          "max_kw": 7, "value_per_kwh": {}, "access_cost": {{"A": 0, "B": {}}}}}]}}"#,
            x(0), x(1), x(2), x(3), x(4), x(5), x(6), x(7), x(8), x(9), x(10)
        );
        let (code, out, err) = run("copositive", &input, tag);
        check(code, &out, &err)?;
    }
}
