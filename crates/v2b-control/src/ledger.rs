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

use crate::policy::session_ev;
use crate::{EpisodeReport, Error, QuotedOption, Result, Scenario, SessionStatus};
use evmech_milp_model::charging::{ChargingBlock, ChargingPlan};
use evmech_milp_model::LpBackend;
use rayon::prelude::*;
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
    let days = match hindsight {
        Some(backend) => hindsight_days(scenario, &outcomes, &targets, backend)?,
        None => HashMap::new(),
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
        .map(|m| month_sums(m, &rows, &days, hindsight.is_some()))
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
        hindsight_marginals_usd: served.iter().filter_map(|r| r.hindsight_marginal_usd).sum(),
        planned_marginals_usd: served.iter().filter_map(|r| r.planned_marginal_usd).sum(),
        quotes_usd: served.iter().map(|r| r.quote_usd).sum(),
        estimated_users: estimated,
        served_users: served.len(),
    }
}

/// One recorded day re-planned in hindsight.
#[derive(Debug, Default)]
struct HindsightDay {
    /// The day's share of the month's hindsight bill (energy, its demand increment,
    /// degradation), USD; `None` when the day could not be planned (a stay over midnight).
    bill_usd: Option<f64>,
    /// Served session id -> hindsight marginal cost, USD.
    marginals: HashMap<String, f64>,
}

/// Every day of `scenario` re-planned with its served users, months' peaks chained.
fn hindsight_days(
    scenario: &Scenario,
    served: &HashMap<(crate::Date, &str), &crate::SessionOutcome>,
    targets: &HashMap<(crate::Date, &str), f64>,
    backend: LpBackend,
) -> Result<HashMap<crate::Date, HindsightDay>> {
    let clock = scenario.clock();
    let rates: Vec<f64> = scenario
        .tariff()
        .demand
        .iter()
        .map(|d| d.usd_per_kw)
        .collect();
    let mut out = HashMap::new();
    let mut peaks = vec![0.0; rates.len()];
    let mut month = None;
    for day in scenario.days() {
        if month != Some((day.date.year, day.date.month)) {
            month = Some((day.date.year, day.date.month));
            peaks = vec![0.0; rates.len()];
        }
        let users: Vec<_> = day
            .sessions
            .iter()
            .filter_map(|s| served.get(&(day.date, s.id.as_str())).map(|o| (s, *o)))
            .collect();
        let n = day.building_kw.len();
        let stays_over = users.iter().any(|(_, o)| o.departure_slot > n);
        let carried_in = served
            .values()
            .any(|o| o.date < day.date && spans(o, day.date, &clock));
        if stays_over || carried_in {
            out.insert(day.date, HindsightDay::default());
            continue;
        }
        let mut block = day_block(scenario, day, n);
        for (i, (s, o)) in users.iter().enumerate() {
            // What the recorded run delivered, up to the agreed target: always reachable.
            let reached = s.arrival_energy_kwh + o.delivered_kwh;
            let target = targets
                .get(&(day.date, s.id.as_str()))
                .map_or(reached, |&t| t.min(reached));
            let mut ev = session_ev(
                scenario.config(),
                i as u64,
                s,
                o.charger.unwrap_or(0),
                target,
            );
            ev.departure_slot = o.departure_slot.max(ev.arrival_slot + 1);
            block.evs.push(ev);
        }
        let all = solve_day(scenario, &block, &peaks, backend)?;
        let baseline: f64 = rates.iter().zip(&peaks).map(|(r, p)| r * p).sum();
        let marginals = users
            .par_iter()
            .enumerate()
            .map(|(i, (s, _))| {
                let mut without = block.clone();
                without.evs.retain(|ev| ev.key != i as u64);
                let plan = solve_day(scenario, &without, &peaks, backend)?;
                Ok((s.id.clone(), all.objective_usd - plan.objective_usd))
            })
            .collect::<Result<HashMap<String, f64>>>()?;
        out.insert(
            day.date,
            HindsightDay {
                bill_usd: Some(all.objective_usd - baseline),
                marginals,
            },
        );
        if let Some(b) = all.blocks.first() {
            peaks[0] = peaks[0].max(b.peak_kw);
            for (p, q) in peaks.iter_mut().skip(1).zip(&b.more_peaks_kw) {
                *p = p.max(*q);
            }
        }
    }
    Ok(out)
}

/// Whether a stay that began before `date` is still plugged in on it.
fn spans(o: &crate::SessionOutcome, date: crate::Date, clock: &crate::Clock) -> bool {
    let days = date.days_since_epoch() - o.date.days_since_epoch();
    // Cheap rejections first: a stay ends within MAX_STAY_DAYS, and one that does not pass
    // half a day cannot reach the next (a day has at least 12 hours on any clock).
    (1..=crate::MAX_STAY_DAYS as i64).contains(&days)
        && o.departure_slot > clock.nominal_slots() / 2
        && o.departure_slot > clock.slots_between(o.date, date)
}

/// The day's block: its load and tariff rows, no EV yet, no demand-response event.
fn day_block(scenario: &Scenario, day: &crate::Day, n: usize) -> ChargingBlock {
    let rows = scenario.config().tariff_rows(day.date, 0, n);
    ChargingBlock {
        weight: 1.0,
        start_slot: 0,
        building_kw: day.building_kw.clone(),
        price_usd_per_kwh: rows.price_usd_per_kwh,
        peak: rows.peak,
        more_peaks: rows.more_peaks,
        dr: vec![None; n],
        evs: Vec::new(),
    }
}

fn solve_day(
    scenario: &Scenario,
    block: &ChargingBlock,
    peaks: &[f64],
    backend: LpBackend,
) -> Result<ChargingPlan> {
    let problem = evmech_milp_model::charging::ChargingProblem {
        non_anticipative: false,
        backend,
        ..scenario
            .config()
            .charging_problem(vec![block.clone()], peaks)
    };
    let plan = problem.solve().map_err(|source| Error::Solver {
        policy: "ledger".into(),
        source,
    })?;
    if !plan.status.is_optimal() {
        return Err(Error::InaccurateSolve {
            policy: "ledger".into(),
        });
    }
    Ok(plan)
}
