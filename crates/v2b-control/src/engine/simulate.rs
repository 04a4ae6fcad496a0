//! The discrete-time simulator: per-slot event order, online FCFS charger
//! assignment, the plant's clamps, integration and billing.

use crate::engine::report::{
    ArrivalRecord, DayReport, EpisodeReport, MonthReport, Timing, UserReport,
};
use crate::engine::step::decide_and_apply;
use crate::plant;
use crate::policy::{session_key, ChargingPolicy, ConnectedEv, DayView, Observation};
use crate::{
    arrival_order, assign_chargers, Admission, Arrival, ArrivalPolicy, Error, EvAt, FreeAccess,
    History, Price, Result, Scenario, Session,
};
use std::collections::BTreeMap;
use std::time::Instant;

/// The target of `session` on `charger`: the requested energy clipped to what full power under
/// the LP's concave cap reaches by the departure.
pub fn clipped_target(scenario: &Scenario, session: &Session, charger: usize) -> f64 {
    scenario.config().clipped_target(
        session.arrival_energy_kwh,
        session.requested_energy_kwh,
        session.battery_kwh,
        charger,
        session.departure_slot - session.arrival_slot,
    )
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
    price: Price,
}

#[derive(Default)]
struct Totals {
    compensation: f64,
    degradation: f64,
    missing: f64,
    below: usize,
    delivered: f64,
    discharged: f64,
    clipped: f64,
    decisions: usize,
    lp_solves: usize,
    lp_seconds: f64,
    fallbacks: usize,
    clamps: usize,
    max_clamp: f64,
    times: Vec<f64>,
    forecasts: BTreeMap<String, usize>,
    users: UserTotals,
}

