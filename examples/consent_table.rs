//! CONSENT against its baselines on a month of weekdays: the paper's Table 1 (policies), Table 2
//! (users' flexibility profiles) and Table 3 (the share alpha of the utility passed to users),
//! on the May 2019 Caltech ACN sessions with the DOE medium-office load (spec `v2b-consent.md`
//! sections 5-7).
//!
//! Prints each table, writes `tables.csv` (one line per table row) and `tradeoff.svg`
//! (building cost against reject rate) to `--out`.
//!
//! ```text
//! cargo run --release --example consent_table -- --out target/consent_table
//! cargo run --release --example consent_table -- --tables 1 --days 5 --charging-scenarios 10
//! ```

use clap::Parser;
use evmech::lab::consent_table::{run_table, TablePolicy, TableSettings};
use evmech::lab::export;
use evmech::v2b_control::negotiation::Profile;
use evmech::v2b_control::policy::grid_by_name;
use evmech::v2b_control::policy::ForecastMode;
use evmech::v2b_control::{EpisodeReport, Scenario, SessionOptions, Site};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/v2b-control/tests/data");

/// Arguments.
#[derive(Debug, Parser)]
struct Args {
    /// ACN session CSV.
    #[arg(long, default_value_t = format!("{DATA}/caltech_2019-05_weekdays.csv"))]
    sessions: String,
    /// Hourly building CSV.
    #[arg(long, default_value_t = format!("{DATA}/doe_medium_office_la_hourly.csv"))]
    building: String,
    /// Tables to produce, comma-separated (1, 2, 3).
    #[arg(long, default_value = "1,2,3")]
    tables: String,
    /// Futures per MC-MPC decision.
    #[arg(long, default_value_t = 30)]
    charging_scenarios: usize,
    /// Futures per menu.
    #[arg(long, default_value_t = 10)]
    negotiation_scenarios: usize,
    /// MC-MPC's time grid: slots (default, the grid of the recorded tables) or hourly.
    #[arg(long, default_value = "slots")]
    grid: String,
    /// Futures of MC-MPC and the menus: history (causal, the default) or hindsight-pool (the
    /// paper's: any other day of the month, later days included; labelled in every output).
    #[arg(long, default_value = "history")]
    forecast: String,
    /// Seed of futures, users and choices (shared by every row: paired comparisons).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How CONSENT's credits are settled: escrow (the default) or at-quote (the paper's rule,
    /// with which the tables of docs/v2b.md were computed).
    #[arg(long, default_value = "escrow")]
    settlement: String,
    /// How far MC-MPC's refinement may charge an EV: target (the default) or ceiling (the
    /// paper's eq. 20, with which the tables of docs/v2b.md before 2026-11-30 were computed).
    #[arg(long, default_value = "target")]
    refine_to: String,
    /// How far ahead MC-MPC plans: hours ahead, 1 to 24 (default 24), or end-of-day (the paper's).
    #[arg(long, default_value = "24")]
    horizon: String,
    /// How the static menu (row 6) is priced: utility-rate (the default) or
    /// inconvenience-discount (the tables of docs/v2b.md before 2026-12-01).
    #[arg(long, default_value = "utility-rate")]
    menu_rule: String,
    /// How the futures weigh users who have not arrived yet: committed (the default, the
    /// paper's model) or outside-option (a missing kWh at the external charging price).
    #[arg(long, default_value = "committed")]
    future_users: String,
    /// First N weekdays only.
    #[arg(long)]
    days: Option<usize>,
    /// Output directory.
    #[arg(long, default_value = "target/consent_table")]
    out: PathBuf,
}

