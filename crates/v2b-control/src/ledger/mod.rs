//! CONSENT's ledger: where the money of a simulated episode goes.
//!
//! Per decided arrival, the ledger keeps what the arrival policy quoted (the cost of the
//! arrival's sampled futures without the user, `J^{-v}`, and with her on each option, `J_l`;
//! her own energy cost `C_l`; the marginal utility `U_l`; the price `zeta_l`; what each option
//! was worth to her, `Y_l`), what she chose, and at departure what she actually brought: energy
//! delivered and discharged, what she paid once settled, and a *hindsight marginal cost*.
//!
//! The hindsight marginal cost is a counterfactual computed after the fact on the recorded
//! day: the day is re-planned with perfect knowledge (the charging LP of every served user with
//! her agreed target and departure, the day's true building load, the month's peak so far
//! carried in, as the daily Oracle does; each user's target is what the recorded run gave her,
//! up to her agreed target), once with every served user and once without her;
//! the difference is what she cost the building in hindsight. Days with a user staying over
//! midnight are not estimated (their columns stay empty), and the estimate ignores that a user
//! may have moved later days' peaks.
//!
//! Per billing month the ledger adds up, with `A` the EVs' realized added cost (the bill,
//! compensation and degradation minus the building's own load billed alone):
//!
//! `A - paid = (A - H) + (H - sum m_v) + (sum m_v - sum dJ_v) + (sum dJ_v - sum zeta_v) +
//! (sum zeta_v - paid)`
//!
//! where `H` is the hindsight optimum's added cost (the same day plans chained over the month),
//! `m_v` the hindsight marginal costs, `dJ_v = J_l - J^{-v}` the marginal costs the quotes
//! planned, `zeta_v` the quotes and `paid` what users paid once settled. The terms read:
//! dispatch (what the online controller lost against hindsight), interaction (costs and savings
//! that several users share, so that no single user's removal shows them: a peak two users
//! shave together is credited to each), forecast (the futures' error on each user's marginal
//! cost), pricing rule (alpha and the rule's treatment of a negative utility) and settlement
//! (credits not paid under escrow). `A - paid` is what the EVs cost the building net of their
//! payments: above zero, the building is worse off than without them.
//!
//! `H` chains day plans, each blind to the later days' peaks, so it is not the least the month
//! could have cost. The ledger also re-plans each billing month as one LP with hindsight (every
//! day's true load and served users, one peak per demand charge shared by the month): its added
//! cost `M` satisfies `M <= H <= A`, and `M` over the energy the users took away is the
//! *break-even price* ([`LedgerMonth::break_even_usd_per_kwh`]). No controller and no payment
//! rule can charge these users, with these energies and stays, less per kWh in aggregate
//! without the building paying part of what they cost it.
//!
//! The month plan's peak and demand charges sit beside the run's
//! ([`LedgerMonth::hindsight_month_peak_kw`], [`LedgerMonth::peak_kw`]), so the controller's gap
//! `A - M` splits into its demand part ([`LedgerMonth::demand_gap_usd`]) and the rest (energy,
//! degradation, compensation). On the Caltech months of 2019 the demand part is 70-82 % of
//! CONSENT's gap.

mod hindsight;

