//! What moves the static menu's reject rate (issue 18's check of the menu-based baseline).
//!
//! The static menu's prices do not depend on the charging, so its rejects do not either (only
//! the chargers' availability, which negotiated delays move, does): each variant is simulated
//! with ReqCharge, in seconds. Prints served, declined, no-charger, the reject rate and the
//! users' price per kWh per variant, under each static pricing rule (`StaticMenuRule`).
//!
//! ```text
//! cargo run --release --example menu_rejects
//! cargo run --release --example menu_rejects -- --sessions ../shared/data/acn/caltech_2019-06.csv
//! ```

use clap::Parser;
use evmech::v2b_control::negotiation::{AcceptanceMode, Negotiator, Profile, StaticMenuRule};
use evmech::v2b_control::policy::ReqCharge;
use evmech::v2b_control::{simulate_with, Scenario, SessionOptions, Site};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/v2b-control/tests/data");

/// Arguments.
#[derive(Debug, Parser)]
struct Args {
    /// ACN session CSV (weekdays are kept, cut at midnight).
    #[arg(long, default_value_t = format!("{DATA}/caltech_2019-05_weekdays.csv"))]
    sessions: String,
    /// Hourly building CSV.
    #[arg(long, default_value_t = format!("{DATA}/doe_medium_office_la_hourly.csv"))]
    building: String,
    /// Seed of the users and their choices.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// One variant of the baseline: its name and how it changes the default.
type Variant = (&'static str, fn(&mut Negotiator));

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let scenario = Scenario::from_csv_files(
        std::path::Path::new(&args.sessions),
        std::path::Path::new(&args.building),
        Site::paper_default(),
        &SessionOptions::paper(),
        None,
    )?;
    let variants: [Variant; 9] = [
        (
            "default (two-stage logit, levels at their largest deviation)",
            |_| {},
        ),
        ("reject as a logit option with Y = 0", |n| {
            n.settings.acceptance = AcceptanceMode::MultinomialWithOutside
        }),
        ("rational users (best option, reject if every Y < 0)", |n| {
            n.settings.acceptance = AcceptanceMode::Rational
        }),
        ("option 0 only", |n| n.settings.menu.levels.truncate(1)),
        ("outside option 0.20 USD/kWh (not 0.30)", |n| {
            n.settings.menu.external_price_usd_per_kwh = 0.20
        }),
        ("outside option 0.178 USD/kWh (the retail price)", |n| {
            n.settings.menu.external_price_usd_per_kwh = 0.178
        }),
        ("users' weights at their type means", |n| {
            n.settings.users.means_only = true
        }),
        ("less flexible users (weights x 1.25)", |n| {
            n.settings.users.profile = Profile::LessFlexible
        }),
        ("more flexible users (weights x 0.75)", |n| {
            n.settings.users.profile = Profile::MoreFlexible
        }),
    ];
    for rule in StaticMenuRule::ALL {
        println!(
            "\n{:<64} {:>6} {:>8} {:>10} {:>8} {:>10}",
            format!("static menu ({}) variant", rule.name()),
            "served",
            "declined",
            "no charger",
            "reject %",
            "user $/kWh"
        );
        for (name, change) in variants {
            let mut menu = Negotiator::menu_baseline_with(args.seed, rule);
            change(&mut menu);
            let r = simulate_with(&scenario, &mut ReqCharge, &mut menu, None)?;
            let u = &r.users;
            println!(
                "{name:<64} {:>6} {:>8} {:>10} {:>8.2} {:>10.3}",
                u.served, u.declined, u.no_charger, u.reject_pct, u.user_cost_usd_per_kwh
            );
        }
    }
    Ok(())
}
