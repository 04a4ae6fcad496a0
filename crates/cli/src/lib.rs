//! The `evmech` command-line tool as a library: the commands and their JSON contracts, callable
//! from Rust and from the `evmech` Python package (built from `crates/python`), which therefore
//! answers exactly as the command line does.
//!
//! - [`parse`] reads a command line into a [`Command`] (clap's errors and help as they are);
//! - [`execute`] runs it and returns what the command prints (JSON), or an [`InputError`]
//!   whose [`InputError::exit_code`] is the command's exit code (2 for bad input, naming the
//!   field; 1 for a solver that failed or an output that cannot be written);
//! - [`two_stage_json`] and [`copositive_json`] take the instance as a JSON document in
//!   memory instead of a file;
//! - [`InputFormat::check`] parses and validates one input file's bytes, as the commands do
//!   (what the fuzzers drive);
//! - [`v2b_episode`] loads the V2B episode that `v2b compare` would simulate from the same
//!   flags (the Python package's Gymnasium environment runs on it).
//!
//! ```
//! let json = evmech_cli::two_stage_json(r#"{
//!     "sessions": ["s1"],
//!     "evs": [{"id": "a", "da_values": {"s1": 10.0}}, {"id": "b", "da_values": {"s1": 7.0}}]
//! }"#)?;
//! let out: serde_json::Value = serde_json::from_str(&json).unwrap();
//! assert_eq!(out["day_ahead"]["payments"]["a"], 7.0);
//! # Ok::<_, evmech_cli::InputError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod copositive;
mod formats;
mod input_error;
mod json_num;
mod two_stage;
mod v2b;
mod v2b_decide;
mod v2b_episode;
mod v2b_figures;
mod v2b_negotiate;
mod v2b_summary;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use formats::InputFormat;
pub use input_error::InputError;

/// How every front end (the binary's panic hook, the Python package) reports a panic: a bug of
/// evmech, not of the input.
pub const INTERNAL_ERROR_MESSAGE: &str =
    "internal error (a bug in evmech; please report it with the input)";

/// EV-charging market mechanisms from the command line.
#[derive(Debug, Parser)]
#[command(name = "evmech", version, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// A command of the `evmech` tool.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the two-stage reservation market (day-ahead VCG, then a real-time mechanism) and
    /// prints the outcome as JSON.
    TwoStage {
        /// Instance file (JSON; schema in the README).
        #[arg(long)]
        input: PathBuf,
    },
    /// Prices EV charging and station access from the copositive dual (CMP) and prints the
    /// result, with TOU, LP-relaxation and IP-pricing benchmarks, as JSON.
    Copositive {
        /// Instance file (JSON; schema in the README).
        #[arg(long)]
        input: PathBuf,
    },
    /// Vehicle-to-building charging: compare charging policies, or negotiate with arriving users.
    V2b {
        /// The `v2b` subcommand.
        #[command(subcommand)]
        command: V2bCommand,
    },
}

/// A `v2b` subcommand.
#[derive(Debug, Subcommand)]
pub enum V2bCommand {
    /// Simulates charging policies on ACN sessions with a building load and writes
    /// `summary.json` (one object per policy), `days.csv`, `slots.csv` and `plot.svg` to `--out`.
    Compare(Box<v2b::CompareArgs>),
    /// Runs CONSENT and the baselines of the paper's Table 1 (building only, free, fixed and
    /// utility prices, the static menu, CONSENT with and without reject) and writes
    /// `summary.json` (one object per policy), `run.json`, `days.csv` and `arrivals.csv` to
    /// `--out`.
    Negotiate(Box<v2b_negotiate::NegotiateArgs>),
    /// One live decision: reads the site's state now (`--state`), its past sessions and
    /// building load, and prints a set-point per connected EV, the plan behind it, its expected
    /// cost and status as JSON (with `--ocpp`, one OCPP 2.0.1 SetChargingProfileRequest per EV).
    Decide(Box<v2b_decide::DecideArgs>),
    /// CONSENT live: the menu offered to a driver plugging in now (`--arrival`), priced from the
    /// site's state and history as `decide` reads them; `--accept LEVEL|reject` also prints the
    /// EV to add to the next states and her price.
    Quote(Box<v2b_decide::QuoteArgs>),
    /// Draws the CONSENT paper's Figures 10-12 (choices, delays and state-of-charge deviations;
    /// choices per run; user cost and utility per option) as SVG from `arrivals.csv` files that
    /// `negotiate` wrote.
    Figures(Box<v2b_figures::FiguresArgs>),
}

