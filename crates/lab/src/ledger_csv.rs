//! CONSENT's ledger as CSV: `ledger.csv` (one row per decided arrival, the quoted options in
//! columns per level) and `ledger_months.csv` (one row per billing month, with the
//! decomposition of the EVs' net cost; `evmech_v2b_control::ledger` explains each term).

use crate::tables::{f4, row, table};
use evmech_v2b_control::ledger::Ledger;

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), f4)
}

/// The per-arrival ledger of each policy.
pub fn ledger_csv(ledgers: &[Ledger]) -> String {
    let levels = ledgers
        .iter()
        .flat_map(|l| l.rows.iter().map(|r| r.options.len()))
        .max()
        .unwrap_or(0);
    let mut header: Vec<String> = [
        "policy",
        "date",
        "session_id",
        "slot",
        "served",
        "level",
        "cost_without_usd",
        "planned_marginal_usd",
        "utility_usd",
        "quote_usd",
        "paid_usd",
        "delivered_kwh",
        "discharged_kwh",
        "missing_kwh",
        "hindsight_marginal_usd",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for l in 0..levels {
        for field in [
            "reduction_kwh",
            "delay_slots",
            "cost_with_usd",
            "energy_cost_usd",
            "utility_usd",
            "price_usd",
            "acceptance_utility_usd",
        ] {
            header.push(format!("option{l}_{field}"));
        }
    }
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    table(&names, |w| {
        for ledger in ledgers {
            for r in &ledger.rows {
                let mut fields = vec![
                    ledger.policy.clone(),
                    r.date.to_string(),
                    r.session_id.clone(),
                    r.slot.to_string(),
                    r.served.to_string(),
                    r.level.map_or(String::new(), |l| l.to_string()),
                    opt(r.cost_without_usd),
                    opt(r.planned_marginal_usd),
                    opt(r.utility_usd),
                    f4(r.quote_usd),
                    f4(r.paid_usd),
                    f4(r.delivered_kwh),
                    f4(r.discharged_kwh),
                    f4(r.missing_kwh),
                    opt(r.hindsight_marginal_usd),
                ];
                for l in 0..levels {
                    match r.options.get(l) {
                        Some(o) => fields.extend([
                            f4(o.reduction_kwh),
                            o.delay_slots.to_string(),
                            f4(o.cost_with_usd),
                            f4(o.energy_cost_usd),
                            f4(o.utility_usd),
                            f4(o.price_usd),
                            f4(o.acceptance_utility_usd),
                        ]),
                        None => fields.extend(std::iter::repeat_n(String::new(), 7)),
                    }
                }
                row(w, &fields);
            }
        }
    })
}

/// The per-month ledger of each policy.
pub fn ledger_months_csv(ledgers: &[Ledger]) -> String {
    let header = [
        "policy",
        "month",
        "building_only_usd",
        "ev_added_cost_usd",
        "payments_usd",
        "net_cost_of_evs_usd",
        "credits_promised_usd",
        "credits_paid_usd",
        "hindsight_added_cost_usd",
        "hindsight_marginals_usd",
        "planned_marginals_usd",
        "quotes_usd",
        "served_users",
        "estimated_users",
        "dispatch_usd",
        "interaction_usd",
        "forecast_usd",
        "pricing_rule_usd",
        "settlement_usd",
        "hindsight_month_added_cost_usd",
        "energy_added_kwh",
        "user_usd_per_kwh",
        "break_even_usd_per_kwh",
        "peak_kw",
        "demand_cost_usd",
        "hindsight_month_peak_kw",
        "hindsight_month_demand_usd",
        "demand_gap_usd",
    ];
    table(&header, |w| {
        for ledger in ledgers {
            for m in &ledger.months {
                let g = m.gap_terms();
                row(
                    w,
                    &[
                        ledger.policy.clone(),
                        format!("{}-{:02}", m.year, m.month),
                        f4(m.building_only_usd),
                        f4(m.ev_added_cost_usd),
                        f4(m.payments_usd),
                        f4(m.net_cost_of_evs_usd),
                        f4(m.credits_promised_usd),
                        f4(m.credits_paid_usd),
                        opt(m.hindsight_added_cost_usd),
                        f4(m.hindsight_marginals_usd),
                        f4(m.planned_marginals_usd),
                        f4(m.quotes_usd),
                        m.served_users.to_string(),
                        m.estimated_users.to_string(),
                        opt(g.map(|g| g.dispatch_usd)),
                        opt(g.map(|g| g.interaction_usd)),
                        opt(g.map(|g| g.forecast_usd)),
                        opt(g.map(|g| g.pricing_rule_usd)),
                        opt(g.map(|g| g.settlement_usd)),
                        opt(m.hindsight_month_added_cost_usd),
                        f4(m.energy_added_kwh),
                        opt(m.user_usd_per_kwh()),
                        opt(m.break_even_usd_per_kwh()),
                        f4(m.peak_kw),
                        f4(m.demand_cost_usd),
                        opt(m.hindsight_month_peak_kw),
                        opt(m.hindsight_month_demand_usd),
                        opt(m.demand_gap_usd()),
                    ],
                );
            }
        }
    })
}
