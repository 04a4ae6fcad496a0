//! The discrete-time simulator: per-slot event order, online FCFS charger
//! assignment, the plant's clamps, integration and billing.

use super::recorder::{Leaving, Recorder};
use crate::engine::step::decide_and_apply;
use crate::plant;
use crate::policy::{session_key, ChargingPolicy, ConnectedEv, DayView, Observation};
use crate::{
    arrival_order, assign_chargers, Admission, Arrival, ArrivalPolicy, EpisodeReport, Error, EvAt,
    FreeAccess, Price, Result, Scenario, Session,
};
use std::time::Instant;

/// The target of `session` on `charger`: the requested energy clipped to what full power under
/// the LP's concave cap reaches by the departure.
pub fn clipped_target(scenario: &Scenario, session: &Session, charger: usize) -> f64 {
    scenario.config().clipped_target(session, charger)
}

/// A day's exogenous plan: each session's charger (FCFS) and clipped target.
pub fn day_plan(scenario: &Scenario, day: usize) -> (Vec<Option<usize>>, Vec<f64>) {
    let sessions = &scenario.days()[day].sessions;
    let assignment = assign_chargers(scenario.site(), sessions, &[], scenario.tie_break());
    let targets = sessions
        .iter()
        .zip(&assignment)
        .map(|(s, c)| c.map_or(s.requested_energy_kwh, |c| clipped_target(scenario, s, c)))
        .collect();
    (assignment, targets)
}

struct Live {
    session: usize,
    charger: usize,
    energy_kwh: f64,
    target_kwh: f64,
    departure_slot: usize,
    discharged_kwh: f64,
    price: Price,
}

/// The connected EVs as a policy observes them at the start of slot `k`.
fn observe(scenario: &Scenario, d: usize, live: &[Live]) -> Vec<ConnectedEv> {
    let day = &scenario.days()[d];
    live.iter()
        .map(|l| {
            let s = &day.sessions[l.session];
            let at = EvAt {
                key: session_key(d, l.session),
                charger: l.charger,
                arrival_slot: s.arrival_slot,
                departure_slot: l.departure_slot,
                energy_kwh: l.energy_kwh,
                target_kwh: l.target_kwh,
                battery_kwh: s.battery_kwh,
                limits: s.limits,
            };
            scenario.config().connected_ev(l.session, &at)
        })
        .collect()
}

