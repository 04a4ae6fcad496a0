//! First-come-first-served charger assignment: it never depends on charging decisions,
//! so the simulator, the Oracle and the scenario sampler all call this one function.

use crate::{Session, Site};
use serde::{Deserialize, Serialize};

/// Order of same-slot arrivals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreak {
    /// Later requested departure first (Table 4's caption; the default), then id.
    #[default]
    LaterDepartureFirst,
    /// Earlier requested departure first (the paper's section 4.1), then id.
    EarlierDepartureFirst,
    /// Ascending id only (openv2b's ascending `vehicle_id`).
    ById,
}

/// Assigns chargers to `sessions` in arrival order around chargers already busy: `busy_until[c]`
/// is the slot at which charger `c` becomes free (0 = free now). Returns each session's charger,
/// `None` when none is free (a `NoCharger` reject, never retried).
///
/// An arriving EV takes a free bidirectional charger if any, else a unidirectional one (higher
/// maximum power first, then lower id) and keeps it until its departure; a departure at slot
/// `k` frees the charger for an arrival at slot `k`.
pub fn assign_chargers(
    site: &Site,
    sessions: &[Session],
    busy_until: &[usize],
    tie_break: TieBreak,
) -> Vec<Option<usize>> {
    let order = site.assignment_order();
    let mut free_at: Vec<usize> = (0..site.chargers().len())
        .map(|c| busy_until.get(c).copied().unwrap_or(0))
        .collect();
    let arrivals = arrival_order(sessions, tie_break);
    let mut assigned = vec![None; sessions.len()];
    for s in arrivals {
        let session = &sessions[s];
        if let Some(&c) = order.iter().find(|&&c| free_at[c] <= session.arrival_slot) {
            free_at[c] = session.departure_slot;
            assigned[s] = Some(c);
        }
    }
    assigned
}

/// Indices of `sessions` in the order they plug in: by arrival slot, then `tie_break`, then id.
pub fn arrival_order(sessions: &[Session], tie_break: TieBreak) -> Vec<usize> {
    let mut arrivals: Vec<usize> = (0..sessions.len()).collect();
    arrivals.sort_by(|&a, &b| {
        let (sa, sb) = (&sessions[a], &sessions[b]);
        let by_departure = match tie_break {
            TieBreak::LaterDepartureFirst => sb
                .requested_departure_slot
                .cmp(&sa.requested_departure_slot),
            TieBreak::EarlierDepartureFirst => sa
                .requested_departure_slot
                .cmp(&sb.requested_departure_slot),
            TieBreak::ById => std::cmp::Ordering::Equal,
        };
        sa.arrival_slot
            .cmp(&sb.arrival_slot)
            .then(by_departure)
            .then(sa.id.cmp(&sb.id))
    });
    arrivals
}
