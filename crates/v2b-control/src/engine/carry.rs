//! Sessions that stay over midnight: which are still plugged in when each day starts, and the
//! exogenous charger plan of every day with them taken into account.

use crate::{assign_chargers, Scenario, Session};

/// Day `d`'s sessions as the episode can serve them ([`Scenario::effective_session`]).
pub fn effective_sessions(scenario: &Scenario, d: usize) -> Vec<Session> {
    (0..scenario.days()[d].sessions.len())
        .map(|s| scenario.effective_session(d, s))
        .collect()
}

/// A session plugged in when a day starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carried {
    /// Index of the session's own (arrival) day.
    pub day: usize,
    /// Index of the session in that day.
    pub session: usize,
    /// Its charger.
    pub charger: usize,
    /// Slots from the session's day's midnight to this day's midnight.
    pub shift: usize,
}

/// One day's exogenous plan: each session's charger (first come, first served, around the
/// chargers still held by sessions from earlier days) and clipped target, and the sessions
/// carried in from earlier days.
#[derive(Debug, Clone, PartialEq)]
pub struct DayPlan {
    /// Charger of each of the day's sessions (`None`: none was free).
    pub assignment: Vec<Option<usize>>,
    /// Each session's target, clipped to what its charger reaches by its departure, kWh.
    pub targets_kwh: Vec<f64>,
    /// The sessions of earlier days still plugged in at this day's midnight.
    pub carried_in: Vec<Carried>,
}

/// The plan of every day of `scenario`, each user leaving at her session's departure: a session
/// stays over midnight into the next day when the episode has it (the calendar's next day),
/// and leaves at midnight otherwise.
pub fn episode_plan(scenario: &Scenario) -> Vec<DayPlan> {
    let chargers = scenario.site().chargers().len();
    let mut carried: Vec<Carried> = Vec::new();
    let mut plans = Vec::with_capacity(scenario.days().len());
    let days: Vec<Vec<Session>> = (0..scenario.days().len())
        .map(|d| effective_sessions(scenario, d))
        .collect();
    for (d, sessions) in days.iter().enumerate() {
        let mut busy = vec![0usize; chargers];
        for c in &carried {
            busy[c.charger] = days[c.day][c.session].departure_slot - c.shift;
        }
        let assignment = assign_chargers(scenario.site(), sessions, &busy, scenario.tie_break());
        let targets_kwh = sessions
            .iter()
            .zip(&assignment)
            .map(|(s, c)| {
                c.map_or(s.requested_energy_kwh, |c| {
                    scenario.config().clipped_target(s, c)
                })
            })
            .collect();
        let carried_in = std::mem::take(&mut carried);
        let n = scenario.slots_in(d);
        if scenario.continues(d) {
            let still = |day_index: usize, session: usize, shift: usize| {
                days[day_index][session].departure_slot > shift + n
            };
            carried = carried_in
                .iter()
                .filter(|c| still(c.day, c.session, c.shift))
                .map(|c| Carried {
                    shift: c.shift + n,
                    ..*c
                })
                .chain(assignment.iter().enumerate().filter_map(|(s, c)| {
                    let c = (*c)?;
                    still(d, s, 0).then_some(Carried {
                        day: d,
                        session: s,
                        charger: c,
                        shift: n,
                    })
                }))
                .collect();
        }
        plans.push(DayPlan {
            assignment,
            targets_kwh,
            carried_in,
        });
    }
    plans
}