/// Simulates every day of `scenario` under `policy`, every user served as requested and free
/// of charge. `progress` is called after each day with (days done, days in total).
pub fn simulate(
    scenario: &Scenario,
    policy: &mut dyn ChargingPolicy,
    progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<EpisodeReport> {
    simulate_with(scenario, policy, &mut FreeAccess, progress)
}

/// Simulates every day of `scenario` under the charging `policy`, with `arrivals` deciding
/// each arrival that finds a charger (serve, price, negotiate or decline).
/// Chargers are assigned online, first come first served, so a negotiated delay keeps a
/// charger longer and a declined user frees it at once.
pub fn simulate_with(
    scenario: &Scenario,
    policy: &mut dyn ChargingPolicy,
    arrivals: &mut dyn ArrivalPolicy,
    mut progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<EpisodeReport> {
    let tariff = scenario.tariff();
    let tau = tariff.slot_hours();
    let n = scenario.slots_per_day();
    let chargers = scenario.site().chargers();
    let config = scenario.config();
    let mut rec = Recorder::new(tariff, scenario.site());
    let mut history = scenario.history().clone();
    for (d, day) in scenario.days().iter().enumerate() {
        rec.begin_day(day.date, &day.building_kw, day.sessions.len());
        let (assignment, targets) = day_plan(scenario, d);
        let order = arrival_order(&day.sessions, scenario.tie_break());
        let chargers_by_preference = scenario.site().assignment_order();
        let mut free_at = vec![0usize; chargers.len()];
        let day_start_peaks = rec.month_peaks_kw();
        let view = DayView {
            scenario,
            day: d,
            assignment: &assignment,
            targets_kwh: &targets,
            past_peaks_kw: &day_start_peaks,
        };
        let started = Instant::now();
        policy.begin_day(&view)?;
        let mut setup = started.elapsed().as_secs_f64();
        let mut live: Vec<Live> = Vec::new();
        for k in 0..=n {
            let (gone, stay): (Vec<Live>, Vec<Live>) =
                live.into_iter().partition(|l| l.departure_slot <= k);
            for l in &gone {
                let session = &day.sessions[l.session];
                history.sessions.push(session.clone());
                rec.departure(&Leaving {
                    session,
                    charger: l.charger,
                    departure_slot: l.departure_slot,
                    energy_kwh: l.energy_kwh,
                    target_kwh: l.target_kwh,
                    discharged_kwh: l.discharged_kwh,
                    price: l.price,
                });
            }
            live = stay;
            if k == n {
                break;
            }
            for &s in order.iter().filter(|&&s| day.sessions[s].arrival_slot == k) {
                let session = &day.sessions[s];
                let Some(&c) = chargers_by_preference.iter().find(|&&c| free_at[c] <= k) else {
                    rec.no_charger(session);
                    continue;
                };
                let target = clipped_target(scenario, session, c);
                let connected = observe(scenario, d, &live);
                let peaks = rec.month_peaks_kw();
                let arrival = Arrival {
                    config,
                    date: day.date,
                    history: &history,
                    hindsight: Some(&view),
                    slot: k,
                    session_index: s,
                    session,
                    key: session_key(d, s),
                    charger: c,
                    target_kwh: target,
                    building_kw: day.building_kw[k],
                    past_peaks_kw: &peaks,
                    connected: &connected,
                };
                let started = Instant::now();
                let decision = arrivals.admit(&arrival)?;
                rec.admission(
                    session,
                    k,
                    target,
                    &decision,
                    started.elapsed().as_secs_f64(),
                );
                match decision.admission {
                    Admission::Declined => history.sessions.push(session.clone()),
                    Admission::Served {
                        target_kwh,
                        departure_slot,
                        price,
                        ..
                    } => {
                        if !(departure_slot > k && departure_slot <= n && target_kwh.is_finite()) {
                            return Err(Error::InvalidParameter {
                                field: "admission",
                                reason: format!(
                                    "arrival policy {} returned departure {departure_slot} and target {target_kwh} at slot {k}",
                                    arrivals.name()
                                ),
                            });
                        }
                        free_at[c] = departure_slot;
                        live.push(Live {
                            session: s,
                            charger: c,
                            energy_kwh: session.arrival_energy_kwh,
                            target_kwh,
                            departure_slot,
                            discharged_kwh: 0.0,
                            price,
                        });
                    }
                }
            }
            let building = day.building_kw[k];
            let mut ev_kw = 0.0;
            if !live.is_empty() {
                let evs = observe(scenario, d, &live);
                let peaks = rec.month_peaks_kw();
                let obs = Observation {
                    config,
                    date: day.date,
                    slot: k,
                    building_kw: building,
                    past_peaks_kw: &peaks,
                    evs: &evs,
                    history: &history,
                    hindsight: Some(&view),
                };
                let started = Instant::now();
                let (decision, applied) = decide_and_apply(policy, &obs)?;
                rec.decision(&decision, started.elapsed().as_secs_f64() + setup);
                setup = 0.0;
                for (l, a) in live.iter_mut().zip(&applied) {
                    rec.applied(a);
                    l.discharged_kwh += (-a.applied_kw).max(0.0) * tau;
                    l.energy_kwh =
                        plant::integrate(l.energy_kwh, a.applied_kw, &chargers[l.charger], tau);
                    ev_kw += a.applied_kw;
                }
            }
            history
                .building_kw
                .entry(day.date)
                .or_default()
                .push(building);
            rec.slot(k, building, ev_kw);
        }
        rec.end_day();
        if let Some(p) = progress.as_mut() {
            p(d + 1, scenario.days().len());
        }
    }
    Ok(rec.finish(policy.name(), arrivals.name()))
}
