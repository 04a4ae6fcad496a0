//! `evmech v2b decide`: one live decision from the site's state now and its history.

use crate::input_error::{read_json, InputError};
use crate::v2b::{bad_arg, parse_backend};
use evmech_v2b_control::live::{ocpp, Controller, LiveArrival, LiveOptions, SiteState};
use evmech_v2b_control::negotiation::{Choice, Negotiator};
use evmech_v2b_control::policy::{grid_by_name, PolicyKind};
use evmech_v2b_control::{
    load_session_file, BuildingLoad, Clock, Date, Error, History, MeterLoad, SessionOptions, Site,
    SiteConfig,
};
use std::path::{Path, PathBuf};

/// How many days of building load before today the history holds.
const LOAD_HISTORY_DAYS: usize = 56;

/// Arguments of `v2b decide`.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The site's state now (JSON: time, building_kw, month_peak_kw, evs).
    #[arg(long)]
    pub state: PathBuf,
    /// Past sessions (ACN session CSV); only sessions that departed before the state's time
    /// influence the decision.
    #[arg(long)]
    pub history_sessions: PathBuf,
    /// Hourly building-load CSV (`hour_of_year,month,day,hour,facility_kw`); the days before the
    /// state's date are the load history. Give this or `--meter`.
    #[arg(long, required_unless_present = "meter", conflicts_with = "meter")]
    pub building: Option<PathBuf>,
    /// Meter CSV (`time,kw` at any regular interval): the days it covers before the state's
    /// date are the load history.
    #[arg(long)]
    pub meter: Option<PathBuf>,
    /// Site JSON (chargers, no-export, penalties); default: the paper's 10 + 5 chargers.
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// Tariff JSON (as for `v2b compare`); default: Silicon Valley Power.
    #[arg(long)]
    pub tariff: Option<PathBuf>,
    /// Policy: mc-mpc, mpc, llf, edf, reqcharge or maxcharge.
    #[arg(long, default_value = "mc-mpc")]
    pub policy: String,
    /// Futures per MC-MPC decision.
    #[arg(long, default_value_t = 30)]
    pub scenarios: usize,
    /// Seed of the futures (mixed with the date and slot).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// MC-MPC's time grid: hourly or slots.
    #[arg(long, default_value = "hourly")]
    pub grid: String,
    /// LP solver: highs, cbc or clarabel (default: the build's).
    #[arg(long)]
    pub backend: Option<String>,
    /// The site's IANA time zone.
    #[arg(long, default_value = "America/Los_Angeles")]
    pub time_zone: String,
    /// Also emit an OCPP 2.0.1 SetChargingProfileRequest per EV (`ocpp` array).
    #[arg(long)]
    pub ocpp: bool,
    /// How far the refinement of MPC and MC-MPC may charge an EV: target (the default) or
    /// ceiling (the paper's eq. 20).
    #[arg(long, default_value = "target")]
    pub refine_to: String,
    /// How far ahead MPC and MC-MPC plan: hours ahead, 1 to 24 (default 24), or end-of-day.
    #[arg(long, default_value = "24")]
    pub horizon: String,
    /// How MC-MPC's futures weigh drivers who have not plugged in yet: committed (the
    /// default) or outside-option (at the external charging price).
    #[arg(long, default_value = "committed")]
    pub future_users: String,
}

/// A library error on the state file, reported against that file (exit 2).
fn state_error(path: &Path, e: Error) -> InputError {
    match e {
        Error::InvalidField { field, reason } => InputError::field(path, field, reason),
        other => InputError::V2b(other),
    }
}

/// The controller's options from the command line.
fn options(args: &DecideArgs) -> Result<LiveOptions, InputError> {
    let policy: PolicyKind = args
        .policy
        .parse()
        .map_err(|e: Error| bad_arg("policy", e.to_string()))?;
    Ok(LiveOptions {
        policy,
        scenarios: args.scenarios,
        seed: args.seed,
        backend: parse_backend(args.backend.as_deref())?,
        time_grid: grid_by_name(&args.grid).map_err(InputError::V2b)?,
        time_zone: args.time_zone.clone(),
        refine_to: crate::v2b::refine_by_name(&args.refine_to)?,
        horizon: crate::v2b::horizon_by_name(&args.horizon)?,
        future_users: crate::v2b::future_users_by_name(&args.future_users)?,
    })
}

