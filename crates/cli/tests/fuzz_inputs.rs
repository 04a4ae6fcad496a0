//! A mutation fuzzer for every input parser, on stable Rust (`cargo fuzz` needs a nightly
//! toolchain). Not coverage-guided: each target starts from valid seed files and applies random
//! byte-level and token-level mutations (flips, deletions, duplications, splices, and numbers and
//! tokens that broke parsers before: 1e308, -0, NaN, empty strings, a second document ...). Every
//! input must come back as `Ok` or a typed error; a panic fails the test and writes the input to
//! `$TMPDIR/evmech-fuzz-<target>-<n>.bin` to become a regression test.
//!
//! CI runs a few thousand inputs per target. The long run (`docs/reliability.md` has its counts):
//! `EVMECH_FUZZ_INPUTS=1000000 cargo test --release -p evmech-cli --test fuzz_inputs -- --ignored --nocapture`

use evmech_cli::InputFormat;
use evmech_v2b_control::Site;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../{path}", manifest_dir())).expect("seed file")
}

/// The first `n` lines of a repository file.
fn head(path: &str, n: usize) -> Vec<u8> {
    let text = String::from_utf8(read(path)).unwrap();
    let lines: Vec<&str> = text.lines().take(n).collect();
    (lines.join("\n") + "\n").into_bytes()
}

/// Tokens worth putting anywhere: extreme and malformed numbers, JSON and CSV structure.
const TOKENS: &[&str] = &[
    "1e308",
    "-1e308",
    "1e-320",
    "-0",
    "NaN",
    "inf",
    "1e400",
    "0",
    "-1",
    "18446744073709551616",
    "\"\"",
    "null",
    "true",
    "[]",
    "{}",
    ",",
    ":",
    "\"",
    "\n",
    "\r\n",
    ",,",
    "2019-02-29",
    "2019-05-01T25:61:00-07:00",
    "+05:30",
    "Z",
    "\u{feff}",
    "\u{0}",
    "ÿ",
    "{\"a\": 1}",
];

/// The span of the first number at or after `from` (digits with a sign, point or exponent).
fn number_at(input: &[u8], from: usize) -> Option<(usize, usize)> {
    let start = from + input.get(from..)?.iter().position(u8::is_ascii_digit)?;
    let part = |b: &u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+');
    let end = start + input[start..].iter().take_while(|b| part(b)).count();
    Some((start, end))
}

/// One random mutation of `input` (another seed of the target may be spliced in). Half the
/// inputs only have numbers replaced by extreme ones, so they stay well-formed and reach the
/// validation behind the parser; the other half get any mutation.
fn mutate(rng: &mut ChaCha8Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    let numbers_only = rng.random_bool(0.5);
    for _ in 0..rng.random_range(1..=4) {
        let at = rng.random_range(0..=out.len());
        let op = if numbers_only {
            5
        } else {
            rng.random_range(0..7)
        };
        match op {
            0 if !out.is_empty() => {
                let i = rng.random_range(0..out.len());
                out[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())].as_bytes();
                out.splice(at..at, t.iter().copied());
            }
            2 if at < out.len() => {
                let end = (at + rng.random_range(1..=16)).min(out.len());
                out.drain(at..end);
            }
            3 if at < out.len() => {
                let end = (at + rng.random_range(1..=64)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            4 => out.truncate(at),
            5 => {
                if let Some((start, end)) = number_at(&out, at) {
                    let t = TOKENS[rng.random_range(0..9)].as_bytes();
                    out.splice(start..end, t.iter().copied());
                }
            }
            _ => {
                let other = &seeds[rng.random_range(0..seeds.len())];
                let from = rng.random_range(0..=other.len());
                out.extend_from_slice(&other[from..]);
            }
        }
    }
    out
}

/// A format under test and its valid seeds.
struct Target {
    format: InputFormat,
    seeds: Vec<Vec<u8>>,
}

/// The seed files of a format: valid inputs the mutations start from (`fuzz/seeds.sh` gives
/// the same files to `cargo fuzz` as its starting corpus).
fn seeds(format: InputFormat) -> Vec<Vec<u8>> {
    let acn = br#"{"_items": [{"connectionTime": "Wed, 01 May 2019 15:00:00 GMT",
      "disconnectTime": "Thu, 02 May 2019 00:00:00 GMT", "kWhDelivered": 9.0, "sessionID": "s1",
      "stationID": "CA-1", "timezone": "America/Los_Angeles",
      "userInputs": [{"kWhRequested": 10.0, "requestedDeparture": "Wed, 01 May 2019 23:00:00 GMT"}]}]}"#;
    let meter = b"time,kw\n2019-05-01T00:00:00-07:00,100\n2019-05-01T00:15:00-07:00,110.5\n\
2019-05-01T00:30:00-07:00,90\n2019-05-01T00:45:00-07:00,95\n2019-05-01T01:00:00-07:00,99\n";
    match format {
        InputFormat::TwoStage => vec![read("examples/data/two_stage.json")],
        InputFormat::Copositive => vec![
            read("examples/data/copositive_example_a.json"),
            read("examples/data/copositive_example_b.json"),
        ],
        InputFormat::SessionsCsv => vec![head(
            "crates/v2b-control/tests/data/caltech_2019-05_weekdays.csv",
            30,
        )],
        InputFormat::SessionsAcnJson => vec![acn.to_vec()],
        // A whole typical year: anything shorter is refused (8,760 rows are required).
        InputFormat::BuildingCsv => vec![read(
            "crates/v2b-control/tests/data/doe_medium_office_la_hourly.csv",
        )],
        InputFormat::MeterCsv => vec![meter.to_vec()],
        InputFormat::SiteJson => vec![serde_json::to_vec(&Site::paper_default()).unwrap()],
        InputFormat::TariffJson => vec![
            read("examples/data/tariffs/silicon_valley_power.json"),
            read("examples/data/tariffs/seasonal_two_demand.json"),
        ],
        InputFormat::LiveStateJson => vec![read("examples/data/live_state.json")],
    }
}

