//! `evmech v2b negotiate`: CONSENT and the baselines of the paper's Table 1 on a month of
//! sessions and building load.

use crate::input_error::InputError;
use crate::json_num::num;
use crate::v2b::{bad_arg, date, forecast_by_name, load_episode, write_file, EpisodeArgs};
use evmech_lab::consent_table::{run_table, TablePolicy, TableSettings};
use evmech_lab::export;
use evmech_lab::ledger_csv::{ledger_csv, ledger_months_csv};
use evmech_v2b_control::ledger::{ledger, Ledger};
use evmech_v2b_control::negotiation::Profile;
use evmech_v2b_control::negotiation::{Settlement, StaticMenuRule};
use evmech_v2b_control::policy::grid_by_name;
use evmech_v2b_control::{EpisodeReport, Scenario};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

/// Arguments of `v2b negotiate`.
#[derive(Debug, clap::Args)]
pub struct NegotiateArgs {
    /// Comma-separated rows of Table 1: building-only, uncoordinated-free, smart-free,
    /// smart-fixed, smart-utility, menu, consent, consent-no-reject.
    #[arg(
        long,
        default_value = "building-only,uncoordinated-free,smart-free,smart-fixed,smart-utility,menu,consent,consent-no-reject"
    )]
    pub policies: String,
    /// Share of a positive marginal utility passed to users, in [0, 1].
    #[arg(long, default_value_t = 1.0)]
    pub alpha: f64,
    /// Users' flexibility profile: baseline, more-flexible, range-sensitive, time-sensitive,
    /// less-flexible.
    #[arg(long, default_value = "baseline")]
    pub profile: String,
    /// Futures per menu.
    #[arg(long, default_value_t = 10)]
    pub scenarios: usize,
    /// Futures per MC-MPC charging decision.
    #[arg(long, default_value_t = 30)]
    pub charging_scenarios: usize,
    /// MC-MPC's time grid for the charging: slots (every slot; the default, the grid of the
    /// recorded tables in docs/v2b.md) or hourly (the first hour slot by slot, then hours; faster).
    #[arg(long, default_value = "slots")]
    pub grid: String,
    /// Seed of every random stream (futures, users, choices).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How CONSENT's credits (prices below zero) are settled: escrow (paid at the end of the
    /// billing month out of the month's realized surplus, the default) or at-quote (paid in
    /// full at departure: the paper's rule).
    #[arg(long, default_value = "escrow")]
    pub settlement: String,
    /// How the static menu (row `menu`) is priced: utility-rate (option 0 at the peak rate
    /// 0.178, the last option at the off-peak rate 0.137 USD/kWh, the options between on a
    /// linear ladder; the default) or inconvenience-discount (0.178 USD/kWh on the energy
    /// delivered minus the survey's mean inconvenience of the option; the tables made before
    /// 2026-12-01).
    #[arg(long, default_value = "utility-rate")]
    pub menu_rule: String,
    /// The data files, the episode mapping and the output directory.
    #[command(flatten)]
    pub episode: EpisodeArgs,
}