use crate::{EpisodeReport, QuotedOption, Result, Scenario, SessionStatus};
use evmech_milp_model::LpBackend;
use hindsight::{day_plans, hindsight_days, hindsight_months, HindsightDay, HindsightMonth};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One decided arrival of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    /// The session's date.
    pub date: crate::Date,
    /// The session id.
    pub session_id: String,
    /// Arrival slot.
    pub slot: usize,
    /// Whether she plugged in.
    pub served: bool,
    /// The level chosen (a menu's), if served.
    pub level: Option<usize>,
    /// `J^{-v}`, USD (`None` without a priced menu).
    pub cost_without_usd: Option<f64>,
    /// The chosen option's `J_l - J^{-v}`: her planned marginal cost, USD.
    pub planned_marginal_usd: Option<f64>,
    /// The chosen option's `U_l`, USD.
    pub utility_usd: Option<f64>,
    /// The quoted price, USD (negative: a credit; for a per-kWh price, what it came to).
    pub quote_usd: f64,
    /// What she paid once settled, USD.
    pub paid_usd: f64,
    /// Energy stored at departure minus at arrival, kWh.
    pub delivered_kwh: f64,
    /// Energy the building took from her battery, kWh.
    pub discharged_kwh: f64,
    /// Energy short of her agreed target at departure, kWh.
    pub missing_kwh: f64,
    /// Her hindsight marginal cost (see the module docs), USD.
    pub hindsight_marginal_usd: Option<f64>,
    /// The options she was quoted.
    pub options: Vec<QuotedOption>,
}

/// One billing month of the ledger: sums, and the decomposition of the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerMonth {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// The building's own load billed alone, USD.
    pub building_only_usd: f64,
    /// `A`: what the EVs added to the building's costs, USD.
    pub ev_added_cost_usd: f64,
    /// Paid by users once settled (negative: paid to them), USD.
    pub payments_usd: f64,
    /// Credits promised, USD.
    pub credits_promised_usd: f64,
    /// Credits paid, USD.
    pub credits_paid_usd: f64,
    /// `A - payments`: above 0 the building is worse off than without EVs, USD.
    pub net_cost_of_evs_usd: f64,
    /// `H`: the hindsight optimum's added cost, USD (`None` if a day was not estimated).
    pub hindsight_added_cost_usd: Option<f64>,
    /// `M`: the least any controller could have added serving the same users, USD: the billing
    /// month re-planned as one LP with hindsight (every day's true load and served users, their
    /// energies and stays as in `H`, one shared peak per demand charge). `M <= H <= A`. `None`
    /// if a day was not estimated.
    #[serde(default)]
    pub hindsight_month_added_cost_usd: Option<f64>,
    /// The demand charges the run billed this month (every charge), USD: with
    /// [`hindsight_month_demand_usd`](Self::hindsight_month_demand_usd), splits the gap `A - M`
    /// into its demand part and the rest ([`LedgerMonth::demand_gap_usd`]).
    #[serde(default)]
    pub demand_cost_usd: f64,
    /// The first demand charge's peak the run reached this month, kW.
    #[serde(default)]
    pub peak_kw: f64,
    /// The demand charges of the month plan behind `M`, USD (`None` when `M` is).
    #[serde(default)]
    pub hindsight_month_demand_usd: Option<f64>,
    /// The first demand charge's peak in the month plan behind `M`, kW (`None` when `M` is).
    #[serde(default)]
    pub hindsight_month_peak_kw: Option<f64>,
    /// Energy the served users took away (the sum of their positive `delivered_kwh`), kWh: the
    /// denominator of the users' price per kWh.
    #[serde(default)]
    pub energy_added_kwh: f64,
    /// Sum of the served users' hindsight marginal costs, USD (estimated days only).
    pub hindsight_marginals_usd: f64,
    /// Sum of the served users' planned marginal costs `dJ_v`, USD (priced menus only).
    pub planned_marginals_usd: f64,
    /// Sum of the served users' quotes, USD.
    pub quotes_usd: f64,
    /// Served users whose arrival had a priced menu and whose day was estimated: the
    /// population of the decomposition's forecast term.
    pub estimated_users: usize,
    /// Served users this month.
    pub served_users: usize,
}

/// The five terms of `A - paid` (module docs), USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GapTerms {
    /// `A - H`: the online controller against the hindsight plan.
    pub dispatch_usd: f64,
    /// `H - sum m_v`: costs and savings shared by several users.
    pub interaction_usd: f64,
    /// `sum m_v - sum dJ_v`: the futures' error on the users' marginal costs.
    pub forecast_usd: f64,
    /// `sum dJ_v - sum zeta_v`: what the pricing rule leaves out of the marginal costs.
    pub pricing_rule_usd: f64,
    /// `sum zeta_v - paid`: credits not paid (escrow).
    pub settlement_usd: f64,
}

