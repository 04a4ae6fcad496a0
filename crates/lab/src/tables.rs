//! The CSV tables of a run, written with the `csv` crate so every field is quoted where it
//! needs to be (a session id with a comma or a quote in it stays one field).

use evmech_v2b_control::{Clock, EpisodeReport, Price, SessionStatus, Site};

/// Writes `header` and the rows `fill` adds, returning the CSV text.
pub(crate) fn table(header: &[&str], fill: impl FnOnce(&mut csv::Writer<Vec<u8>>)) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    fill(&mut w);
    let bytes = w.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

pub(crate) fn row(w: &mut csv::Writer<Vec<u8>>, fields: &[String]) {
    w.write_record(fields).expect("writing to memory");
}

pub(crate) fn f4(x: f64) -> String {
    format!("{x:.4}")
}

/// Per-day CSV: one row per policy and day.
pub fn days_csv(reports: &[EpisodeReport]) -> String {
    let header = [
        "policy",
        "date",
        "energy_cost_usd",
        "peak_kw",
        "missing_soc_kwh",
        "cars_below_target",
        "arrivals",
        "rejected_sessions",
        "delivered_kwh",
    ];
    table(&header, |w| {
        for r in reports {
            for d in &r.days {
                row(
                    w,
                    &[
                        r.policy.clone(),
                        d.date.to_string(),
                        f4(d.energy_cost_usd),
                        f4(d.peak_kw),
                        f4(d.missing_soc_kwh),
                        d.cars_below_target.to_string(),
                        d.arrivals.to_string(),
                        d.rejected_sessions.to_string(),
                        f4(d.delivered_kwh),
                    ],
                );
            }
        }
    })
}

/// Per-slot CSV: building, EV and grid power of every slot of every day and policy, with the
/// slot's local start `time`.
pub fn slots_csv(reports: &[EpisodeReport], clock: &Clock) -> String {
    let header = [
        "policy",
        "date",
        "slot",
        "time",
        "building_kw",
        "ev_kw",
        "grid_kw",
    ];
    table(&header, |w| {
        for r in reports {
            for d in &r.days {
                for (k, (b, e)) in d.building_kw.iter().zip(&d.ev_kw).enumerate() {
                    row(
                        w,
                        &[
                            r.policy.clone(),
                            d.date.to_string(),
                            k.to_string(),
                            clock.slot_start_text(d.date, k),
                            f4(*b),
                            f4(*e),
                            f4(b + e),
                        ],
                    );
                }
            }
        }
    })
}

/// One row per session and policy: `policy, session_id, status, charger, arrival, departure,
/// requested_kwh, delivered_kwh, missing_kwh, discharged_kwh, paid_usd` (times local; the
/// charger's id; empty where the session never charged).
pub fn sessions_csv(reports: &[EpisodeReport], site: &Site, clock: &Clock) -> String {
    let header = [
        "policy",
        "session_id",
        "status",
        "charger",
        "arrival",
        "departure",
        "requested_kwh",
        "delivered_kwh",
        "missing_kwh",
        "discharged_kwh",
        "paid_usd",
    ];
    table(&header, |w| {
        for r in reports {
            for s in &r.sessions {
                let status = match s.status {
                    SessionStatus::Served => "served",
                    SessionStatus::Declined => "declined",
                    SessionStatus::NoCharger => "no-charger",
                };
                let charger = s
                    .charger
                    .and_then(|c| site.chargers().get(c))
                    .map_or(String::new(), |c| c.id.clone());
                row(
                    w,
                    &[
                        r.policy.clone(),
                        s.session_id.clone(),
                        status.into(),
                        charger,
                        clock.slot_start_text(s.date, s.arrival_slot),
                        clock.slot_start_text(s.date, s.departure_slot),
                        f4(s.requested_kwh),
                        f4(s.delivered_kwh),
                        f4(s.missing_kwh),
                        f4(s.discharged_kwh),
                        format!("{:.6}", s.paid_usd),
                    ],
                );
            }
        }
    })
}

/// One line per decided arrival and policy: `policy, date, session_id, slot, served, level,
/// reduction_kwh, delay_minutes, quote_usd, price_usd_per_kwh` (empty cells where they do not
/// apply). The data of the CONSENT paper's Figs. 10-12.
pub fn arrivals_csv(reports: &[EpisodeReport], slot_hours: f64) -> String {
    let header = [
        "policy",
        "date",
        "session_id",
        "slot",
        "served",
        "level",
        "reduction_kwh",
        "delay_minutes",
        "quote_usd",
        "price_usd_per_kwh",
        "reduction_pct",
        "acceptance_utility_usd",
        "best_offer_usd",
        "external_cost_usd",
    ];
    table(&header, |w| {
        for r in reports {
            for a in &r.users.records {
                let (quote, per_kwh) = match a.price {
                    Some(Price::Quote(q)) => (format!("{q:.6}"), String::new()),
                    Some(Price::CreditUpTo(c)) => (format!("{:.6}", -c), String::new()),
                    Some(Price::PerKwhDelivered(p)) => (String::new(), format!("{p:.6}")),
                    None => (String::new(), String::new()),
                };
                let (y, best, external) = menu_columns(a);
                row(
                    w,
                    &[
                        r.policy.clone(),
                        a.date.to_string(),
                        a.session_id.clone(),
                        a.slot.to_string(),
                        a.served.to_string(),
                        a.level.map_or(String::new(), |l| l.to_string()),
                        f4(a.reduction_kwh),
                        format!("{:.0}", a.delay_slots as f64 * slot_hours * 60.0),
                        quote,
                        per_kwh,
                        f4(a.reduction_pct),
                        y,
                        best,
                        external,
                    ],
                );
            }
        }
    })
}

/// The menu columns of an arrival: the acceptance utility of the chosen option (for a user who
/// declined, of her best offer), that best offer's price (declined users only) and the external
/// cost; empty without a menu.
fn menu_columns(a: &evmech_v2b_control::ArrivalRecord) -> (String, String, String) {
    let Some(q) = &a.quote else {
        return (String::new(), String::new(), String::new());
    };
    let external = f4(q.external_cost_usd);
    if a.served {
        let y = a
            .level
            .and_then(|l| q.options.get(l))
            .map_or(String::new(), |o| f4(o.acceptance_utility_usd));
        return (y, String::new(), external);
    }
    let best = q.options.iter().max_by(|x, y| {
        x.acceptance_utility_usd
            .total_cmp(&y.acceptance_utility_usd)
    });
    match best {
        Some(o) => (f4(o.acceptance_utility_usd), f4(o.price_usd), external),
        None => (String::new(), String::new(), external),
    }
}
