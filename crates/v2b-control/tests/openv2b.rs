//! openv2b's `examples/one_day` read as an evmech scenario, simulated, and bad scenario
//! directories refused naming the file and field.

use evmech_v2b_control::policy::{MaxCharge, Oracle, OracleMode, ReqCharge};
use evmech_v2b_control::{
    load_openv2b, load_openv2b_with, simulate, Date, Error, Overnight, SessionStatus,
};
use std::path::{Path, PathBuf};

/// The package's directory, read when the test runs (cargo sets it), so a test binary built
/// from another checkout sharing the build cache still finds this checkout's files.
fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into())
}

fn one_day() -> PathBuf {
    Path::new(&manifest_dir()).join("../../examples/data/openv2b/one_day")
}

fn start() -> Date {
    Date::new(2019, 5, 1).unwrap()
}

#[test]
fn one_day_maps_every_part_of_the_scenario() {
    let read = load_openv2b(&one_day(), start()).unwrap();
    let s = &read.scenario;
    assert_eq!(s.days().len(), 1);
    let sessions = &s.days()[0].sessions;
    assert_eq!(sessions.len(), 3);
    // Vehicle 0: slots 32-68, 15 -> 48 kWh, 11 kW both ways, floor 6 kWh.
    let v0 = &sessions[0];
    assert_eq!((v0.arrival_slot, v0.departure_slot), (32, 68));
    assert_eq!(
        (v0.arrival_energy_kwh, v0.requested_energy_kwh),
        (15.0, 48.0)
    );
    assert_eq!(v0.limits.max_charge_kw, Some(11.0));
    assert_eq!(v0.limits.min_energy_kwh, Some(6.0));
    // Vehicle 1 wants less than it brings: its target is its arrival energy, and it is noted.
    assert_eq!(sessions[1].requested_energy_kwh, 60.0);
    assert!(
        read.notes
            .iter()
            .any(|n| n.contains("soc_target_kwh below")),
        "{:?}",
        read.notes
    );
    // Chargers: efficiencies 0.95, port 0 bidirectional.
    let c = s.site().chargers();
    assert_eq!(c.len(), 2);
    assert_eq!((c[0].max_discharge_kw, c[1].max_discharge_kw), (20.0, 0.0));
    assert_eq!(c[0].charge_efficiency, 0.95);
    // Prices: four periods; demand: the facilities charge only (no peak-TOU rate).
    let t = s.tariff();
    assert_eq!(t.energy.len(), 4);
    assert_eq!(t.energy_price(start(), 0), 0.10);
    assert_eq!(t.energy_price(start(), 50), 0.35);
    assert_eq!(t.energy_price(start(), 90), 0.20);
    assert_eq!(t.demand.len(), 1);
    assert_eq!(t.demand[0].usd_per_kw, 11.67);
    // Building load held between steps.
    assert_eq!(s.days()[0].building_kw[23], 22.0);
    assert_eq!(s.days()[0].building_kw[50], 62.0);
    // DR: openv2b's (48, 68] is evmech's [49, 69): 12:15 to 17:15.
    let e = &s.site().demand_response()[0];
    assert_eq!((e.from.minutes, e.to.minutes), (12 * 60 + 15, 17 * 60 + 15));
    assert_eq!(e.incentive_usd(), 13.6 * 15.0);
}

#[test]
fn one_day_simulates_with_the_vehicles_limits() {
    let s = load_openv2b(&one_day(), start()).unwrap().scenario;
    let max = simulate(&s, &mut MaxCharge, None).unwrap();
    // Two ports, three vehicles: vehicle 2 never connects (openv2b's never_connected).
    assert_eq!(max.rejected_sessions, 1);
    let rejected: Vec<&str> = max
        .sessions
        .iter()
        .filter(|o| o.status == SessionStatus::NoCharger)
        .map(|o| o.session_id.as_str())
        .collect();
    assert_eq!(rejected, ["000002-2"]);
    // Full power is the vehicles' 11 + 19 kW, not the ports' 40 kW.
    let peak_ev = max.days[0].ev_kw.iter().copied().fold(0.0, f64::max);
    assert!(peak_ev <= 30.0 + 1e-9 && peak_ev > 20.0, "{peak_ev}");
    // The Oracle meets every target and, discharging vehicle 0 into the DR window, pays less
    // penalty than the building alone would.
    let best = simulate(&s, &mut Oracle::new(OracleMode::Monthly), None).unwrap();
    assert!(best.missing_soc_kwh < 1e-6);
    assert!(best.building_cost_usd <= max.building_cost_usd);
    let alone: f64 = (49..69)
        .map(|k| (s.days()[0].building_kw[k] - 50.0).max(0.0) * 0.25 * 6.0)
        .sum();
    assert!(best.dr_penalty_usd < alone && best.dr_penalty_usd <= max.dr_penalty_usd);
    assert!(best.discharged_kwh > 0.0);
}