impl LedgerMonth {
    /// What the users paid per kWh they took away, USD/kWh (`None` without energy).
    pub fn user_usd_per_kwh(&self) -> Option<f64> {
        (self.energy_added_kwh > 0.0).then(|| self.payments_usd / self.energy_added_kwh)
    }

    /// `M` per kWh the users took away: no payment rule and no controller can charge these
    /// users, with these energies and stays, less per kWh in aggregate without the building
    /// paying part of their cost (the price at which the EVs' net cost is zero even for a
    /// controller that knew the whole month). `None` without `M` or energy.
    pub fn break_even_usd_per_kwh(&self) -> Option<f64> {
        let m = self.hindsight_month_added_cost_usd?;
        (self.energy_added_kwh > 0.0).then(|| m / self.energy_added_kwh)
    }

    /// The part of the controller's gap `A - M` due to the demand charges: what the run's
    /// peaks billed above the month plan's, USD. The rest of `A - M` is energy, degradation
    /// and compensation. `None` when `M` is.
    pub fn demand_gap_usd(&self) -> Option<f64> {
        Some(self.demand_cost_usd - self.hindsight_month_demand_usd?)
    }

    /// The decomposition, when every served user of the month had a priced menu and every day
    /// was re-planned.
    pub fn gap_terms(&self) -> Option<GapTerms> {
        let h = self.hindsight_added_cost_usd?;
        if self.estimated_users != self.served_users {
            return None;
        }
        Some(GapTerms {
            dispatch_usd: self.ev_added_cost_usd - h,
            interaction_usd: h - self.hindsight_marginals_usd,
            forecast_usd: self.hindsight_marginals_usd - self.planned_marginals_usd,
            pricing_rule_usd: self.planned_marginals_usd - self.quotes_usd,
            settlement_usd: self.quotes_usd - self.payments_usd,
        })
    }
}

/// The ledger of one episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The policy.
    pub policy: String,
    /// Decided arrivals, in order.
    pub rows: Vec<LedgerRow>,
    /// Billing months.
    pub months: Vec<LedgerMonth>,
}

/// The ledger of `report`, an episode simulated on `scenario`; `hindsight` also computes the
/// hindsight marginal costs (two day LPs per served user, on `backend`).
pub fn ledger(
    scenario: &Scenario,
    report: &EpisodeReport,
    hindsight: Option<LpBackend>,
) -> Result<Ledger> {
    let outcomes: HashMap<(crate::Date, &str), &crate::SessionOutcome> = report
        .sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Served)
        .map(|s| ((s.date, s.session_id.as_str()), s))
        .collect();
    let targets: HashMap<(crate::Date, &str), f64> = report
        .users
        .records
        .iter()
        .filter(|a| a.served)
        .map(|a| ((a.date, a.session_id.as_str()), a.target_kwh))
        .collect();
    let (days, month_plans) = match hindsight {
        Some(backend) => {
            let plans = day_plans(scenario, &outcomes, &targets);
            (
                hindsight_days(scenario, &plans, backend)?,
                hindsight_months(scenario, &plans, backend)?,
            )
        }
        None => (HashMap::new(), HashMap::new()),
    };
    let rows: Vec<LedgerRow> = report
        .users
        .records
        .iter()
        .map(|a| {
            let out = outcomes.get(&(a.date, a.session_id.as_str()));
            let estimated = a.quote.as_ref().filter(|q| q.costs_estimated);
            let chosen = estimated
                .zip(a.level)
                .and_then(|(q, l)| q.options.get(l).map(|o| (q, o)));
            LedgerRow {
                date: a.date,
                session_id: a.session_id.clone(),
                slot: a.slot,
                served: a.served,
                level: a.level,
                cost_without_usd: estimated.map(|q| q.cost_without_usd),
                planned_marginal_usd: chosen.map(|(q, o)| o.cost_with_usd - q.cost_without_usd),
                utility_usd: chosen.map(|(_, o)| o.utility_usd),
                quote_usd: a.price.map_or(0.0, |p| {
                    p.amount_usd(out.map_or(0.0, |o| o.delivered_kwh.max(0.0)))
                }),
                paid_usd: out.map_or(0.0, |o| o.paid_usd),
                delivered_kwh: out.map_or(0.0, |o| o.delivered_kwh),
                discharged_kwh: out.map_or(0.0, |o| o.discharged_kwh),
                missing_kwh: out.map_or(0.0, |o| o.missing_kwh),
                hindsight_marginal_usd: days
                    .get(&a.date)
                    .and_then(|d| d.marginals.get(&a.session_id).copied()),
                options: a
                    .quote
                    .as_ref()
                    .map_or_else(Vec::new, |q| q.options.clone()),
            }
        })
        .collect();
    let months = report
        .months
        .iter()
        .map(|m| {
            let plan = month_plans.get(&(m.year, m.month)).copied().flatten();
            month_sums(m, &rows, &days, hindsight.is_some(), plan)
        })
        .collect();
    Ok(Ledger {
        policy: report.policy.clone(),
        rows,
        months,
    })
}

