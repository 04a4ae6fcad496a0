//! The discrete-time simulator: per-slot event order, online FCFS charger
//! assignment, the plant's clamps, integration and billing. EVs stay over midnight into the
//! episode's next day when it is the calendar's next day.

use super::carry::{effective_sessions, episode_plan};
use super::recorder::{Leaving, Recorder};
use crate::engine::step::decide_and_apply;
use crate::plant;
use crate::policy::{session_key, ChargingPolicy, ConnectedEv, DayView, Observation};
use crate::{
    arrival_order, Admission, Arrival, ArrivalPolicy, EpisodeReport, Error, EvAt, FreeAccess,
    History, HistoryRecords, Price, Result, Scenario, Session,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Instant;

/// The target of `session` on `charger`: the requested energy clipped to what full power under
/// the LP's concave cap reaches by the departure.
pub fn clipped_target(scenario: &Scenario, session: &Session, charger: usize) -> f64 {
    scenario.config().clipped_target(session, charger)
}

/// Day `d`'s exogenous plan: each session's charger (FCFS, around the chargers still held by
/// EVs staying over midnight) and clipped target.
pub fn day_plan(scenario: &Scenario, day: usize) -> (Vec<Option<usize>>, Vec<f64>) {
    let mut plans = episode_plan(scenario);
    if day >= plans.len() {
        return (Vec::new(), Vec::new());
    }
    let plan = plans.swap_remove(day);
    (plan.assignment, plan.targets_kwh)
}

/// A plugged-in EV.
struct Live {
    /// Index of its session's (arrival) day, and of the session in it.
    day: usize,
    session: usize,
    /// The session as it arrived (its energy continued from the vehicle's last stay when
    /// chained).
    arrived: Session,
    charger: usize,
    energy_kwh: f64,
    target_kwh: f64,
    /// Departure, slots from its arrival day's midnight.
    departure_slot: usize,
    /// Slots from its arrival day's midnight to today's.
    shift: usize,
    discharged_kwh: f64,
    price: Price,
}

impl Live {
    /// Its departure counted from today's midnight.
    fn departure_today(&self) -> usize {
        self.departure_slot.saturating_sub(self.shift)
    }
}

/// The connected EVs as a policy observes them at the start of a slot (an EV that arrived on
/// an earlier day shows arrival slot 0).
fn observe(scenario: &Scenario, live: &[Live]) -> Vec<ConnectedEv> {
    live.iter()
        .map(|l| {
            let s = &l.arrived;
            let at = EvAt {
                key: session_key(l.day, l.session),
                charger: l.charger,
                arrival_slot: if l.shift > 0 { 0 } else { s.arrival_slot },
                departure_slot: l.departure_today(),
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

/// What the executor keeps from one day to the next.
struct State {
    rec: Recorder,
    history: History,
    live: Vec<Live>,
    /// Slot (of today) at which each charger becomes free.
    free_at: Vec<usize>,
    /// The energy each chained vehicle left with last (see [`crate::Chain`]).
    vehicles: HashMap<String, f64>,
    /// What `history` records of each decided session.
    records: HistoryRecords,
}

/// A served session as the site agreed it: the agreed target as its requested energy, the
/// agreed departure as its departure (both counted as the arrived session counts them).
fn as_served(l: &Live) -> Session {
    Session {
        departure_slot: l.departure_slot,
        requested_departure_slot: l.departure_slot,
        requested_energy_kwh: l.target_kwh,
        ..l.arrived.clone()
    }
}

impl State {
    /// EVs whose departure (counted from today) is at or before `k` leave.
    fn departures(&mut self, k: usize) {
        let (gone, stay): (Vec<Live>, Vec<Live>) = std::mem::take(&mut self.live)
            .into_iter()
            .partition(|l| l.departure_today() <= k);
        for l in &gone {
            self.leave(l, l.departure_slot);
        }
        self.live = stay;
    }

    fn leave(&mut self, l: &Live, departure_slot: usize) {
        let session = &l.arrived;
        self.left(session, l.energy_kwh);
        self.record(session, Some(l));
        self.rec.departure(&Leaving {
            session,
            charger: l.charger,
            departure_slot,
            energy_kwh: l.energy_kwh,
            target_kwh: l.target_kwh,
            discharged_kwh: l.discharged_kwh,
            price: l.price,
        });
    }

    /// Adds a decided session to the history under `records`: `served` is the stay the site
    /// agreed, `None` when the user declined.
    fn record(&mut self, arrived: &Session, served: Option<&Live>) {
        let kept = match (self.records, served) {
            (HistoryRecords::Arrivals, _) => arrived.clone(),
            (HistoryRecords::Served, Some(l)) => as_served(l),
            (HistoryRecords::Served, None) => return,
        };
        self.history.sessions.push(kept);
    }

    /// A chained vehicle leaves with `energy_kwh` stored.
    fn left(&mut self, session: &Session, energy_kwh: f64) {
        if let Some(chain) = &session.chain {
            self.vehicles.insert(chain.vehicle.clone(), energy_kwh);
        }
    }

    /// `session` as it arrives: a chained vehicle that left earlier in the run comes with the
    /// energy it left with less its depletion, within its battery's floor and ceiling (asking
    /// for nothing more if that is above its request).
    fn arriving<'s>(&self, scenario: &Scenario, session: &'s Session) -> Cow<'s, Session> {
        let Some(left) = session
            .chain
            .as_ref()
            .and_then(|c| Some(self.vehicles.get(&c.vehicle)? - c.depletion_kwh))
        else {
            return Cow::Borrowed(session);
        };
        let b = scenario.config().vehicle_battery(
            session.arrival_energy_kwh,
            session.battery_kwh,
            &session.limits,
        );
        let energy = left.max(b.min_kwh).min(b.max_kwh);
        let mut s = session.clone();
        s.arrival_energy_kwh = energy;
        s.requested_energy_kwh = s.requested_energy_kwh.max(energy);
        s.reported_need_kwh = s.requested_energy_kwh - energy;
        Cow::Owned(s)
    }

    /// At midnight: the EVs still plugged in stay into the next day if the episode has it,
    /// and leave now otherwise.
    fn midnight(&mut self, scenario: &Scenario, d: usize, n: usize) {
        if scenario.continues(d) {
            for l in &mut self.live {
                l.shift += n;
            }
            for f in &mut self.free_at {
                *f = f.saturating_sub(n);
            }
        } else {
            for l in std::mem::take(&mut self.live) {
                self.leave(&l, l.shift + n);
            }
            self.free_at.iter_mut().for_each(|f| *f = 0);
        }
    }
}

/// Simulates every day of `scenario` under the charging `policy`, with `arrivals` deciding
/// each arrival that finds a charger (serve, price, negotiate or decline).
/// Chargers are assigned online, first come first served, so a negotiated delay keeps a
/// charger longer and a declined user frees it at once. An EV plugged in at midnight stays
/// into the next day when the episode's next day is the calendar's next day, and leaves at
/// midnight otherwise.
pub fn simulate_with(
    scenario: &Scenario,
    policy: &mut dyn ChargingPolicy,
    arrivals: &mut dyn ArrivalPolicy,
    mut progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<EpisodeReport> {
    let plans = episode_plan(scenario);
    let mut state = State {
        rec: Recorder::new(scenario.tariff(), scenario.site()),
        history: scenario.history().clone(),
        live: Vec::new(),
        free_at: vec![0; scenario.site().chargers().len()],
        vehicles: HashMap::new(),
        records: scenario.history_records(),
    };
    for (d, day) in scenario.days().iter().enumerate() {
        state
            .rec
            .begin_day(day.date, &day.building_kw, day.sessions.len());
        let plan = &plans[d];
        let day_start_peaks = state.rec.month_peaks_kw();
        let carried = observe(scenario, &state.live);
        let view = DayView {
            scenario,
            day: d,
            assignment: &plan.assignment,
            targets_kwh: &plan.targets_kwh,
            past_peaks_kw: &day_start_peaks,
            connected: &carried,
        };
        let started = Instant::now();
        policy.begin_day(&view)?;
        let setup = started.elapsed().as_secs_f64();
        run_day(scenario, d, &view, policy, arrivals, &mut state, setup)?;
        let n = scenario.slots_in(d);
        state.departures(n);
        state.midnight(scenario, d, n);
        state.rec.end_day();
        if let Some(p) = progress.as_mut() {
            p(d + 1, scenario.days().len());
        }
    }
    Ok(state.rec.finish(policy.name(), arrivals.name()))
}

/// The slots of day `d`: departures, arrivals, the decision and the plant.
fn run_day(
    scenario: &Scenario,
    d: usize,
    view: &DayView<'_>,
    policy: &mut dyn ChargingPolicy,
    arrivals: &mut dyn ArrivalPolicy,
    state: &mut State,
    mut setup: f64,
) -> Result<()> {
    let day = &scenario.days()[d];
    let n = scenario.slots_in(d);
    let sessions = effective_sessions(scenario, d);
    let order = arrival_order(&sessions, scenario.tie_break());
    for k in 0..n {
        state.departures(k);
        policy.billed(state.rec.cost_to_date_usd());
        for &s in order.iter().filter(|&&s| sessions[s].arrival_slot == k) {
            let session = state.arriving(scenario, &sessions[s]);
            admit(scenario, d, k, (s, &session), view, arrivals, state)?;
        }
        let building = day.building_kw[k];
        let mut ev_kw = 0.0;
        if !state.live.is_empty() {
            ev_kw = control(scenario, d, k, view, policy, state, setup)?;
            setup = 0.0;
        }
        state
            .history
            .building_kw
            .entry(day.date)
            .or_default()
            .push(building);
        state.rec.slot(k, building, ev_kw);
    }
    Ok(())
}

/// Session `s` of day `d` (as the episode can serve it) arrives at slot `k`: a free charger,
/// then the arrival policy.
fn admit(
    scenario: &Scenario,
    d: usize,
    k: usize,
    (s, session): (usize, &Session),
    view: &DayView<'_>,
    arrivals: &mut dyn ArrivalPolicy,
    state: &mut State,
) -> Result<()> {
    let day = &scenario.days()[d];
    let preference = scenario.site().assignment_order();
    let Some(&c) = preference.iter().find(|&&c| state.free_at[c] <= k) else {
        state.rec.no_charger(session);
        state.left(session, session.arrival_energy_kwh);
        return Ok(());
    };
    let target = clipped_target(scenario, session, c);
    let connected = observe(scenario, &state.live);
    let peaks = state.rec.month_peaks_kw();
    let arrival = Arrival {
        config: scenario.config(),
        date: day.date,
        history: &state.history,
        hindsight: Some(view),
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
    state.rec.admission(
        session,
        k,
        target,
        &decision,
        started.elapsed().as_secs_f64(),
    );
    match decision.admission {
        Admission::Declined => {
            state.left(session, session.arrival_energy_kwh);
            state.record(session, None);
        }
        Admission::Served {
            target_kwh,
            departure_slot,
            price,
            ..
        } => {
            let last = scenario
                .stay_limit(d)
                .max(scenario.slots_per_day() * crate::MAX_STAY_DAYS);
            if !(departure_slot > k && departure_slot <= last && target_kwh.is_finite()) {
                return Err(Error::InvalidParameter {
                    field: "admission",
                    reason: format!(
                        "arrival policy {} returned departure {departure_slot} and target {target_kwh} at slot {k}",
                        arrivals.name()
                    ),
                });
            }
            // An agreed departure past the episode's last consecutive day ends there, as every
            // stay does.
            let departure_slot = departure_slot.min(scenario.stay_limit(d));
            state.free_at[c] = departure_slot;
            state.live.push(Live {
                day: d,
                session: s,
                arrived: session.clone(),
                charger: c,
                energy_kwh: session.arrival_energy_kwh,
                target_kwh,
                departure_slot,
                shift: 0,
                discharged_kwh: 0.0,
                price,
            });
        }
    }
    Ok(())
}

/// The policy decides slot `k` of day `d`, the plant applies it; returns the EVs' net power.
fn control(
    scenario: &Scenario,
    d: usize,
    k: usize,
    view: &DayView<'_>,
    policy: &mut dyn ChargingPolicy,
    state: &mut State,
    setup: f64,
) -> Result<f64> {
    let day = &scenario.days()[d];
    let tau = scenario.tariff().slot_hours();
    let evs = observe(scenario, &state.live);
    let peaks = state.rec.month_peaks_kw();
    let obs = Observation {
        config: scenario.config(),
        date: day.date,
        slot: k,
        building_kw: day.building_kw[k],
        past_peaks_kw: &peaks,
        evs: &evs,
        history: &state.history,
        hindsight: Some(view),
    };
    let started = Instant::now();
    let (decision, applied) = decide_and_apply(policy, &obs)?;
    state
        .rec
        .decision(&decision, started.elapsed().as_secs_f64() + setup);
    let chargers = scenario.site().chargers();
    let mut ev_kw = 0.0;
    for (l, a) in state.live.iter_mut().zip(&applied) {
        state.rec.applied(a);
        l.discharged_kwh += (-a.applied_kw).max(0.0) * tau;
        l.energy_kwh = plant::integrate(l.energy_kwh, a.applied_kw, &chargers[l.charger], tau);
        ev_kw += a.applied_kw;
    }
    Ok(ev_kw)
}