/// The history a site would have: the sessions file and the building load of the
/// [`LOAD_HISTORY_DAYS`] days before `today`.
fn history(args: &DecideArgs, today: Date, clock: &Clock) -> Result<History, InputError> {
    let mut h = History::new();
    let options = SessionOptions {
        stations: usize::MAX,
        time_zone: clock.zone().cloned(),
        ..SessionOptions::default()
    };
    h.sessions = load_session_file(&args.history_sessions, &options)?;
    match (&args.meter, &args.building) {
        (Some(meter), _) => {
            let load = MeterLoad::from_file(meter, clock.zone())?;
            h.record_available_load(&load, today, LOAD_HISTORY_DAYS, clock);
        }
        (None, Some(building)) => {
            let load = BuildingLoad::from_file(building)?;
            h.record_building_year(&load, today, LOAD_HISTORY_DAYS, clock)?;
        }
        (None, None) => return Err(bad_arg("building", "give --building or --meter".into())),
    }
    Ok(h)
}

/// Arguments of `v2b quote`.
#[derive(Debug, clap::Args)]
pub struct QuoteArgs {
    /// The arriving driver (JSON: id, departure, energy_kwh, target_kwh, battery_kwh, optional
    /// charger).
    #[arg(long)]
    pub arrival: PathBuf,
    /// Her answer, to print the EV to add to the next states: a level index, or `reject`.
    #[arg(long)]
    pub accept: Option<String>,
    /// The state, history, site and solver options, as for `v2b decide`.
    #[command(flatten)]
    pub decide: DecideArgs,
}

/// The controller, the state and the history of a `decide` or `quote` call.
fn load(args: &DecideArgs) -> Result<(Controller, SiteState, History), InputError> {
    let site: Site = match &args.site {
        Some(path) => read_json(path)?,
        None => Site::paper_default(),
    };
    let config = SiteConfig {
        site,
        tariff: crate::v2b::load_tariff(args.tariff.as_deref())?,
        ..SiteConfig::default()
    };
    let controller = Controller::new(config, options(args)?).map_err(|e| match e {
        Error::InvalidField { field, reason } => bad_arg(&field.replace('_', "-"), reason),
        other => InputError::V2b(other),
    })?;
    let state: SiteState = read_json(&args.state)?;
    let slotted = controller
        .slotted(&state)
        .map_err(|e| state_error(&args.state, e))?;
    let history = history(args, slotted.date, &controller.config().clock())?;
    Ok((controller, state, history))
}

/// Quotes CONSENT's menu to one arriving driver (and applies her answer with `--accept`).
pub fn quote(args: &QuoteArgs) -> Result<String, InputError> {
    let (controller, state, history) = load(&args.decide)?;
    let arrival: LiveArrival = read_json(&args.arrival)?;
    let negotiator = Negotiator::consent(args.decide.seed);
    let q = controller
        .quote(&negotiator, &state, &arrival, &history)
        .map_err(|e| state_error(&args.arrival, e))?;
    let mut value = serde_json::json!({
        "time": q.time,
        "ev": q.arrival.id,
        "charger": q.charger,
        "forecast": q.forecast,
        "options": q.options,
        "menu": q.menu,
    });
    if let Some(answer) = &args.accept {
        let choice = match answer.as_str() {
            "reject" => Choice::Reject,
            level => Choice::Accept(level.parse().map_err(|_| {
                bad_arg(
                    "accept",
                    format!("expected a level index or reject, got {level:?}"),
                )
            })?),
        };
        let accepted = controller
            .accept(&q, choice)
            .map_err(|e| bad_arg("accept", e.to_string()))?;
        value["accepted"] = match accepted {
            Some((ev, price)) => serde_json::json!({"ev": ev, "price_usd": price}),
            None => serde_json::Value::Null,
        };
    }
    Ok(serde_json::to_string_pretty(&value).expect("JSON values serialise"))
}

/// Runs one decision and returns its JSON.
pub fn run(args: &DecideArgs) -> Result<String, InputError> {
    let (mut controller, state, history) = load(args)?;
    let decision = controller.decide(&state, &history)?;
    let mut value = serde_json::to_value(&decision).expect("decisions serialise");
    if args.ocpp {
        let profiles = ocpp::profiles(&decision, 1).map_err(|e| state_error(&args.state, e))?;
        let requests: Vec<_> = profiles.iter().map(|p| &p.request).collect();
        value["ocpp"] = serde_json::to_value(requests).expect("OCPP messages serialise");
        let unsent: serde_json::Map<String, serde_json::Value> = profiles
            .iter()
            .filter(|p| !p.discharge_not_sent_kw.is_empty())
            .map(|p| (p.ev.clone(), serde_json::json!(p.discharge_not_sent_kw)))
            .collect();
        value["ocpp_discharge_not_sent_kw"] = serde_json::Value::Object(unsent);
    }
    Ok(serde_json::to_string_pretty(&value).expect("JSON values serialise"))
}