/// One printed and written row.
struct Row {
    table: &'static str,
    setting: String,
    report: EpisodeReport,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let scenario = Scenario::from_csv_files(
        std::path::Path::new(&args.sessions),
        std::path::Path::new(&args.building),
        Site::paper_default(),
        &SessionOptions::paper(),
        args.days,
    )?;
    let base = TableSettings {
        charging_scenarios: args.charging_scenarios,
        negotiation_scenarios: args.negotiation_scenarios,
        seed: args.seed,
        time_grid: grid_by_name(&args.grid)?,
        forecast: match args.forecast.as_str() {
            "history" => ForecastMode::History,
            "hindsight-pool" => ForecastMode::HindsightPool,
            other => {
                return Err(format!(
                    "--forecast: expected history or hindsight-pool, got {other:?}"
                )
                .into())
            }
        },
        settlement: args.settlement.parse()?,
        refine_to: args.refine_to.parse()?,
        horizon: args.horizon.parse()?,
        menu_rule: args.menu_rule.parse()?,
        future_users: args.future_users.parse()?,
        ..TableSettings::default()
    };
    let tables: Vec<&str> = args.tables.split(',').map(str::trim).collect();
    let terminal = std::io::stderr().is_terminal();
    // Every (table, setting) is an independent, seeded run: they go side by side on all cores
    // (and each one's rows and menu levels inside it), with the same numbers as one by one.
    let mut jobs: Vec<(&'static str, String, TableSettings, Vec<TablePolicy>)> = Vec::new();
    if tables.contains(&"1") {
        jobs.push(("1", "survey".into(), base, TablePolicy::ALL.to_vec()));
    }
    if tables.contains(&"2") {
        let policies = vec![
            TablePolicy::Consent,
            TablePolicy::ConsentNoReject,
            TablePolicy::Menu,
        ];
        for profile in Profile::ALL {
            let settings = TableSettings { profile, ..base };
            jobs.push(("2", profile.name().into(), settings, policies.clone()));
        }
    }
    if tables.contains(&"3") {
        for alpha in [1.0, 0.9, 0.75, 0.5, 0.25, 0.1] {
            let settings = TableSettings { alpha, ..base };
            jobs.push((
                "3",
                format!("alpha={alpha}"),
                settings,
                vec![TablePolicy::Consent],
            ));
        }
    }
    let progress = Mutex::new(export::terminal_progress());
    let results: Vec<Vec<EpisodeReport>> = jobs
        .par_iter()
        .map(|(_, _, settings, policies)| {
            let mut report = |policy: &str, done: usize, total: usize| {
                if let Ok(mut p) = progress.lock() {
                    p(policy, done, total);
                }
            };
            run_table(&scenario, policies, settings, &mut report)
        })
        .collect::<Result<_, _>>()?;
    let mut rows: Vec<Row> = Vec::new();
    for ((table, setting, _, _), reports) in jobs.into_iter().zip(results) {
        for report in reports {
            rows.push(Row {
                table,
                setting: setting.clone(),
                report,
            });
        }
    }
    if terminal {
        eprintln!();
    }
    std::fs::create_dir_all(&args.out)?;
    let mut csv = String::from(
        "table,setting,policy,building_cost_usd,user_cost_usd_per_kwh,monthly_user_cost_usd,reject_pct,declined,no_charger,missing_soc_kwh,peak_kw,seconds_per_arrival\n",
    );
    let months = scenario.billing_months() as f64;
    for table in ["1", "2", "3"] {
        let of: Vec<&Row> = rows.iter().filter(|r| r.table == table).collect();
        if of.is_empty() {
            continue;
        }
        println!(
            "\nTable {table} ({} weekdays, seed {}, settlement: {}, refine to: {}, horizon: {}, menu rule: {}, later users: {}, futures: {}{}):",
            scenario.days().len(),
            args.seed,
            args.settlement,
            args.refine_to,
            args.horizon,
            args.menu_rule,
            args.future_users,
            args.forecast,
            if args.forecast == "history" {
                ""
            } else {
                ", HINDSIGHT"
            }
        );
        println!(
            "{:<16} {:<19} {:>12} {:>9} {:>10} {:>8} {:>8} {:>9}",
            "setting",
            "policy",
            "building $",
            "user $/kWh",
            "user $/mo",
            "reject %",
            "missing",
            "s/arrival"
        );
        for r in of {
            let e = &r.report;
            let u = &e.users;
            println!(
                "{:<16} {:<19} {:>12.2} {:>9.3} {:>10.2} {:>8.2} {:>8.2} {:>9.3}",
                r.setting,
                e.policy,
                e.building_cost_usd / months,
                u.user_cost_usd_per_kwh,
                u.payments_usd / months,
                u.reject_pct,
                e.missing_soc_kwh,
                u.arrival_seconds.mean
            );
            writeln!(
                csv,
                "{},{},{},{:.4},{:.6},{:.4},{:.4},{},{},{:.4},{:.4},{:.6}",
                table,
                r.setting,
                e.policy,
                e.building_cost_usd / months,
                u.user_cost_usd_per_kwh,
                u.payments_usd / months,
                u.reject_pct,
                u.declined,
                u.no_charger,
                e.missing_soc_kwh,
                e.peak_kw,
                u.arrival_seconds.mean
            )?;
        }
    }
    std::fs::write(args.out.join("tables.csv"), csv)?;
    let points: Vec<(String, f64, f64)> = rows
        .iter()
        .filter(|r| r.report.arrivals > 0)
        .map(|r| {
            (
                format!("{} {}", r.setting, r.report.policy),
                r.report.users.reject_pct,
                r.report.building_cost_usd / months,
            )
        })
        .collect();
    std::fs::write(
        args.out.join("tradeoff.svg"),
        export::scatter_svg(&points, "reject %", "building USD / month"),
    )?;
    println!("\nwrote {}/tables.csv and tradeoff.svg", args.out.display());
    Ok(())
}