fn targets() -> Vec<Target> {
    InputFormat::ALL
        .into_iter()
        .map(|format| Target {
            format,
            seeds: seeds(format),
        })
        .collect()
}

/// Runs `inputs` mutated inputs through every target; panics name the target and keep the input.
fn fuzz(inputs: usize, seed: u64) {
    // Expected: no output from the panics we catch (the hook would print each).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut crashes = Vec::new();
    for target in targets() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for seed_input in &target.seeds {
            assert!(
                target.format.check(seed_input),
                "{}: a seed is refused",
                target.format.name()
            );
        }
        let mut accepted = 0usize;
        for n in 0..inputs {
            let base = &target.seeds[n % target.seeds.len()];
            let input = mutate(&mut rng, base, &target.seeds);
            match catch_unwind(AssertUnwindSafe(|| target.format.check(&input))) {
                Ok(ok) => accepted += usize::from(ok),
                Err(_) => {
                    let path = std::env::temp_dir()
                        .join(format!("evmech-fuzz-{}-{n}.bin", target.format.name()));
                    std::fs::write(&path, &input).ok();
                    crashes.push(format!(
                        "{}: input {n} panicked, saved to {}",
                        target.format.name(),
                        path.display()
                    ));
                }
            }
        }
        eprintln!(
            "fuzz {}: {inputs} inputs, {accepted} accepted",
            target.format.name()
        );
    }
    std::panic::set_hook(hook);
    assert!(crashes.is_empty(), "{}", crashes.join("\n"));
}

#[test]
fn parsers_survive_mutated_inputs() {
    fuzz(1_500, 1);
}

#[test]
#[ignore = "long run: EVMECH_FUZZ_INPUTS=1000000 cargo test --release -p evmech-cli --test fuzz_inputs -- --ignored --nocapture"]
fn parsers_survive_a_long_run() {
    let inputs = std::env::var("EVMECH_FUZZ_INPUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let seed = std::env::var("EVMECH_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2);
    fuzz(inputs, seed);
}

/// Every input a fuzzer once crashed on (`crates/cli/tests/fuzz_regressions/<format>/`, one file
/// per crash, from this harness or from `cargo fuzz`) is replayed on every run.
#[test]
fn committed_fuzz_crashes_stay_fixed() {
    let root = format!("{}/tests/fuzz_regressions", manifest_dir());
    let mut replayed = 0;
    for format in InputFormat::ALL {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{}", format.name())) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable directory").path();
            let input = std::fs::read(&path).expect("a readable file");
            let run = catch_unwind(AssertUnwindSafe(|| format.check(&input)));
            assert!(run.is_ok(), "{} panics again", path.display());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} committed crashes");
}

/// Writes every format's seeds to `$EVMECH_FUZZ_CORPUS/<format>/seed-<i>`: the starting corpus
/// of the coverage-guided `cargo fuzz` runs (`scripts/fuzz.sh` calls it).
#[test]
#[ignore = "writes the cargo fuzz corpus: EVMECH_FUZZ_CORPUS=DIR cargo test -p evmech-cli --test fuzz_inputs -- --ignored write_seed_corpus"]
fn write_seed_corpus() {
    let root = std::env::var("EVMECH_FUZZ_CORPUS").expect("EVMECH_FUZZ_CORPUS names a directory");
    for target in targets() {
        let dir = format!("{root}/{}", target.format.name());
        std::fs::create_dir_all(&dir).expect("a corpus directory");
        for (i, seed) in target.seeds.iter().enumerate() {
            std::fs::write(format!("{dir}/seed-{i}"), seed).expect("a seed file");
        }
    }
}