fn month_sums(
    m: &crate::MonthReport,
    rows: &[LedgerRow],
    days: &HashMap<crate::Date, HindsightDay>,
    hindsight: bool,
    month_plan: Option<HindsightMonth>,
) -> LedgerMonth {
    let mine = |r: &&LedgerRow| r.served && (r.date.year, r.date.month) == (m.year, m.month);
    let served: Vec<&LedgerRow> = rows.iter().filter(mine).collect();
    let month_days: Vec<&HindsightDay> = days
        .iter()
        .filter(|(d, _)| (d.year, d.month) == (m.year, m.month))
        .map(|(_, h)| h)
        .collect();
    let complete = hindsight
        && m.days > 0
        && month_days.len() == m.days
        && month_days.iter().all(|d| d.bill_usd.is_some());
    let hindsight_bill: f64 = month_days.iter().filter_map(|d| d.bill_usd).sum();
    let estimated = served
        .iter()
        .filter(|r| r.hindsight_marginal_usd.is_some() && r.planned_marginal_usd.is_some())
        .count();
    let added = m.ev_added_cost_usd();
    let month_plan = month_plan.filter(|_| complete);
    LedgerMonth {
        year: m.year,
        month: m.month,
        building_only_usd: m.building_only_usd,
        ev_added_cost_usd: added,
        payments_usd: m.payments_usd,
        credits_promised_usd: m.credits_promised_usd,
        credits_paid_usd: m.credits_paid_usd,
        net_cost_of_evs_usd: added - m.payments_usd,
        hindsight_added_cost_usd: complete.then_some(hindsight_bill - m.building_only_usd),
        hindsight_month_added_cost_usd: month_plan.map(|p| p.bill_usd - m.building_only_usd),
        demand_cost_usd: m.demand_cost_usd,
        peak_kw: m.peak_kw,
        hindsight_month_demand_usd: month_plan.map(|p| p.demand_usd),
        hindsight_month_peak_kw: month_plan.map(|p| p.peak_kw),
        energy_added_kwh: served.iter().map(|r| r.delivered_kwh.max(0.0)).sum(),
        hindsight_marginals_usd: served.iter().filter_map(|r| r.hindsight_marginal_usd).sum(),
        planned_marginals_usd: served.iter().filter_map(|r| r.planned_marginal_usd).sum(),
        quotes_usd: served.iter().map(|r| r.quote_usd).sum(),
        estimated_users: estimated,
        served_users: served.len(),
    }
}
