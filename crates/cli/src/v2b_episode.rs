//! The episode `v2b compare` and `v2b negotiate` simulate: their shared arguments, and the
//! loading of session files, building load, tariff and site, or of an openv2b scenario.

use crate::input_error::{read_json, InputError};
use crate::v2b::{bad_arg, parse_backend};
use evmech_milp_model::LpBackend;
use evmech_v2b_control::policy::OnFailure;
use evmech_v2b_control::{
    load_openv2b_with, load_session_file, BuildingLoad, Date, DaysOfWeek, DepartureMode,
    HistoryRecords, LoadProfile, MeterLoad, Overnight, Scenario, SessionOptions, Site, Stress,
    Tariff,
};
use std::path::{Path, PathBuf};

/// The data, mapping and output arguments `v2b compare` and `v2b negotiate` share.
#[derive(Debug, clap::Args)]
pub struct EpisodeArgs {
    /// Session files: ACN CSVs (columns by name, schema in `docs/v2b.md`) or ACN-Data API JSON
    /// (`.json`); several files (or several months) are simulated as one episode, each
    /// billing month billed on its own.
    #[arg(long, num_args = 1.., required_unless_present = "openv2b")]
    pub sessions: Vec<PathBuf>,
    /// Typical-year building CSV (`hour_of_year,month,day,hour,facility_kw`, the DOE file),
    /// mapped to each date by same month, day type and rank. Give this or `--meter`.
    #[arg(long, required_unless_present_any = ["meter", "openv2b"], conflicts_with = "meter")]
    pub building: Option<PathBuf>,
    /// Meter CSV (`time,kw`: ISO 8601 timestamps with offset at any regular interval) giving
    /// the building load of each simulated date.
    #[arg(long)]
    pub meter: Option<PathBuf>,
    /// An openv2b scenario directory (`scenario.json`, vehicles, chargers, building load,
    /// prices, demand-response events) instead of the session, building, site and tariff files.
    #[arg(long, conflicts_with_all = ["sessions", "building", "meter", "site", "tariff"])]
    pub openv2b: Option<PathBuf>,
    /// The local date of an openv2b scenario's slot 0 (`YYYY-MM-DD`).
    #[arg(long, default_value = "2019-05-01", requires = "openv2b")]
    pub start_date: String,
    /// Billing months kept, by local arrival date: `2019-06` or a range `2019-05..2019-10`
    /// (both ends included). Default: every month in the session files.
    #[arg(long)]
    pub months: Option<String>,
    /// Sessions plugged in at midnight: continue (over nights and weekends, up to 7 days) or
    /// cut at midnight (the CONSENT paper's days).
    #[arg(long, value_enum, default_value_t = OvernightArg::Continue)]
    pub overnight: OvernightArg,
    /// Days of the week kept, by local arrival date.
    #[arg(long, value_enum, default_value_t = DaysArg::All)]
    pub days_of_week: DaysArg,
    /// The site's IANA time zone (`America/Los_Angeles`): the site's clock. Timestamps are
    /// converted to it and days laid into slots on it (92 or 100 quarter-hours on
    /// daylight-saving days). Default: the tariff's `timezone` (Silicon Valley Power's is
    /// `America/Los_Angeles`); a tariff naming another zone is refused. With neither, each
    /// timestamp keeps its wall-clock time as written, on 24-hour days.
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
    /// How far the refinement of MPC and MC-MPC may charge an EV: target (the default) or
    /// ceiling (the paper's eq. 20: up to the battery's ceiling on a bidirectional charger; the
    /// energy above the target leaves with the car).
    #[arg(long, default_value = "target")]
    pub refine_to: String,
    /// How far ahead MPC and MC-MPC plan: hours ahead of each slot, 1 to 24 (a rolling horizon,
    /// the default 24), or end-of-day (the papers': to midnight or the latest departure).
    #[arg(long, default_value = "24")]
    pub horizon: String,
    /// What the simulated site records of each session for the forecasts of later days:
    /// arrivals (each session as it arrived, declined ones included; the default) or served
    /// (each served session as agreed: agreed target and departure; declined ones left out).
    #[arg(long, default_value = "arrivals")]
    pub history_records: String,
    /// How the futures of MPC, MC-MPC and the menus weigh users who have not arrived yet:
    /// committed (their requests as promises, at the model's shortfall weight; the default) or
    /// outside-option (a later user's missing kWh at the external charging price, 0.30
    /// USD/kWh: the plan does not raise the peak for a user who may decline).
    #[arg(long, default_value = "committed")]
    pub future_users: String,
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
pub(crate) fn load_episode(args: &EpisodeArgs) -> Result<Loaded, InputError> {
    let backend = parse_backend(args.backend.as_deref())?;
    let stress = Stress::named(&args.stress, args.stress_seed)
        .map_err(|e| bad_arg("stress", e.to_string()))?;
    let records: HistoryRecords =
        crate::v2b::parse_named("history-records", &args.history_records)?;
    let (scenario, notes) = match &args.openv2b {
        Some(dir) => {
            let start: jiff::civil::Date = args.start_date.parse().map_err(|e| {
                bad_arg(
                    "start-date",
                    format!("not a date YYYY-MM-DD: {:?} ({e})", args.start_date),
                )
            })?;
            let read = load_openv2b_with(dir, Date::from(start), overnight(args.overnight))?;
            (read.scenario, read.notes)
        }
        None => (files_episode(args)?, Vec::new()),
    };
    Ok(Loaded {
        scenario: scenario.stressed(&stress)?.with_history_records(records),
        backend,
        notes,
    })
}

/// An episode and how it was read.
pub(crate) struct Loaded {
    /// The episode, stressed as asked.
    pub scenario: Scenario,
    /// The LP backend.
    pub backend: LpBackend,
    /// Where an openv2b scenario could not be reproduced exactly (`run.json`'s
    /// `import_notes`).
    pub notes: Vec<String>,
}

/// The episode of the session, building (or meter), site and tariff files.
fn files_episode(args: &EpisodeArgs) -> Result<Scenario, InputError> {
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
    if args.stations == 0 {
        return Err(bad_arg("stations", "must be at least 1".into()));
    }
    let site: Site = match &args.site {
        Some(path) => read_json(path)?,
        None => Site::paper_default(),
    };
    let tariff = site_tariff(args)?;
    let zone = tariff.timezone.as_deref().map(time_zone).transpose()?;
    let options = SessionOptions {
        departure: mode,
        stations: args.stations,
        days_of_week: args.days_of_week.into(),
        time_zone: zone.clone(),
        overnight: overnight(args.overnight),
    };
    let mut sessions = load_sessions(&args.sessions, &options)?;
    if let Some(text) = &args.months {
        let (from, to) = month_range(text)?;
        sessions.retain(|s| (from..=to).contains(&(s.date.year, s.date.month)));
        if sessions.is_empty() {
            return Err(bad_arg("months", format!("no session arrives in {text}")));
        }
    }
    let load: Box<dyn LoadProfile> = match (&args.meter, &args.building) {
        (Some(meter), _) => Box::new(MeterLoad::from_file(meter, zone.as_ref())?),
        (None, Some(building)) => Box::new(BuildingLoad::from_file(building)?),
        (None, None) => return Err(bad_arg("building", "give --building or --meter".into())),
    };
    Ok(Scenario::from_sessions(
        site,
        tariff,
        sessions,
        load.as_ref(),
        args.days,
    )?)
}

/// The tariff (`--tariff` or Silicon Valley Power) on the site's clock: `--time-zone` is the
/// zone of a tariff that names none, and must be the zone of one that does.
fn site_tariff(args: &EpisodeArgs) -> Result<Tariff, InputError> {
    let mut tariff = load_tariff(args.tariff.as_deref())?;
    if let Some(name) = &args.time_zone {
        time_zone(name)?;
        match &tariff.timezone {
            Some(zone) if zone != name => {
                return Err(bad_arg(
                    "time-zone",
                    format!(
                        "{name:?} is not the tariff's time zone {zone:?}: the site has one clock"
                    ),
                ))
            }
            _ => tariff.timezone = Some(name.clone()),
        }
    }
    Ok(tariff)
}

/// The IANA time zone `name` (`--time-zone`, or a tariff's `timezone`).
fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, InputError> {
    jiff::tz::TimeZone::get(name)
        .map_err(|e| bad_arg("time-zone", format!("unknown time zone {name:?}: {e}")))
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

/// A billing month as (year, month).
type YearMonth = (i32, u32);

/// `2019-06` or `2019-05..2019-10` as (year, month) bounds.
fn month_range(text: &str) -> Result<(YearMonth, YearMonth), InputError> {
    let one = |t: &str| -> Option<YearMonth> {
        let (y, m) = t.trim().split_once('-')?;
        let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
        (y.to_string().len() == 4 && (1..=12).contains(&m)).then_some((y, m))
    };
    let bad = || {
        bad_arg(
            "months",
            format!("expected YYYY-MM or YYYY-MM..YYYY-MM, got {text:?}"),
        )
    };
    let (from, to) = match text.split_once("..") {
        Some((a, b)) => (one(a).ok_or_else(bad)?, one(b).ok_or_else(bad)?),
        None => {
            let m = one(text).ok_or_else(bad)?;
            (m, m)
        }
    };
    if from > to {
        return Err(bad_arg("months", format!("{text:?} ends before it starts")));
    }
    Ok((from, to))
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
        let loaded = load_session_file(file, options)?;
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

/// `--overnight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OvernightArg {
    /// Sessions stay over midnight.
    Continue,
    /// Sessions are cut at midnight.
    Cut,
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

/// `--overnight` as the library's [`Overnight`].
fn overnight(arg: OvernightArg) -> Overnight {
    match arg {
        OvernightArg::Continue => Overnight::Continue,
        OvernightArg::Cut => Overnight::CutAtMidnight,
    }
}
