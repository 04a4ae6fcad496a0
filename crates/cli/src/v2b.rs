//! `evmech v2b compare`: charging policies on a month of sessions and building load.

use crate::input_error::{read_json, InputError};
use crate::json_num::num;
use evmech_lab::compare::compare;
use evmech_lab::export;
use evmech_milp_model::LpBackend;
use evmech_v2b_control::policy::{grid_by_name, PolicyKind, PolicySettings};
use evmech_v2b_control::policy::{ForecastMode, OnFailure};
use evmech_v2b_control::{
    load_acn_file, load_acn_json_file, BuildingLoad, DaysOfWeek, DepartureMode, EpisodeReport,
    LoadProfile, MeterLoad, Scenario, SessionOptions, Site, Stress, Tariff,
};
use serde_json::{json, Map, Value};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    let (scenario, backend) = load_episode(&args.episode)?;
    let settings = PolicySettings {
        scenarios: args.scenarios,
        seed: args.seed,
        backend,
        on_failure: args.episode.on_failure(),
        time_grid,
        forecast: forecast_by_name(&args.episode.forecast)?,
    };
    let mut progress = export::terminal_progress();
    let reports = args
        .episode
        .with_threads(|| Ok(compare(&scenario, &kinds, &settings, &mut progress)?))?;
    let summary = summary_json(&reports);
    let clock = slot_clock(&args.episode, &scenario)?;
    let text = serde_json::to_string_pretty(&summary).expect("JSON values serialise");
    std::fs::create_dir_all(&args.episode.out).map_err(|e| write_error(&args.episode.out, e))?;
    let run = json!({
        "days": scenario.days().len(),
        "first_date": date(&scenario, 0),
        "scenarios": args.scenarios,
        "seed": args.seed,
        "grid": args.grid,
        "forecast": args.episode.forecast,
        "hindsight": settings.forecast.is_hindsight(),
        "time_grid": time_grid,
        "backend": backend.name(),
        "threads": rayon_threads(&args.episode),
        "departure": args.episode.departure,
        "tariff": &scenario.tariff().name,
        "days_of_week": format!("{:?}", args.episode.days_of_week).to_lowercase(),
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

/// The data, mapping and output arguments `v2b compare` and `v2b negotiate` share.
#[derive(Debug, clap::Args)]
pub struct EpisodeArgs {
    /// Session files: ACN CSVs (columns by name, schema in `docs/v2b.md`) or ACN-Data API JSON
    /// (`.json`); several files (or several months) are simulated as one episode, each
    /// billing month billed on its own.
    #[arg(long, num_args = 1.., required = true)]
    pub sessions: Vec<PathBuf>,
    /// Typical-year building CSV (`hour_of_year,month,day,hour,facility_kw`, the DOE file),
    /// mapped to each date by same month, day type and rank. Give this or `--meter`.
    #[arg(long, required_unless_present = "meter", conflicts_with = "meter")]
    pub building: Option<PathBuf>,
    /// Meter CSV (`time,kw`: ISO 8601 timestamps with offset at any regular interval) giving
    /// the building load of each simulated date.
    #[arg(long)]
    pub meter: Option<PathBuf>,
    /// Days of the week kept, by local arrival date.
    #[arg(long, value_enum, default_value_t = DaysArg::All)]
    pub days_of_week: DaysArg,
    /// The site's IANA time zone (`America/Los_Angeles`): timestamps are converted to it.
    /// Default: each timestamp's wall-clock time as written (ACN-Data API JSON needs a zone,
    /// taken from its `timezone` field when this is absent).
    #[arg(long)]
    pub time_zone: Option<String>,
    /// Site JSON (chargers, no-export, penalties); default: the paper's 10 + 5 chargers.
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// Tariff JSON (energy periods, demand charges, export price; `docs/v2b.md`); default:
    /// Silicon Valley Power (`examples/data/tariffs/silicon_valley_power.json`).
    #[arg(long)]
    pub tariff: Option<PathBuf>,
    /// Keep the first N dates present in the sessions (default: all).
    #[arg(long)]
    pub days: Option<usize>,
    /// Stations kept (those with the most sessions).
    #[arg(long, default_value_t = 15)]
    pub stations: usize,
    /// Departure used by the simulation: compliant (requested) or realised.
    #[arg(long, default_value = "compliant")]
    pub departure: String,
    /// LP solver: highs, cbc or clarabel; the default is the build's (highs in the default
    /// build, cbc in a build with only the `cbc` feature). A backend the build lacks exits 2.
    #[arg(long)]
    pub backend: Option<String>,
    /// Play ReqCharge (counted in `fallbacks`) when an optimiser fails, instead of stopping.
    #[arg(long)]
    pub allow_fallback: bool,
    /// Stress transform of the CONSENT paper's App. G applied to the episode: none, departure,
    /// target, load, price, fleet or all.
    #[arg(long, default_value = "none")]
    pub stress: String,
    /// Seed of the stress draws.
    #[arg(long, default_value_t = 0)]
    pub stress_seed: u64,
    /// Where the futures of MPC, MC-MPC and CONSENT's menus come from: history (causal: the site's past days only,
    /// the default), hindsight-pool (the papers' setting: any other day of the month, later
    /// days included) or hindsight-perfect (the true rest of the day).
    #[arg(long, default_value = "history")]
    pub forecast: String,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads for the policies (and CONSENT's menu levels) run side by side; default:
    /// all cores. The results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl EpisodeArgs {
    /// Runs `work` on a thread pool of `--threads` workers (all cores when absent).
    pub(crate) fn with_threads<T: Send>(
        &self,
        work: impl FnOnce() -> Result<T, InputError> + Send,
    ) -> Result<T, InputError> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        match self.threads {
            Some(0) => return Err(bad_arg("threads", "must be at least 1".into())),
            Some(n) => builder = builder.num_threads(n),
            None => {}
        }
        let pool = builder
            .build()
            .map_err(|e| bad_arg("threads", format!("cannot start the thread pool: {e}")))?;
        pool.install(work)
    }

    /// What a failed optimiser does under `--allow-fallback`.
    pub(crate) fn on_failure(&self) -> OnFailure {
        if self.allow_fallback {
            OnFailure::ReqCharge
        } else {
            OnFailure::Error
        }
    }
}

/// Loads the episode (ACN sessions mapped to V2B sessions, see `Scenario::from_files`) and
/// parses the backend.
pub(crate) fn load_episode(args: &EpisodeArgs) -> Result<(Scenario, LpBackend), InputError> {
    let mode = match args.departure.as_str() {
        "compliant" => DepartureMode::Compliant,
        "realised" => DepartureMode::Realised,
        other => {
            return Err(bad_arg(
                "departure",
                format!("expected compliant or realised, got {other:?}"),
            ))
        }
    };
    let backend = parse_backend(args.backend.as_deref())?;
    let site: Site = match &args.site {
        Some(path) => read_json(path)?,
        None => Site::paper_default(),
    };
    let zone = match &args.time_zone {
        Some(name) => Some(
            jiff::tz::TimeZone::get(name)
                .map_err(|e| bad_arg("time-zone", format!("unknown time zone {name:?}: {e}")))?,
        ),
        None => None,
    };
    let options = SessionOptions {
        departure: mode,
        stations: args.stations,
        days_of_week: args.days_of_week.into(),
        time_zone: zone.clone(),
    };
    let sessions = load_sessions(&args.sessions, &options)?;
    let load: Box<dyn LoadProfile> = match (&args.meter, &args.building) {
        (Some(meter), _) => Box::new(MeterLoad::from_file(meter, zone.as_ref())?),
        (None, Some(building)) => Box::new(BuildingLoad::from_file(building)?),
        (None, None) => return Err(bad_arg("building", "give --building or --meter".into())),
    };
    let scenario = Scenario::from_sessions(
        site,
        load_tariff(args.tariff.as_deref())?,
        sessions,
        load.as_ref(),
        args.days,
    )?;
    let stress = Stress::named(&args.stress, args.stress_seed)
        .map_err(|e| bad_arg("stress", e.to_string()))?;
    Ok((scenario.stressed(&stress)?, backend))
}

/// How output files write a slot's time: in `--time-zone`, else the tariff's zone, else
/// without offset.
pub(crate) fn slot_clock(
    args: &EpisodeArgs,
    scenario: &Scenario,
) -> Result<export::SlotClock, InputError> {
    let name = args
        .time_zone
        .clone()
        .or_else(|| scenario.tariff().timezone.clone());
    let zone = match name {
        Some(n) => Some(
            jiff::tz::TimeZone::get(&n)
                .map_err(|e| bad_arg("time-zone", format!("unknown time zone {n:?}: {e}")))?,
        ),
        None => None,
    };
    Ok(export::SlotClock {
        slot_minutes: scenario.tariff().slot_minutes,
        zone,
    })
}

/// The `--tariff` file, validated (errors name the file and the entry), or Silicon Valley
/// Power.
pub(crate) fn load_tariff(path: Option<&Path>) -> Result<Tariff, InputError> {
    let Some(path) = path else {
        return Ok(Tariff::silicon_valley_power());
    };
    let tariff: Tariff = read_json(path)?;
    tariff.validate().map_err(|e| match e {
        evmech_v2b_control::Error::InvalidField { field, reason } => {
            InputError::field(path, field.trim_start_matches("tariff.").into(), reason)
        }
        other => InputError::V2b(other),
    })?;
    Ok(tariff)
}

/// Loads every session file (`.json`: ACN-Data API; otherwise an ACN CSV) and refuses a
/// session id seen in two files or twice in one.
fn load_sessions(
    files: &[PathBuf],
    options: &SessionOptions,
) -> Result<Vec<evmech_v2b_control::Session>, InputError> {
    let mut all = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for file in files {
        let loaded = if file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            load_acn_json_file(file, options)?
        } else {
            load_acn_file(file, options)?
        };
        if loaded.is_empty() {
            return Err(InputError::field(
                file,
                "arrival".into(),
                "no session on the kept days of the week and stations".into(),
            ));
        }
        for s in &loaded {
            if let Some(first) = seen.insert(s.id.clone(), file.clone()) {
                return Err(InputError::field(
                    file,
                    "session_id".into(),
                    format!("{:?} is also in {}", s.id, first.display()),
                ));
            }
        }
        all.extend(loaded);
    }
    Ok(all)
}

/// `--days-of-week`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DaysArg {
    /// Every day.
    All,
    /// Monday to Friday.
    Weekdays,
}