#[derive(Default)]
struct UserTotals {
    declined: usize,
    served: usize,
    payments: f64,
    energy: f64,
    levels: Vec<usize>,
    times: Vec<f64>,
    lp_solves: usize,
    records: Vec<ArrivalRecord>,
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
    let tau = tariff.slot_hours;
    let n = scenario.slots_per_day();
    let penalties = scenario.site().penalties();
    let chargers = scenario.site().chargers();
    let mut t = Totals::default();
    let mut months: Vec<MonthReport> = Vec::new();
    let mut days = Vec::new();
    let mut arrivals_total = 0;
    let mut rejected_total = 0;
    let config = scenario.config();
    let mut history = scenario.history().clone();
    for (d, day) in scenario.days().iter().enumerate() {
        if months
            .last()
            .is_none_or(|m| (m.year, m.month) != (day.date.year, day.date.month))
        {
            months.push(MonthReport {
                year: day.date.year,
                month: day.date.month,
                days: 0,
                energy_cost_usd: 0.0,
                peak_kw: 0.0,
                demand_cost_usd: 0.0,
            });
        }
        let month = months.last_mut().expect("a month was pushed");
        month.days += 1;
        let (assignment, targets) = day_plan(scenario, d);
        let mut report = DayReport {
            date: day.date,
            energy_cost_usd: 0.0,
            peak_kw: 0.0,
            missing_soc_kwh: 0.0,
            cars_below_target: 0,
            arrivals: day.sessions.len(),
            rejected_sessions: 0,
            delivered_kwh: 0.0,
            battery_gain_kwh: 0.0,
            building_kw: day.building_kw.clone(),
            ev_kw: vec![0.0; n],
        };
        let order = arrival_order(&day.sessions, scenario.tie_break());
        let chargers_by_preference = scenario.site().assignment_order();
        let mut free_at = vec![0usize; chargers.len()];
        let view = DayView {
            scenario,
            day: d,
            assignment: &assignment,
            targets_kwh: &targets,
            past_peak_kw: month.peak_kw,
        };
        let started = Instant::now();
        policy.begin_day(&view)?;
        let mut setup = started.elapsed().as_secs_f64();
        let mut live: Vec<Live> = Vec::new();
        let depart = |l: &Live, report: &mut DayReport, t: &mut Totals, h: &mut History| {
            h.sessions.push(day.sessions[l.session].clone());
            let s = &day.sessions[l.session];
            let z = (l.target_kwh - l.energy_kwh).max(0.0);
            report.missing_soc_kwh += z;
            if z > 0.01 {
                report.cars_below_target += 1;
            }
            t.compensation += penalties.missing_energy_usd_per_kwh * z;
            let gained = (l.energy_kwh - s.arrival_energy_kwh).max(0.0);
            report.delivered_kwh += gained;
            report.battery_gain_kwh += l.energy_kwh - s.arrival_energy_kwh;
            t.users.payments += match l.price {
                Price::Quote(z) => z,
                Price::PerKwhDelivered(p) => p * gained,
            };
            t.users.energy += gained;
        };
        for k in 0..=n {
            let (gone, stay): (Vec<Live>, Vec<Live>) =
                live.into_iter().partition(|l| l.departure_slot <= k);
            for l in &gone {
                depart(l, &mut report, &mut t, &mut history);
            }
            live = stay;
            if k == n {
                break;
            }
            for &s in order.iter().filter(|&&s| day.sessions[s].arrival_slot == k) {
                let session = &day.sessions[s];
                let Some(&c) = chargers_by_preference.iter().find(|&&c| free_at[c] <= k) else {
                    report.rejected_sessions += 1;
                    continue;
                };
                let target = clipped_target(scenario, session, c);
                let connected = observe(scenario, d, &live);
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
                    past_peak_kw: month.peak_kw,
                    connected: &connected,
                };
                let started = Instant::now();
                let decision = arrivals.admit(&arrival)?;
                t.users.times.push(started.elapsed().as_secs_f64());
                t.users.lp_solves += decision.lp_solves;
                let mut record = ArrivalRecord {
                    date: day.date,
                    session_id: session.id.clone(),
                    slot: k,
                    served: false,
                    level: None,
                    reduction_kwh: 0.0,
                    delay_slots: 0,
                    price: None,
                };
                if let Admission::Served {
                    target_kwh,
                    departure_slot,
                    level,
                    price,
                } = decision.admission
                {
                    record = ArrivalRecord {
                        served: true,
                        level,
                        reduction_kwh: target - target_kwh,
                        delay_slots: departure_slot as i64 - session.departure_slot as i64,
                        price: Some(price),
                        ..record
                    };
                }
                t.users.records.push(record);
                match decision.admission {
                    Admission::Declined => {
                        t.users.declined += 1;
                        history.sessions.push(session.clone());
                    }
                    Admission::Served {
                        target_kwh,
                        departure_slot,
                        level,
                        price,
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
                        t.clipped += session.requested_energy_kwh - target;
                        t.users.served += 1;
                        if let Some(l) = level {
                            if t.users.levels.len() <= l {
                                t.users.levels.resize(l + 1, 0);
                            }
                            t.users.levels[l] += 1;
                        }
                        free_at[c] = departure_slot;
                        live.push(Live {
                            session: s,
                            charger: c,
                            energy_kwh: session.arrival_energy_kwh,
                            target_kwh,
                            departure_slot,
                            price,
                        });
                    }
                }
            }
            let building = day.building_kw[k];
            let mut ev_kw = 0.0;
            if !live.is_empty() {
                let evs = observe(scenario, d, &live);
                let obs = Observation {
                    config,
                    date: day.date,
                    slot: k,
                    building_kw: building,
                    past_peak_kw: month.peak_kw,
                    evs: &evs,
                    history: &history,
                    hindsight: Some(&view),
                };
                let started = Instant::now();
                let (decision, applied) = decide_and_apply(policy, &obs)?;
                t.times.push(started.elapsed().as_secs_f64() + setup);
                setup = 0.0;
                t.decisions += 1;
                t.lp_solves += decision.lp_solves;
                t.lp_seconds += decision.solver_seconds;
                t.fallbacks += usize::from(decision.fallback);
                if let Some(f) = decision.forecast {
                    *t.forecasts.entry(f).or_default() += 1;
                }
                for (l, a) in live.iter_mut().zip(&applied) {
                    let change = (a.applied_kw - a.requested_kw).abs();
                    if change > 1e-6 {
                        t.clamps += 1;
                        t.max_clamp = t.max_clamp.max(change);
                    }
                    let c = &chargers[l.charger];
                    l.energy_kwh = plant::integrate(l.energy_kwh, a.applied_kw, c, tau);
                    ev_kw += a.applied_kw;
                    if a.applied_kw < 0.0 {
                        t.discharged += -a.applied_kw * tau;
                        t.degradation += penalties.degradation_usd_per_kwh * -a.applied_kw * tau;
                    }
                }
            }
            history
                .building_kw
                .entry(day.date)
                .or_default()
                .push(building);
            let grid = building + ev_kw;
            report.ev_kw[k] = ev_kw;
            report.energy_cost_usd += tariff.grid_cost(k, grid);
            if tariff.is_peak(k) {
                report.peak_kw = report.peak_kw.max(grid);
                month.peak_kw = month.peak_kw.max(grid);
            }
        }
        month.energy_cost_usd += report.energy_cost_usd;
        month.demand_cost_usd = tariff.demand_usd_per_kw * month.peak_kw;
        t.missing += report.missing_soc_kwh;
        t.below += report.cars_below_target;
        t.delivered += report.delivered_kwh;
        arrivals_total += report.arrivals;
        rejected_total += report.rejected_sessions;
        days.push(report);
        if let Some(p) = progress.as_mut() {
            p(d + 1, scenario.days().len());
        }
    }
    let energy: f64 = months.iter().map(|m| m.energy_cost_usd).sum();
    let demand: f64 = months.iter().map(|m| m.demand_cost_usd).sum();
    let timing = Timing::of(&t.times);
    let u = &t.users;
    let users = UserReport {
        arrival_policy: arrivals.name(),
        served: u.served,
        declined: u.declined,
        no_charger: rejected_total,
        reject_pct: if arrivals_total == 0 {
            0.0
        } else {
            100.0 * (rejected_total + u.declined) as f64 / arrivals_total as f64
        },
        payments_usd: u.payments,
        energy_kwh: u.energy,
        user_cost_usd_per_kwh: if u.energy > 0.0 {
            u.payments / u.energy
        } else {
            0.0
        },
        levels_chosen: u.levels.clone(),
        arrival_seconds: Timing::of(&u.times),
        lp_solves: u.lp_solves,
        records: u.records.clone(),
    };
    Ok(EpisodeReport {
        policy: policy.name(),
        building_cost_usd: energy + demand + t.compensation + t.degradation - u.payments,
        energy_cost_usd: energy,
        demand_cost_usd: demand,
        compensation_usd: t.compensation,
        degradation_usd: t.degradation,
        payments_usd: u.payments,
        users,
        peak_kw: months.iter().map(|m| m.peak_kw).fold(0.0, f64::max),
        missing_soc_kwh: t.missing,
        cars_below_target: t.below,
        arrivals: arrivals_total,
        rejected_sessions: rejected_total,
        delivered_kwh: t.delivered,
        discharged_kwh: t.discharged,
        clipped_request_kwh: t.clipped,
        decisions: t.decisions,
        lp_solves: t.lp_solves,
        lp_solve_seconds: t.lp_seconds,
        decision_seconds: timing,
        seconds_per_decision: timing.mean,
        fallbacks: t.fallbacks,
        forecasts: t.forecasts,
        clamps: t.clamps,
        max_clamp_kw: t.max_clamp,
        months,
        days,
    })
}