/// Runs the rows, writes `summary.json`, `run.json`, `days.csv`, `slots.csv`, `sessions.csv`,
/// `arrivals.csv`, `ledger.csv` and `ledger_months.csv` into `--out`, and returns
/// the summary.
pub fn run(args: &NegotiateArgs) -> Result<String, InputError> {
    let rows = TablePolicy::parse_list(&args.policies).map_err(InputError::V2b)?;
    let profile: Profile = args.profile.parse().map_err(InputError::V2b)?;
    let time_grid = grid_by_name(&args.grid).map_err(InputError::V2b)?;
    let settlement: Settlement = args.settlement.parse().map_err(InputError::V2b)?;
    let menu_rule: StaticMenuRule = args.menu_rule.parse().map_err(InputError::V2b)?;
    if !(0.0..=1.0).contains(&args.alpha) {
        return Err(bad_arg(
            "alpha",
            format!("must be in [0, 1], got {}", args.alpha),
        ));
    }
    let crate::v2b_episode::Loaded {
        scenario,
        backend,
        notes,
    } = load_episode(&args.episode)?;
    crate::v2b::prepare_out_dir(&args.episode.out)?;
    let settings = TableSettings {
        charging_scenarios: args.charging_scenarios,
        negotiation_scenarios: args.scenarios,
        seed: args.seed,
        alpha: args.alpha,
        profile,
        backend,
        on_failure: args.episode.on_failure(),
        time_grid,
        forecast: forecast_by_name(&args.episode.forecast)?,
        settlement,
        menu_rule,
        refine_to: crate::v2b::refine_by_name(&args.episode.refine_to)?,
        horizon: crate::v2b::horizon_by_name(&args.episode.horizon)?,
        future_users: crate::v2b::future_users_by_name(&args.episode.future_users)?,
        ..TableSettings::default()
    };
    let mut progress = export::terminal_progress();
    let reports = args
        .episode
        .with_threads(|| Ok(run_table(&scenario, &rows, &settings, &mut progress)?))?;
    let ledgers = args.episode.with_threads(|| {
        Ok(reports
            .par_iter()
            .map(|r| ledger(&scenario, r, Some(backend)))
            .collect::<Result<Vec<_>, _>>()?)
    })?;
    let mut summary = summary_json(&scenario, &reports);
    add_ledger_json(&mut summary, &ledgers);
    let text = serde_json::to_string_pretty(&summary).expect("JSON values serialise");
    let run = json!({
        "days": scenario.days().len(),
        "first_date": date(&scenario, 0),
        "months": scenario.billing_months(),
        "scenarios": args.scenarios,
        "charging_scenarios": args.charging_scenarios,
        "grid": args.grid,
        "forecast": args.episode.forecast,
        "hindsight": settings.forecast.is_hindsight(),
        "refine_to": settings.refine_to.name(),
        "horizon": settings.horizon.name(),
        "future_users": settings.future_users.name(),
        "history_records": scenario.history_records().name(),
        "time_grid": time_grid,
        "seed": args.seed,
        "settlement": settlement.name(),
        "menu_rule": menu_rule.name(),
        "alpha": args.alpha,
        "profile": profile.name(),
        "backend": backend.name(),
        "threads": crate::v2b::rayon_threads(&args.episode),
        "departure": args.episode.departure,
        "tariff": &scenario.tariff().name,
        "openv2b": args.episode.openv2b.as_ref().map(|p| p.display().to_string()),
        "import_notes": notes,
        "stress": args.episode.stress,
        "stress_seed": args.episode.stress_seed,
        "policies": rows.iter().map(|k| k.name()).collect::<Vec<_>>(),
    });
    write_file(
        &args.episode.out.join("summary.json"),
        &(text.clone() + "\n"),
    )?;
    write_file(
        &args.episode.out.join("run.json"),
        &(serde_json::to_string_pretty(&run).expect("JSON") + "\n"),
    )?;
    write_file(
        &args.episode.out.join("days.csv"),
        &export::days_csv(&reports),
    )?;
    let clock = scenario.clock();
    write_file(
        &args.episode.out.join("slots.csv"),
        &export::slots_csv(&reports, &clock),
    )?;
    write_file(
        &args.episode.out.join("sessions.csv"),
        &export::sessions_csv(&reports, scenario.site(), &clock),
    )?;
    write_file(
        &args.episode.out.join("arrivals.csv"),
        &export::arrivals_csv(&reports, scenario.tariff().slot_hours()),
    )?;
    write_file(&args.episode.out.join("ledger.csv"), &ledger_csv(&ledgers))?;
    write_file(
        &args.episode.out.join("ledger_months.csv"),
        &ledger_months_csv(&ledgers),
    )?;
    Ok(text)
}

