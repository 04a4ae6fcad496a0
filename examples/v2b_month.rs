//! Every charging policy on a month of weekdays: the May 2019 Caltech ACN sessions (the 15
//! busiest stations) with the DOE medium-office building load, the paper's site and tariff
//! (spec `v2b-consent.md` sections 7, 8.3, 9).
//!
//! Prints a table in the shape of the paper's Tables 10 and 11 (bill, gap to the Oracle, missing
//! energy, cars below target, peak shaving against MaxCharge, time per decision), writes the
//! per-day and per-slot CSV and an SVG plot of one day, with a progress bar on the terminal.
//!
//! ```text
//! cargo run --release --example v2b_month -- --scenarios 30 --out target/v2b_month
//! cargo run --release --example v2b_month -- --days 5 --scenarios 10 --out target/v2b_week
//! ```

use clap::Parser;
use evmech::lab::compare::compare;
use evmech::lab::export;
use evmech::v2b_control::policy::{grid_by_name, PolicyKind, PolicySettings};
use evmech::v2b_control::{Scenario, SessionOptions, Site};
use std::path::PathBuf;

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
    /// Policies, comma-separated.
    #[arg(long, default_value = "maxcharge,reqcharge,edf,llf,mpc,mc-mpc,oracle")]
    policies: String,
    /// Futures per MC-MPC decision.
    #[arg(long, default_value_t = 30)]
    scenarios: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// MC-MPC's time grid: hourly (default) or slots.
    #[arg(long, default_value = "hourly")]
    grid: String,
    /// First N weekdays only.
    #[arg(long)]
    days: Option<usize>,
    /// Day drawn in the SVG (index among the simulated days).
    #[arg(long, default_value_t = 0)]
    plot_day: usize,
    /// Output directory for days.csv, slots.csv and plot.svg.
    #[arg(long, default_value = "target/v2b_month")]
    out: PathBuf,
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
    let kinds = PolicyKind::parse_list(&args.policies)?;
    let settings = PolicySettings {
        scenarios: args.scenarios,
        seed: args.seed,
        time_grid: grid_by_name(&args.grid)?,
        ..PolicySettings::default()
    };
    let reports = compare(
        &scenario,
        &kinds,
        &settings,
        &mut export::terminal_progress(),
    )?;
    let oracle = reports
        .iter()
        .find(|r| r.policy == "oracle")
        .map(|r| r.building_cost_usd);
    let max_peak = reports
        .iter()
        .find(|r| r.policy == "maxcharge")
        .map(|r| r.peak_kw);
    println!(
        "{} weekdays, {} sessions, F = {}, seed {}",
        scenario.days().len(),
        reports.first().map_or(0, |r| r.arrivals),
        args.scenarios,
        args.seed
    );
    println!(
        "{:<13}{:>11}{:>9}{:>10}{:>10}{:>8}{:>9}{:>10}{:>8}{:>12}",
        "policy",
        "bill USD",
        "vs orc",
        "energy",
        "demand",
        "peak",
        "miss kWh",
        "cars<tgt",
        "shave",
        "ms/decision"
    );
    for r in &reports {
        let gap = oracle.map_or(String::from("-"), |o| {
            format!("{:+.2}%", 100.0 * (r.building_cost_usd / o - 1.0))
        });
        let shave = max_peak.map_or(String::from("-"), |p| format!("{:.2}", p - r.peak_kw));
        println!(
            "{:<13}{:>11.2}{:>9}{:>10.2}{:>10.2}{:>8.2}{:>9.2}{:>10}{:>8}{:>12.2}",
            r.policy,
            r.building_cost_usd,
            gap,
            r.energy_cost_usd,
            r.demand_cost_usd,
            r.peak_kw,
            r.missing_soc_kwh,
            r.cars_below_target,
            shave,
            1e3 * r.seconds_per_decision
        );
    }
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(args.out.join("days.csv"), export::days_csv(&reports))?;
    let clock = scenario.clock();
    std::fs::write(
        args.out.join("slots.csv"),
        export::slots_csv(&reports, &clock),
    )?;
    if let Some(svg) = export::day_svg(&reports, args.plot_day) {
        std::fs::write(args.out.join("plot.svg"), svg)?;
    }
    println!(
        "wrote {}/{{days.csv,slots.csv,plot.svg}}",
        args.out.display()
    );
    Ok(())
}
