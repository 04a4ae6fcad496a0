//! What the simulated site writes into its history: sessions as they arrived (the default) or
//! served sessions as agreed (`HistoryRecords::Served`).

mod common;

use evmech_v2b_control::policy::{ChargingPolicy, Decision, Observation};
use evmech_v2b_control::{
    simulate_with, Admission, Arrival, ArrivalDecision, ArrivalPolicy, HistoryRecords, Price,
    Result, Scenario, Session,
};
use std::collections::HashMap;

/// Declines every arrival with an even id hash; serves the others with half the requested
/// energy gain and half the requested stay, and remembers what it agreed.
#[derive(Default)]
struct HalfDeals {
    agreed: HashMap<String, (f64, usize)>,
    declined: Vec<String>,
}

fn declines(s: &Session) -> bool {
    s.id.bytes().map(u32::from).sum::<u32>() % 2 == 0
}

impl ArrivalPolicy for HalfDeals {
    fn name(&self) -> String {
        "half".into()
    }

    fn admit(&mut self, a: &Arrival<'_>) -> Result<ArrivalDecision> {
        let s = a.session;
        if declines(s) {
            self.declined.push(s.id.clone());
            return Ok(ArrivalDecision::without_solves(Admission::Declined));
        }
        let target = s.arrival_energy_kwh + 0.5 * (a.target_kwh - s.arrival_energy_kwh).max(0.0);
        let stay = (s.departure_slot - a.slot).max(2);
        let departure = a.slot + stay / 2;
        self.agreed.insert(s.id.clone(), (target, departure));
        Ok(ArrivalDecision::without_solves(Admission::Served {
            target_kwh: target,
            departure_slot: departure,
            level: None,
            price: Price::Quote(0.0),
        }))
    }
}

/// Charges nothing and keeps the last history it was shown.
#[derive(Default)]
struct Watcher {
    seen: Vec<Session>,
}

impl ChargingPolicy for Watcher {
    fn name(&self) -> String {
        "watcher".into()
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        self.seen = obs.history.sessions.clone();
        Ok(Decision::heuristic(vec![0.0; obs.evs.len()]))
    }
}

fn episode() -> Scenario {
    common::three_synthetic_days()
}

fn run(scenario: &Scenario) -> (Watcher, HalfDeals) {
    let (mut watcher, mut deals) = (Watcher::default(), HalfDeals::default());
    simulate_with(scenario, &mut watcher, &mut deals, None).unwrap();
    (watcher, deals)
}

#[test]
fn the_default_history_records_sessions_as_they_arrived() {
    let scenario = episode();
    assert_eq!(scenario.history_records(), HistoryRecords::Arrivals);
    let (watcher, deals) = run(&scenario);
    let original: HashMap<&str, &Session> = scenario
        .days()
        .iter()
        .flat_map(|d| &d.sessions)
        .map(|s| (s.id.as_str(), s))
        .collect();
    assert!(!watcher.seen.is_empty());
    for s in &watcher.seen {
        assert_eq!(&s, &original[s.id.as_str()], "recorded as it arrived");
    }
    // Declined arrivals are recorded too.
    assert!(watcher.seen.iter().any(|s| deals.declined.contains(&s.id)));
}

#[test]
fn a_served_history_records_the_agreed_target_and_departure_and_no_decliner() {
    let scenario = episode().with_history_records(HistoryRecords::Served);
    let (watcher, deals) = run(&scenario);
    assert!(!deals.declined.is_empty() && !deals.agreed.is_empty());
    assert!(!watcher.seen.is_empty());
    let mut shrunk = 0;
    for s in &watcher.seen {
        assert!(!deals.declined.contains(&s.id), "{} declined", s.id);
        let (target, departure) = deals.agreed[&s.id];
        assert_eq!(s.requested_energy_kwh, target);
        assert_eq!(s.departure_slot, departure);
        assert_eq!(s.requested_departure_slot, departure);
        let arrived = scenario
            .days()
            .iter()
            .flat_map(|d| &d.sessions)
            .find(|a| a.id == s.id)
            .unwrap();
        assert_eq!(s.arrival_slot, arrived.arrival_slot);
        assert_eq!(s.battery_kwh, arrived.battery_kwh);
        shrunk += usize::from(s.requested_energy_kwh < arrived.requested_energy_kwh - 1e-9);
    }
    assert!(shrunk > 0, "the agreed targets are below the requests");
}

#[test]
fn history_records_parse_by_name_and_survive_json() {
    assert_eq!(
        "served".parse::<HistoryRecords>().unwrap(),
        HistoryRecords::Served
    );
    let err = "agreed".parse::<HistoryRecords>().unwrap_err().to_string();
    assert!(
        err.contains("history-records") && err.contains("arrivals, served"),
        "{err}"
    );
    let scenario = episode().with_history_records(HistoryRecords::Served);
    let text = serde_json::to_string(&scenario).unwrap();
    assert!(text.contains("\"history_records\":\"served\""));
    let back: Scenario = serde_json::from_str(&text).unwrap();
    assert_eq!(back, scenario);
    // The default is not written, so older scenario files read the same.
    let plain = serde_json::to_string(&episode()).unwrap();
    assert!(!plain.contains("history_records"));
}
