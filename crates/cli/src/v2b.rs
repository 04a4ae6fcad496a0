//! `evmech v2b compare`: charging policies on a month of sessions and building load.

use crate::input_error::InputError;
pub(crate) use crate::v2b_episode::{load_episode, load_tariff, EpisodeArgs};
pub use crate::v2b_summary::summary_json;
pub(crate) use crate::v2b_summary::{export_credit, months_json, over_months_json};
use evmech_lab::compare::compare;
use evmech_lab::export;
use evmech_milp_model::LpBackend;
use evmech_v2b_control::policy::{grid_by_name, Horizon, PolicyKind, PolicySettings, RefineLimit};
use evmech_v2b_control::policy::{ForecastMode, FutureUsers};
use evmech_v2b_control::Scenario;
use serde_json::json;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Arguments of `v2b compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Comma-separated policies: maxcharge, reqcharge, edf, llf, mpc, mc-mpc, oracle, oracle-daily.
    #[arg(long, default_value = "maxcharge,reqcharge,edf,llf,mpc,mc-mpc,oracle")]
    pub policies: String,
    /// Futures per MC-MPC decision.
    #[arg(long, default_value_t = 30)]
    pub scenarios: usize,
    /// Seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// MC-MPC's time grid: hourly (the first hour slot by slot, then hours; the default) or
    /// slots (every slot, the exact model, about ten times slower at 30 futures).
    #[arg(long, default_value = "hourly")]
    pub grid: String,
    /// Day (index among the simulated days) drawn in `plot.svg`.
    #[arg(long, default_value_t = 0)]
    pub plot_day: usize,
    /// The data files, the episode mapping and the output directory.
    #[command(flatten)]
    pub episode: EpisodeArgs,
}

pub(crate) fn bad_arg(name: &str, message: String) -> InputError {
    InputError::field(Path::new("<command line>"), name.into(), message)
}

/// Runs the comparison, writes `summary.json`, `run.json`, `days.csv`, `slots.csv` and
/// `plot.svg` into `--out`, and returns the summary.
pub fn run(args: &CompareArgs) -> Result<String, InputError> {
    let kinds = PolicyKind::parse_list(&args.policies).map_err(InputError::V2b)?;
    let time_grid = grid_by_name(&args.grid).map_err(InputError::V2b)?;
    let crate::v2b_episode::Loaded {
        scenario,
        backend,
        notes,
    } = load_episode(&args.episode)?;
    // Every argument and the output directory are checked before any simulation starts.
    if args.plot_day >= scenario.days().len() {
        return Err(bad_arg(
            "plot-day",
            format!(
                "day {} does not exist: the episode has {} days (0 is the first)",
                args.plot_day,
                scenario.days().len()
            ),
        ));
    }
    prepare_out_dir(&args.episode.out)?;
    let settings = PolicySettings {
        scenarios: args.scenarios,
        seed: args.seed,
        backend,
        on_failure: args.episode.on_failure(),
        time_grid,
        forecast: forecast_by_name(&args.episode.forecast)?,
        refine_to: refine_by_name(&args.episode.refine_to)?,
        horizon: horizon_by_name(&args.episode.horizon)?,
        future_users: future_users_by_name(&args.episode.future_users)?,
    };
    let mut progress = export::terminal_progress();
    let reports = args
        .episode
        .with_threads(|| Ok(compare(&scenario, &kinds, &settings, &mut progress)?))?;
    let summary = summary_json(&reports);
    // Slot times on the scenario's clock (its tariff's zone, which `--time-zone` sets).
    let clock = scenario.clock();
    let text = serde_json::to_string_pretty(&summary).expect("JSON values serialise");
    let run = json!({
        "days": scenario.days().len(),
        "first_date": date(&scenario, 0),
        "scenarios": args.scenarios,
        "seed": args.seed,
        "grid": args.grid,
        "forecast": args.episode.forecast,
        "hindsight": settings.forecast.is_hindsight(),
        "refine_to": settings.refine_to.name(),
        "horizon": settings.horizon.name(),
        "future_users": settings.future_users.name(),
        "history_records": scenario.history_records().name(),
        "time_grid": time_grid,
        "backend": backend.name(),
        "threads": rayon_threads(&args.episode),
        "departure": args.episode.departure,
        "tariff": &scenario.tariff().name,
        "openv2b": args.episode.openv2b.as_ref().map(|p| p.display().to_string()),
        "import_notes": notes,
        "days_of_week": format!("{:?}", args.episode.days_of_week).to_lowercase(),
        "months": args.episode.months,
        "overnight": format!("{:?}", args.episode.overnight).to_lowercase(),
        "building_source": if args.episode.meter.is_some() { "meter" } else { "typical-year" },
        "session_files": args.episode.sessions.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "stress": args.episode.stress,
        "stress_seed": args.episode.stress_seed,
        "policies": kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
    });
    let files = [
        ("summary.json", text.clone() + "\n"),
        (
            "run.json",
            serde_json::to_string_pretty(&run).expect("JSON") + "\n",
        ),
        ("days.csv", export::days_csv(&reports)),
        ("slots.csv", export::slots_csv(&reports, &clock)),
        (
            "sessions.csv",
            export::sessions_csv(&reports, scenario.site(), &clock),
        ),
    ];
    for (name, body) in files {
        write_file(&args.episode.out.join(name), &body)?;
    }
    let svg = export::day_svg(&reports, args.plot_day).ok_or_else(|| {
        bad_arg(
            "plot-day",
            format!("only {} days were simulated", scenario.days().len()),
        )
    })?;
    write_file(&args.episode.out.join("plot.svg"), &svg)?;
    Ok(text)
}

/// The `--backend` named `text` (default: the build's), if this build has it.
pub(crate) fn parse_backend(text: Option<&str>) -> Result<LpBackend, InputError> {
    let backend = match text.unwrap_or(LpBackend::default().name()) {
        "cbc" => LpBackend::Cbc,
        "clarabel" => LpBackend::Clarabel,
        "highs" => LpBackend::Highs,
        other => {
            return Err(bad_arg(
                "backend",
                format!("expected cbc, clarabel or highs, got {other:?}"),
            ))
        }
    };
    if !backend.is_available() {
        return Err(bad_arg(
            "backend",
            format!(
                "this evmech was built without {0}: rebuild with `--features {0}`",
                backend.name()
            ),
        ));
    }
    Ok(backend)
}

/// The value of `--FIELD` named `text`, for the library's enums that parse by name
/// (`--horizon`, `--refine-to`, `--future-users`, `--history-records`); a bad name exits 2
/// naming the argument.
pub(crate) fn parse_named<T>(field: &str, text: &str) -> Result<T, InputError>
where
    T: std::str::FromStr<Err = evmech_v2b_control::Error>,
{
    text.parse()
        .map_err(|e: evmech_v2b_control::Error| bad_arg(field, e.to_string()))
}

/// The planning horizon named `text` (`--horizon`).
pub(crate) fn horizon_by_name(text: &str) -> Result<Horizon, InputError> {
    parse_named("horizon", text)
}

/// The rule for later arrivals named `text` (`--future-users`).
pub(crate) fn future_users_by_name(text: &str) -> Result<FutureUsers, InputError> {
    parse_named("future-users", text)
}

/// The refinement limit named `text` (`--refine-to`).
pub(crate) fn refine_by_name(text: &str) -> Result<RefineLimit, InputError> {
    parse_named("refine-to", text)
}

/// The forecast mode named `text` (`history`, `hindsight-pool`, `hindsight-perfect`).
pub(crate) fn forecast_by_name(text: &str) -> Result<ForecastMode, InputError> {
    [
        ForecastMode::History,
        ForecastMode::HindsightPool,
        ForecastMode::HindsightPerfect,
    ]
    .into_iter()
    .find(|m| m.label() == text)
    .ok_or_else(|| {
        bad_arg(
            "forecast",
            format!("expected history, hindsight-pool or hindsight-perfect, got {text:?}"),
        )
    })
}

pub(crate) fn date(scenario: &Scenario, d: usize) -> String {
    let date = scenario.days()[d].date;
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

fn write_error(path: &Path, source: std::io::Error) -> InputError {
    InputError::Write {
        path: path.to_owned(),
        source,
    }
}

/// Creates the output directory `out` and checks that a file can be written in it, before any
/// work starts (a month of simulation is not thrown away at the end for want of a directory).
pub(crate) fn prepare_out_dir(out: &Path) -> Result<(), InputError> {
    let refuse =
        |e: std::io::Error| bad_arg("out", format!("cannot write to {}: {e}", out.display()));
    std::fs::create_dir_all(out).map_err(refuse)?;
    let probe = out.join(".evmech-write-check");
    File::create(&probe).map_err(refuse)?;
    std::fs::remove_file(&probe).map_err(refuse)
}

pub(crate) fn write_file(path: &Path, body: &str) -> Result<(), InputError> {
    File::create(path)
        .and_then(|mut f| f.write_all(body.as_bytes()))
        .map_err(|e| write_error(path, e))
}

/// The worker threads a run used (`--threads`, or rayon's default: all cores).
pub(crate) fn rayon_threads(args: &EpisodeArgs) -> usize {
    args.threads.unwrap_or_else(rayon::current_num_threads)
}