impl From<DaysArg> for DaysOfWeek {
    fn from(d: DaysArg) -> Self {
        match d {
            DaysArg::All => DaysOfWeek::All,
            DaysArg::Weekdays => DaysOfWeek::Weekdays,
        }
    }
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

pub(crate) fn write_file(path: &Path, body: &str) -> Result<(), InputError> {
    File::create(path)
        .and_then(|mut f| f.write_all(body.as_bytes()))
        .map_err(|e| write_error(path, e))
}

/// The `summary.json` object: one entry per policy, with the contract's fields first.
pub fn summary_json(reports: &[EpisodeReport]) -> Value {
    let max_charge_peak = reports
        .iter()
        .find(|r| r.policy == "maxcharge")
        .map(|r| r.peak_kw);
    let mut out = Map::new();
    for r in reports {
        let mut o = Map::new();
        o.insert("building_cost_usd".into(), num(r.building_cost_usd));
        o.insert("energy_cost_usd".into(), num(r.energy_cost_usd));
        o.insert("demand_cost_usd".into(), num(r.demand_cost_usd));
        o.insert("peak_kw".into(), num(r.peak_kw));
        o.insert("missing_soc_kwh".into(), num(r.missing_soc_kwh));
        o.insert("cars_below_target".into(), json!(r.cars_below_target));
        o.insert("rejected_sessions".into(), json!(r.rejected_sessions));
        o.insert("decisions".into(), json!(r.decisions));
        o.insert("seconds_per_decision".into(), num(r.seconds_per_decision));
        o.insert("fallbacks".into(), json!(r.fallbacks));
        o.insert("compensation_usd".into(), num(r.compensation_usd));
        o.insert("degradation_usd".into(), num(r.degradation_usd));
        o.insert(
            "peak_shaving_kw".into(),
            max_charge_peak.map_or(Value::Null, |p| num(p - r.peak_kw)),
        );
        o.insert("arrivals".into(), json!(r.arrivals));
        o.insert("delivered_kwh".into(), num(r.delivered_kwh));
        o.insert("discharged_kwh".into(), num(r.discharged_kwh));
        o.insert("clipped_request_kwh".into(), num(r.clipped_request_kwh));
        o.insert("lp_solves".into(), json!(r.lp_solves));
        o.insert("decision_seconds_p95".into(), num(r.decision_seconds.p95));
        o.insert("decision_seconds_max".into(), num(r.decision_seconds.max));
        o.insert("clamps".into(), json!(r.clamps));
        o.insert("forecasts".into(), json!(r.forecasts));
        o.insert("export_usd".into(), num(-export_credit(r)));
        o.insert("dr_penalty_usd".into(), num(0.0));
        o.insert("months".into(), months_json(r));
        o.insert("over_months".into(), over_months_json(r));
        out.insert(r.policy.clone(), Value::Object(o));
    }
    Value::Object(out)
}

pub(crate) fn export_credit(r: &EpisodeReport) -> f64 {
    r.months.iter().map(|m| m.export_credit_usd).sum()
}

/// One object per billing month: `month` (`"2019-11"`), `energy_usd` (imports), `demand_usd`
/// (keyed by the demand charge's name), `export_usd` (minus what exports earned),
/// `dr_penalty_usd` (demand-response penalties: 0, as no event is simulated yet), `days`, and
/// the month's `building_cost_usd`, `compensation_usd`, `degradation_usd`, `payments_usd`,
/// `missing_soc_kwh`. Summed over months they give the policy's totals.
pub(crate) fn months_json(r: &EpisodeReport) -> Value {
    let months: Vec<Value> = r
        .months
        .iter()
        .map(|m| {
            let demand: Map<String, Value> = m
                .demand
                .iter()
                .map(|d| (d.name.clone(), num(d.usd)))
                .collect();
            json!({
                "month": format!("{:04}-{:02}", m.year, m.month),
                "days": m.days,
                "energy_usd": num(m.energy_cost_usd + m.export_credit_usd),
                "demand_usd": demand,
                "export_usd": num(-m.export_credit_usd),
                "dr_penalty_usd": num(0.0),
                "building_cost_usd": num(m.building_cost_usd()),
                "compensation_usd": num(m.compensation_usd),
                "degradation_usd": num(m.degradation_usd),
                "payments_usd": num(m.payments_usd),
                "missing_soc_kwh": num(m.missing_soc_kwh),
                "peak_kw": num(m.peak_kw),
            })
        })
        .collect();
    Value::Array(months)
}

/// Mean and sample standard deviation over billing months (the form of the CONSENT paper's
/// multi-month tables): `{"months": n, "building_cost_usd": {"mean", "sd"}, "energy_usd",
/// "demand_usd", "missing_soc_kwh", "peak_kw"}`; `sd` is 0 for one month.
pub(crate) fn over_months_json(r: &EpisodeReport) -> Value {
    let stat = |f: &dyn Fn(&evmech_v2b_control::MonthReport) -> f64| {
        let xs: Vec<f64> = r.months.iter().map(f).collect();
        let n = xs.len().max(1) as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = if xs.len() > 1 {
            xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        json!({"mean": num(mean), "sd": num(var.sqrt())})
    };
    json!({
        "months": r.months.len(),
        "building_cost_usd": stat(&|m| m.building_cost_usd()),
        "energy_usd": stat(&|m| m.energy_cost_usd + m.export_credit_usd),
        "demand_usd": stat(&|m| m.demand_cost_usd),
        "missing_soc_kwh": stat(&|m| m.missing_soc_kwh),
        "peak_kw": stat(&|m| m.peak_kw),
    })
}

/// The worker threads a run used (`--threads`, or rayon's default: all cores).
pub(crate) fn rayon_threads(args: &EpisodeArgs) -> usize {
    args.threads.unwrap_or_else(rayon::current_num_threads)
}
