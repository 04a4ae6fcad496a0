//! One day of a building played through the live API, as a building energy manager would run
//! it: every 15 minutes the site's state goes to `Controller::decide`, the chargers get the
//! set-points (here: the plant model integrates them), and the OCPP 2.0.1 messages are written.
//!
//! The day starts from a state file (the EVs connected at its `time`); later arrivals of that
//! date are taken from the sessions file, and the controller's history holds only what had
//! happened before each call: sessions that had left, and the building load of earlier days.
//! Prints the set-points per slot; writes `setpoints.csv` and `ocpp.jsonl` (one
//! `SetChargingProfileRequest` per EV and slot) to `--out`.
//!
//! ```text
//! cargo run --release --example live_building -- --out target/live_building
//! ```

use clap::Parser;
use evmech::v2b_control::live::{ocpp, Controller, LiveEv, LiveOptions, SiteState};
use evmech::v2b_control::policy::PolicyKind;
use evmech::v2b_control::{
    load_acn_file, plant, BuildingLoad, Date, History, Session, SessionOptions, SiteConfig,
};
use std::fmt::Write as _;
use std::path::PathBuf;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Arguments.
#[derive(Debug, Parser)]
struct Args {
    /// The site's state at the start (time, load, month peak, connected EVs).
    #[arg(long, default_value_t = format!("{ROOT}/examples/data/live_state.json"))]
    state: String,
    /// Past and later sessions (ACN CSV): the history, and the day's later arrivals.
    #[arg(long, default_value_t = format!("{ROOT}/crates/v2b-control/tests/data/caltech_2019-05_weekdays.csv"))]
    sessions: String,
    /// Hourly building CSV.
    #[arg(long, default_value_t = format!("{ROOT}/crates/v2b-control/tests/data/doe_medium_office_la_hourly.csv"))]
    building: String,
    /// Policy: mc-mpc, mpc, llf, edf, reqcharge or maxcharge.
    #[arg(long, default_value = "mc-mpc")]
    policy: String,
    /// Futures per MC-MPC decision.
    #[arg(long, default_value_t = 30)]
    scenarios: usize,
    /// Output directory.
    #[arg(long, default_value = "target/live_building")]
    out: PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let config = SiteConfig::default();
    let mut state: SiteState = serde_json::from_str(&std::fs::read_to_string(&args.state)?)?;
    let options = LiveOptions {
        policy: args.policy.parse::<PolicyKind>()?,
        scenarios: args.scenarios,
        ..LiveOptions::default()
    };
    let mut controller = Controller::new(config.clone(), options)?;
    let start = controller.slotted(&state)?;
    let (today, first) = (start.date, start.slot);
    let clock = controller.config().clock();
    // Sessions on the site's clock (real time from local midnight: 92 or 100 slots on
    // daylight-saving days).
    let options = SessionOptions {
        time_zone: clock.zone().cloned(),
        ..SessionOptions::default()
    };
    let recorded = load_acn_file(args.sessions.as_ref(), &options)?;
    let load = BuildingLoad::from_file(args.building.as_ref())?;
    // Each connected EV's departure, slots from today's midnight.
    let mut leaves: std::collections::HashMap<String, usize> = state
        .evs
        .iter()
        .zip(&start.evs)
        .map(|(ev, slotted)| (ev.id.clone(), slotted.departure_slot))
        .collect();
    // Slot `k` of `date` (real time from local midnight) as RFC 3339 with the site's offset.
    let at = |date: Date, k: usize| clock.slot_start_text(date, k);
    let profile = load.profile_for_date(today, &clock)?;
    let mut history = History::new();
    history.record_building_year(&load, today, 56, &clock)?;
    let later: Vec<&Session> = recorded
        .iter()
        .filter(|s| s.date == today && s.arrival_slot > first)
        .collect();
    let mut csv = String::from("time,ev,charger,power_kw,energy_kwh\n");
    let mut jsonl = String::new();
    for (k, &building) in profile.iter().enumerate().skip(first) {
        state.time = at(today, k);
        state.building_kw = building;
        // Departures leave the state; the site records them.
        state
            .evs
            .retain(|ev| leaves.get(&ev.id).is_some_and(|&d| d > k));
        history.sessions = recorded
            .iter()
            .filter(|s| (s.date, s.departure_slot) <= (today, k))
            .cloned()
            .collect();
        for s in later.iter().filter(|s| s.arrival_slot == k) {
            let taken: Vec<usize> = state.evs.iter().map(|e| e.charger).collect();
            let Some(charger) = (0..config.site.chargers().len()).find(|c| !taken.contains(c))
            else {
                println!("{} no free charger for {}", state.time, s.id);
                continue;
            };
            let id = format!("acn-{}", state.evs.len() + k * 100);
            leaves.insert(id.clone(), s.departure_slot);
            state.evs.push(LiveEv {
                id,
                charger,
                arrival: at(today, k),
                departure: at(today, s.departure_slot),
                energy_kwh: s.arrival_energy_kwh,
                target_kwh: s.requested_energy_kwh,
                battery_kwh: s.battery_kwh,
                limits: s.limits,
            });
        }
        if state.evs.is_empty() {
            continue;
        }
        let decision = controller.decide(&state, &history)?;
        let mut line = format!("{} building {:6.1} kW |", decision.time, state.building_kw);
        let mut ev_kw = 0.0;
        for (ev, sp) in state.evs.iter_mut().zip(&decision.setpoints) {
            let c = config.charger(ev.charger);
            ev.energy_kwh =
                plant::integrate(ev.energy_kwh, sp.power_kw, c, 0.25).min(ev.battery_kwh);
            ev_kw += sp.power_kw;
            write!(line, " {}:{:+.1}", ev.charger, sp.power_kw)?;
            writeln!(
                csv,
                "{},{},{},{},{}",
                decision.time, sp.ev, sp.charger, sp.power_kw, ev.energy_kwh
            )?;
        }
        println!("{line}");
        if config.tariff.demand_applies(0, today, k) {
            state.month_peak_kw = state.month_peak_kw.max(state.building_kw + ev_kw);
        }
        for message in ocpp::profiles(&decision, (k * 100) as i32)? {
            jsonl.push_str(&serde_json::to_string(&message.request)?);
            jsonl.push('\n');
        }
    }
    std::fs::create_dir_all(&args.out)?;
    std::fs::write(args.out.join("setpoints.csv"), csv)?;
    std::fs::write(args.out.join("ocpp.jsonl"), jsonl)?;
    println!(
        "month peak after the day: {:.1} kW; wrote {}/setpoints.csv and ocpp.jsonl",
        state.month_peak_kw,
        args.out.display()
    );
    Ok(())
}
