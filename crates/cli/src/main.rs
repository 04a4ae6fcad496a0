//! The `evmech` command-line tool: runs evmech mechanisms on JSON input and prints JSON.
//!
//! Exit codes: 0 success, 2 bad input (the message names the offending field), 1 other failures
//! (a solver that failed, an output that cannot be written), 70 an internal error (a bug of
//! evmech, reported as such instead of a panic's backtrace).
#![forbid(unsafe_code)]

use evmech_cli::InputError;
use std::process::ExitCode;

/// Exit code of an internal error (a panic: a bug of evmech), as sysexits' `EX_SOFTWARE`.
const INTERNAL_ERROR: u8 = 70;

fn main() -> ExitCode {
    let command = match evmech_cli::parse(std::env::args_os()) {
        Ok(command) => command,
        // Help, version and usage errors print and exit as clap does (usage errors with 2).
        Err(e) => e.exit(),
    };
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "evmech: {}: {info}",
            evmech_cli::INTERNAL_ERROR_MESSAGE
        );
    }));
    match std::panic::catch_unwind(move || evmech_cli::execute(command)) {
        Ok(result) => finish(result),
        Err(_) => ExitCode::from(INTERNAL_ERROR),
    }
}

/// Prints the result (or the error) and gives the exit code. Nothing here panics when stdout or
/// stderr is closed.
fn finish(result: Result<String, InputError>) -> ExitCode {
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