fn scratch(tag: &str, edit: impl Fn(&Path)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evmech-openv2b-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(one_day()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    edit(&dir);
    dir
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn bad_scenarios_are_refused_naming_file_and_field() {
    let err = |tag: &str, edit: &dyn Fn(&Path)| {
        let dir = scratch(tag, edit);
        let e = load_openv2b(&dir, start()).unwrap_err();
        std::fs::remove_dir_all(&dir).ok();
        match e {
            Error::File { field, .. }
            | Error::Csv { field, .. }
            | Error::InvalidField { field, .. } => field,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        err("horizon", &|d| replace(
            d,
            "scenario.json",
            "\"horizon_slots\": 96,",
            ""
        )),
        "horizon_slots"
    );
    assert_eq!(
        err("partial", &|d| replace(d, "scenario.json", "96", "100")),
        "horizon_slots"
    );
    assert_eq!(
        err("eff", &|d| replace(
            d,
            "scenario.json",
            "0.95,\n  \"disch",
            "1.5,\n  \"disch"
        )),
        "charge_efficiency"
    );
    assert_eq!(
        err("depart", &|d| replace(
            d,
            "vehicles.csv",
            "0,32,68",
            "0,32,120"
        )),
        "departure_slot"
    );
    assert_eq!(
        err("floor", &|d| replace(d, "vehicles.csv", ",6.0\n", ",\n")),
        "min_soc_kwh"
    );
    assert_eq!(
        err("class", &|d| replace(
            d,
            "grid_prices.csv",
            "peak\n84",
            "busy\n84"
        )),
        "tou"
    );
    assert_eq!(
        err("dup", &|d| replace(
            d,
            "building_load.csv",
            "24,30.0",
            "0,30.0"
        )),
        "slot"
    );
    assert_eq!(
        err("dr", &|d| replace(d, "dr_events.csv", "48,68", "68,48")),
        "end_slot"
    );
    // Two days whose prices differ cannot be one tariff.
    let two_days = |d: &Path| {
        replace(d, "scenario.json", "96", "192");
        replace(
            d,
            "grid_prices.csv",
            "84,0.20,off-peak\n",
            "84,0.20,off-peak\n100,0.5,\n",
        );
    };
    assert_eq!(err("daily", &two_days), "value");
    let missing = load_openv2b(Path::new("/nonexistent/openv2b"), start()).unwrap_err();
    assert!(matches!(missing, Error::Read { .. }), "{missing:?}");
}

/// The side-by-side run of `docs/v2b.md`: openv2b itself (commit cd12b86, `openv2b --scenario
/// examples/one_day --policy uncontrolled`) bills its uncontrolled policy at 247.40 USD of
/// energy, 723.54 USD of demand and 265.50 USD of DR penalty. ReqCharge is the same policy
/// (every car toward its target at full power); evmech's plant, tariff and DR settlement give
/// the same bill to the cent.
#[test]
fn req_charge_bills_what_openv2b_bills_its_uncontrolled_policy() {
    let s = load_openv2b(&one_day(), start()).unwrap().scenario;
    let r = simulate(&s, &mut ReqCharge, None).unwrap();
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    assert_eq!(cents(r.energy_cost_usd), 247.40);
    assert_eq!(cents(r.demand_cost_usd), 723.54);
    assert_eq!(cents(r.dr_penalty_usd), 265.50);
    assert_eq!(cents(r.building_cost_usd), 1236.44);
}

/// `one_day` stretched over two days, vehicle 0 leaving at 10:00 the next morning.
fn two_days() -> PathBuf {
    scratch("two-days", |dir| {
        replace(
            dir,
            "scenario.json",
            "\"horizon_slots\": 96",
            "\"horizon_slots\": 192",
        );
        let prices = std::fs::read_to_string(dir.join("grid_prices.csv")).unwrap();
        let next: String = prices
            .lines()
            .skip(1)
            .map(|l| {
                let (slot, rest) = l.split_once(',').unwrap();
                format!("{},{rest}\n", slot.parse::<usize>().unwrap() + 96)
            })
            .collect();
        std::fs::write(dir.join("grid_prices.csv"), prices + &next).unwrap();
        replace(dir, "vehicles.csv", "0,32,68,", "0,32,136,");
    })
}

/// A session past midnight stays whole by default (the engine carries it into the next day) and
/// is cut at midnight, with a note, on request.
#[test]
fn a_session_past_midnight_stays_whole_unless_cut() {
    let whole = load_openv2b(&two_days(), start()).unwrap();
    let v0 = |s: &evmech_v2b_control::Scenario| s.days()[0].sessions[0].clone();
    assert_eq!(whole.scenario.days().len(), 2);
    assert_eq!(
        (
            v0(&whole.scenario).id.as_str(),
            v0(&whole.scenario).departure_slot
        ),
        ("000000-0", 136)
    );
    assert!(
        whole.notes.iter().all(|n| !n.contains("cut")),
        "{:?}",
        whole.notes
    );
    let r = simulate(&whole.scenario, &mut ReqCharge, None).unwrap();
    let out = r
        .sessions
        .iter()
        .find(|o| o.session_id == "000000-0")
        .unwrap();
    assert_eq!(out.departure_slot, 136);
    assert!(out.missing_kwh < 1e-9 && out.delivered_kwh > 30.0);
    let cut = load_openv2b_with(&two_days(), start(), Overnight::CutAtMidnight).unwrap();
    assert_eq!(v0(&cut.scenario).departure_slot, 96);
    assert!(
        cut.notes
            .iter()
            .any(|n| n.contains("1 sessions run past midnight")),
        "{:?}",
        cut.notes
    );
}

/// `one_day` with vehicle 0 back in the afternoon (8 kWh driven in between) and a charging
/// ceiling on vehicle 1; `persistence` as given.
fn returning(tag: &str, persistence: bool, second_arrival: usize) -> PathBuf {
    scratch(tag, move |dir| {
        std::fs::write(
            dir.join("vehicles.csv"),
            format!(
                "vehicle_id,arrival_slot,departure_slot,battery_kwh,soc_arrival_kwh,soc_target_kwh,\
                 max_charge_kw,max_discharge_kw,min_soc_kwh,max_soc_kwh,depletion_kwh\n\
                 0,32,68,60.0,15.0,48.0,11.0,11.0,6.0,,0\n\
                 1,36,72,80.0,60.0,75.0,19.0,19.0,8.0,70,0\n\
                 2,40,64,40.0,10.0,32.0,7.0,0.0,4.0,,0\n\
                 0,{second_arrival},90,60.0,7.0,50.0,11.0,11.0,6.0,,8\n"
            ),
        )
        .unwrap();
        replace(
            dir,
            "scenario.json",
            "\"slot_minutes\": 15.0,",
            &format!("\"slot_minutes\": 15.0, \"persistence\": {persistence},"),
        );
    })
}

#[test]
fn a_returning_vehicle_keeps_its_state_of_charge_and_its_ceiling() {
    let outcome = |persistence: bool| {
        let dir = returning(&format!("chain-{persistence}"), persistence, 72);
        let loaded = load_openv2b(&dir, start()).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let s = loaded.scenario;
        let v1 = s.days()[0]
            .sessions
            .iter()
            .find(|x| x.id.starts_with("000001"));
        assert_eq!(v1.unwrap().limits.max_energy_kwh, Some(70.0));
        let r = simulate(&s, &mut ReqCharge, None).unwrap();
        let get = |id: &str| {
            r.sessions
                .iter()
                .find(|o| o.session_id == id)
                .unwrap()
                .clone()
        };
        (get("000000-3"), get("000001-1"))
    };
    // Vehicle 0 leaves at 48 kWh, drives 8: back with 40, asking 10 more to reach 50.
    let (back, capped) = outcome(true);
    assert!((back.requested_kwh - 10.0).abs() < 1e-6, "{back:?}");
    // Vehicle 1 stops at its 70 kWh ceiling (target 75 cut to it): 10 kWh added.
    assert!((capped.delivered_kwh - 10.0).abs() < 1e-6, "{capped:?}");
    // Without persistence the second stay starts at its own soc_arrival_kwh (7 kWh).
    let (apart, _) = outcome(false);
    assert!((apart.requested_kwh - 43.0).abs() < 1e-6, "{apart:?}");
    // One car's stays must not overlap when its state of charge passes between them.
    let dir = returning("chain-overlap", true, 60);
    let e = load_openv2b(&dir, start()).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    match e {
        Error::Csv { field, line, .. } => assert_eq!((field.as_str(), line), ("vehicle_id", 5)),
        other => panic!("{other:?}"),
    }
}