/// Adds to each row of the summary its ledger per month (`ledger`: what the EVs added to the
/// building's costs, what users paid, the credits and the decomposition of the net cost).
fn add_ledger_json(summary: &mut Value, ledgers: &[Ledger]) {
    for l in ledgers {
        if let Some(Value::Object(o)) = summary.get_mut(&l.policy) {
            let months: Vec<Value> = l
                .months
                .iter()
                .map(|m| {
                    json!({
                        "month": format!("{}-{:02}", m.year, m.month),
                        "building_only_usd": num(m.building_only_usd),
                        "ev_added_cost_usd": num(m.ev_added_cost_usd),
                        "payments_usd": num(m.payments_usd),
                        "net_cost_of_evs_usd": num(m.net_cost_of_evs_usd),
                        "credits_promised_usd": num(m.credits_promised_usd),
                        "credits_paid_usd": num(m.credits_paid_usd),
                        "gap_terms": m.gap_terms(),
                        "hindsight_month_added_cost_usd": m.hindsight_month_added_cost_usd.map(num),
                        "energy_added_kwh": num(m.energy_added_kwh),
                        "user_usd_per_kwh": m.user_usd_per_kwh().map(num),
                        "break_even_usd_per_kwh": m.break_even_usd_per_kwh().map(num),
                        "peak_kw": num(m.peak_kw),
                        "demand_cost_usd": num(m.demand_cost_usd),
                        "hindsight_month_peak_kw": m.hindsight_month_peak_kw.map(num),
                        "hindsight_month_demand_usd": m.hindsight_month_demand_usd.map(num),
                        "demand_gap_usd": m.demand_gap_usd().map(num),
                    })
                })
                .collect();
            o.insert("ledger".into(), Value::Array(months));
        }
    }
}

/// The `summary.json` object: one entry per row, the contract's fields first. Dollar amounts
/// are per billing month (the episode's totals divided by its months), as in Table 1.
pub fn summary_json(scenario: &Scenario, reports: &[EpisodeReport]) -> Value {
    let m = scenario.billing_months() as f64;
    let mut out = Map::new();
    for r in reports {
        let u = &r.users;
        let mut o = Map::new();
        o.insert("building_cost_usd".into(), num(r.building_cost_usd / m));
        o.insert("user_cost_usd_per_kwh".into(), num(u.user_cost_usd_per_kwh));
        o.insert("monthly_user_cost_usd".into(), num(u.payments_usd / m));
        o.insert("reject_pct".into(), num(u.reject_pct));
        o.insert("missing_soc_kwh".into(), num(r.missing_soc_kwh));
        o.insert("seconds_per_arrival".into(), num(u.arrival_seconds.mean));
        o.insert("seconds_per_arrival_p95".into(), num(u.arrival_seconds.p95));
        o.insert("seconds_per_arrival_max".into(), num(u.arrival_seconds.max));
        o.insert("arrivals".into(), json!(r.arrivals));
        o.insert("served".into(), json!(u.served));
        o.insert("declined".into(), json!(u.declined));
        o.insert("no_charger".into(), json!(u.no_charger));
        o.insert("levels_chosen".into(), json!(u.levels_chosen));
        o.insert("user_energy_kwh".into(), num(u.energy_kwh));
        o.insert("payments_usd".into(), num(u.payments_usd));
        o.insert("energy_cost_usd".into(), num(r.energy_cost_usd / m));
        o.insert("demand_cost_usd".into(), num(r.demand_cost_usd / m));
        o.insert("compensation_usd".into(), num(r.compensation_usd / m));
        o.insert("degradation_usd".into(), num(r.degradation_usd / m));
        o.insert("peak_kw".into(), num(r.peak_kw));
        o.insert("cars_below_target".into(), json!(r.cars_below_target));
        o.insert("menu_lp_solves".into(), json!(u.lp_solves));
        o.insert("charging_lp_solves".into(), json!(r.lp_solves));
        o.insert("seconds_per_decision".into(), num(r.seconds_per_decision));
        o.insert("fallbacks".into(), json!(r.fallbacks));
        o.insert("forecasts".into(), json!(r.forecasts));
        o.insert("export_usd".into(), num(-crate::v2b::export_credit(r)));
        o.insert("dr_penalty_usd".into(), num(r.dr_penalty_usd));
        o.insert("dr_incentive_usd".into(), num(r.dr_incentive_usd));
        o.insert("months".into(), crate::v2b::months_json(r));
        o.insert("over_months".into(), crate::v2b::over_months_json(r));
        out.insert(r.policy.clone(), Value::Object(o));
    }
    Value::Object(out)
}
