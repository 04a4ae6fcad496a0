//! The `evmech` command-line tool: runs evmech mechanisms on JSON input and prints JSON.
//!
//! Exit codes: 0 success, 2 bad input (the message names the offending field), 1 other failures
//! (a solver that failed, an output that cannot be written), 70 an internal error (a bug of
//! evmech, reported as such instead of a panic's backtrace).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod copositive;
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
use std::path::PathBuf;
use std::process::ExitCode;

/// EV-charging market mechanisms from the command line.
#[derive(Debug, Parser)]
#[command(name = "evmech", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
        #[command(subcommand)]
        command: V2bCommand,
    },
}

#[derive(Debug, Subcommand)]
enum V2bCommand {
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

/// Exit code of an internal error (a panic: a bug of evmech), as sysexits' `EX_SOFTWARE`.
const INTERNAL_ERROR: u8 = 70;

fn main() -> ExitCode {
    let cli = Cli::parse();
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "evmech: internal error (a bug in evmech; please report it with the input): {info}"
        );
    }));
    match std::panic::catch_unwind(move || run(cli.command)) {
        Ok(result) => finish(result),
        Err(_) => ExitCode::from(INTERNAL_ERROR),
    }
}

fn run(command: Command) -> Result<String, input_error::InputError> {
    match command {
        Command::TwoStage { input } => two_stage::run_file(&input),
        Command::Copositive { input } => copositive::run_file(&input),
        Command::V2b {
            command: V2bCommand::Compare(args),
        } => v2b::run(&args),
        Command::V2b {
            command: V2bCommand::Negotiate(args),
        } => v2b_negotiate::run(&args),
        Command::V2b {
            command: V2bCommand::Decide(args),
        } => v2b_decide::run(&args),
        Command::V2b {
            command: V2bCommand::Quote(args),
        } => v2b_decide::quote(&args),
        Command::V2b {
            command: V2bCommand::Figures(args),
        } => v2b_figures::run(&args),
    }
}

/// Prints the result (or the error) and gives the exit code. Nothing here panics when stdout or
/// stderr is closed.
fn finish(result: Result<String, input_error::InputError>) -> ExitCode {
    use std::io::Write;
    match result {
        Ok(json) => {
            // A reader that stops early (`evmech ... | head`) is not an error of ours.
            match writeln!(std::io::stdout(), "{json}") {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(std::io::stderr(), "evmech: writing the result: {e}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "evmech: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
