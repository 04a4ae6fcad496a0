//! Copositive prices for a real morning at Caltech's garage (ACN data, `../shared/data/acn`).
//!
//! The sessions arriving 06:00-12:00 on one day become one station-access instance per garage
//! level (`evmech::lab::station_access`: EVSEs grouped by id, stations at 30 % of their
//! chargers' rates, values from each driver's urgency). Each level is priced with the sparse PSD + NN cone
//! and branching within a time budget; the example prints, per station and slot, the marginal
//! prices of power (`rho`, $/kWh) and of EVSE access (`rho`, $ per EVSE-slot) with their
//! curvature `eta`, and each level's W*, bound, gap and why it stopped.
//!
//! ```text
//! cargo run --release --example copositive_caltech -- \
//!     --sessions ../shared/data/acn/caltech_2019-05.csv --date 2019-05-22 --time-limit 120
//! ```
//!
//! `--linear` certifies each level with LP duality per region instead (`cone: "linear"`).

use clap::Parser;
use evmech::copositive::{price, InnerCone, LiftKind, PricingOptions, Tightening};
use evmech::lab::station_access::{acn_window_instances, AcnWindow};
use evmech::milp_model::RowName;
use evmech::v2b_control::Date;
use std::path::PathBuf;

/// Arguments.
#[derive(Debug, Parser)]
struct Args {
    /// ACN session file (CSV).
    #[arg(long, default_value = "../shared/data/acn/caltech_2019-05.csv")]
    sessions: PathBuf,
    /// Local date, YYYY-MM-DD.
    #[arg(long, default_value = "2019-05-22")]
    date: String,
    /// First hour of the window.
    #[arg(long, default_value_t = 6)]
    start_hour: u32,
    /// Hour the window ends (exclusive).
    #[arg(long, default_value_t = 12)]
    end_hour: u32,
    /// Station power as a share of its chargers' total rating.
    #[arg(long, default_value_t = 0.3)]
    power_share: f64,
    /// Time budget per garage level, seconds.
    #[arg(long, default_value_t = 120.0)]
    time_limit: f64,
    /// Certify with LP duality per region (`cone: "linear"`) instead of the sparse PSD + NN
    /// cone: linear prices per region, faster on large levels.
    #[arg(long)]
    linear: bool,
}

fn parse_date(text: &str) -> Result<Date, String> {
    let bad = || format!("--date must be YYYY-MM-DD, got {text:?}");
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let (y, m, d) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    Date::new(y, m, d).map_err(|e| format!("--date: {e}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut window = AcnWindow::morning(parse_date(&args.date)?);
    window.start_minute = args.start_hour * 60;
    window.end_minute = args.end_hour * 60;
    window.power_share = args.power_share;
    let file = std::fs::File::open(&args.sessions)
        .map_err(|e| format!("{}: {e}", args.sessions.display()))?;
    let groups = acn_window_instances(file, &args.sessions.display().to_string(), &window)?;
    let sessions: usize = groups.iter().map(|g| g.evs.len()).sum();
    println!(
        "{} {:02}:00-{:02}:00: {sessions} sessions at {} stations",
        args.date,
        args.start_hour,
        args.end_hour,
        groups.len()
    );
    let (cone_kind, lift) = match args.linear {
        true => (InnerCone::Linear, LiftKind::Linear),
        false => (InnerCone::SparsePsdNn, LiftKind::Sparse),
    };
    let options = PricingOptions {
        cone_kind,
        lift,
        tightening: Tightening::Auto,
        time_limit_s: Some(args.time_limit),
        ..PricingOptions::default()
    };
    let (mut welfare, mut bound) = (0.0, 0.0);
    for group in &groups {
        let st = &group.instance.stations()[0];
        let hindsight = group.evs.iter().filter(|e| e.hindsight).count();
        println!(
            "\nstation {} ({} EVSEs, {:.1} kW): {} EVs ({hindsight} with hindsight requests)",
            group.station,
            st.evse,
            st.power_kw,
            group.evs.len()
        );
        let p = match price(&group.instance, &options) {
            Ok(p) => p,
            Err(e) => {
                println!("  not priced: {e}");
                continue;
            }
        };
        welfare += p.welfare;
        bound += p.dual_bound;
        let served = p.plan.assignment.iter().filter(|a| a.is_some()).count();
        println!(
            "  W* {:.3} $, bound {:.3} $, gap {:.2e} ({}), {served} served, {:.1} s, stopped by {:?}",
            p.welfare,
            p.dual_bound,
            p.gap,
            if p.exact { "exact" } else { "not closed" },
            p.solve_seconds,
            p.stopped_by
        );
        for c in p.prices.iter().filter(|c| c.rho > 1e-6 || c.eta > 1e-6) {
            let (what, slot) = match c.row {
                RowName::Power { slot, .. } => ("power", slot),
                RowName::Evse { slot, .. } => ("evse", slot),
                RowName::SitePower { slot } => ("site power", slot),
                _ => continue,
            };
            let hour = args.start_hour as usize + slot;
            println!(
                "  {hour:02}:00 {what:<6} rho {:.4}  eta {:.5}",
                c.rho, c.eta
            );
        }
    }
    println!(
        "\nsite: W* {welfare:.3} $, bound {bound:.3} $, gap {:.2e} $",
        bound - welfare
    );
    Ok(())
}