/// Reads a command line (`["evmech", "two-stage", "--input", "x.json"]`; the first item is the
/// program's name) into a [`Command`]. A `--help` or `--version` request also comes back as
/// clap's error, of kind `DisplayHelp` or `DisplayVersion`, holding the text to print.
pub fn parse<I, T>(args: I) -> Result<Command, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args).map(|cli| cli.command)
}

/// Runs `command` and returns what it prints (a JSON document).
pub fn execute(command: Command) -> Result<String, InputError> {
    match command {
        Command::TwoStage { input } => two_stage::run_file(&input),
        Command::Copositive { input } => copositive::run_file(&input),
        Command::V2b { command } => match command {
            V2bCommand::Compare(args) => v2b::run(&args),
            V2bCommand::Negotiate(args) => v2b_negotiate::run(&args),
            V2bCommand::Decide(args) => v2b_decide::run(&args),
            V2bCommand::Quote(args) => v2b_decide::quote(&args),
            V2bCommand::Figures(args) => v2b_figures::run(&args),
        },
    }
}

/// `evmech two-stage` on an instance given as JSON text instead of a file; errors name the
/// document `<input>`.
pub fn two_stage_json(text: &str) -> Result<String, InputError> {
    two_stage::run_text(Path::new("<input>"), text)
}

/// `evmech copositive` on an instance given as JSON text instead of a file; errors name the
/// document `<input>`.
pub fn copositive_json(text: &str) -> Result<String, InputError> {
    copositive::run_text(Path::new("<input>"), text)
}

/// Reads and validates a copositive instance given as JSON text without pricing it (every
/// check `evmech copositive` makes before a solver runs); errors name the document `<input>`.
pub fn copositive_check_json(text: &str) -> Result<(), InputError> {
    copositive::check_text(Path::new("<input>"), text)
}

/// The flags that say which V2B episode to load, alone.
#[derive(Debug, Parser)]
#[command(name = "evmech v2b episode")]
struct EpisodeOnly {
    #[command(flatten)]
    episode: v2b_episode::EpisodeArgs,
}

/// The episode (sessions mapped to a site, building load, tariff, days) that `v2b compare`
/// would simulate with these flags: `["--sessions", "may.csv", "--building", "doe.csv",
/// "--days", "5"]`, without the program's name, `--out` or the policy flags. Errors name the
/// flag or the file's field, as the command's do.
pub fn v2b_episode<I, T>(flags: I) -> Result<evmech_v2b_control::Scenario, InputError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    // The loader's `--out` is where `compare` writes; loading writes nothing.
    let argv = std::iter::once(OsString::from("evmech v2b episode"))
        .chain(flags.into_iter().map(Into::into))
        .chain(["--out".into(), "-".into()]);
    let cli = EpisodeOnly::try_parse_from(argv).map_err(|e| InputError::Usage(e.to_string()))?;
    Ok(v2b_episode::load_episode(&cli.episode)?.scenario)
}

/// The `summary.json` object of `v2b compare` for these episode reports (one key per policy:
/// bills, peaks, missing energy, timings ...).
pub fn v2b_summary(reports: &[evmech_v2b_control::EpisodeReport]) -> String {
    v2b::summary_json(reports).to_string()
}
