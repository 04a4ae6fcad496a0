//! The hindsight re-plans of the ledger: each recorded day with its served users (with and
//! without each of them), and each billing month as one LP with a shared peak.

use crate::policy::session_ev;
use crate::{Error, Result, Scenario};
use evmech_milp_model::charging::{ChargingBlock, ChargingPlan, ChargingProblem, PeakCoupling};
use evmech_milp_model::LpBackend;
use rayon::prelude::*;
use std::collections::HashMap;

/// One recorded day re-planned in hindsight.
#[derive(Debug, Default)]
pub(super) struct HindsightDay {
    /// The day's share of the month's hindsight bill (energy, its demand increment,
    /// degradation), USD; `None` when the day could not be planned (a stay over midnight).
    pub(super) bill_usd: Option<f64>,
    /// Served session id -> hindsight marginal cost, USD.
    pub(super) marginals: HashMap<String, f64>,
}

pub(super) type Served<'a> = HashMap<(crate::Date, &'a str), &'a crate::SessionOutcome>;
pub(super) type Targets<'a> = HashMap<(crate::Date, &'a str), f64>;

/// One recorded day with its served users as a hindsight block (EV keys are the users'
/// indices in `ids`).
pub(super) struct DayUsers {
    block: ChargingBlock,
    ids: Vec<String>,
}

/// Every day of `scenario`, in order, as a hindsight block with its served users, or `None`
/// when the day cannot be planned alone: a served user stays over midnight into it or out of
/// it. Built once for the day plans and the month plans.
pub(super) fn day_plans(
    scenario: &Scenario,
    served: &Served<'_>,
    targets: &Targets<'_>,
) -> Vec<Option<DayUsers>> {
    scenario
        .days()
        .iter()
        .map(|day| day_users(scenario, day, served, targets))
        .collect()
}

fn day_users(
    scenario: &Scenario,
    day: &crate::Day,
    served: &Served<'_>,
    targets: &Targets<'_>,
) -> Option<DayUsers> {
    let clock = scenario.clock();
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
        return None;
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
    let ids = users.iter().map(|(s, _)| s.id.clone()).collect();
    Some(DayUsers { block, ids })
}

/// Every day of `scenario` re-planned with its served users (`plans`, from [`day_plans`]),
/// months' peaks chained.
pub(super) fn hindsight_days(
    scenario: &Scenario,
    plans: &[Option<DayUsers>],
    backend: LpBackend,
) -> Result<HashMap<crate::Date, HindsightDay>> {
    let rates = demand_rates(scenario);
    let mut out = HashMap::new();
    let mut peaks = vec![0.0; rates.len()];
    let mut month = None;
    for (day, plan) in scenario.days().iter().zip(plans) {
        if month != Some((day.date.year, day.date.month)) {
            month = Some((day.date.year, day.date.month));
            peaks = vec![0.0; rates.len()];
        }
        let Some(DayUsers { block, ids }) = plan else {
            out.insert(day.date, HindsightDay::default());
            continue;
        };
        let all = solve_day(scenario, std::slice::from_ref(block), &peaks, backend)?;
        let baseline: f64 = rates.iter().zip(&peaks).map(|(r, p)| r * p).sum();
        let marginals = ids
            .par_iter()
            .enumerate()
            .map(|(i, id)| {
                let mut without = block.clone();
                without.evs.retain(|ev| ev.key != i as u64);
                let plan = solve_day(scenario, &[without], &peaks, backend)?;
                Ok((id.clone(), all.objective_usd - plan.objective_usd))
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

/// One billing month re-planned as one LP with hindsight.
#[derive(Debug, Clone, Copy)]
pub(super) struct HindsightMonth {
    /// The month plan's bill (energy, demand charges, degradation, shortfall), USD.
    pub(super) bill_usd: f64,
    /// Its demand charges alone (every charge's shared peak times its rate), USD.
    pub(super) demand_usd: f64,
    /// Its first demand charge's peak, kW.
    pub(super) peak_kw: f64,
}

/// Every billing month of `scenario` re-planned as one LP with its served users (`plans`, one
/// block per day, one shared peak per demand charge), or `None` for a month with a day that
/// cannot be planned alone.
pub(super) fn hindsight_months(
    scenario: &Scenario,
    plans: &[Option<DayUsers>],
    backend: LpBackend,
) -> Result<HashMap<(i32, u32), Option<HindsightMonth>>> {
    // Per billing month, its day blocks (`None` once a day cannot be planned alone).
    type MonthBlocks = ((i32, u32), Option<Vec<ChargingBlock>>);
    let mut months: Vec<MonthBlocks> = Vec::new();
    for (d, (day, plan)) in scenario.days().iter().zip(plans).enumerate() {
        let key = (day.date.year, day.date.month);
        if months.last().map(|(k, _)| *k) != Some(key) {
            months.push((key, Some(Vec::new())));
        }
        let entry = &mut months.last_mut().expect("pushed above").1;
        *entry = match (entry.take(), plan) {
            (Some(mut blocks), Some(p)) => {
                let mut block = p.block.clone();
                // Keys unique over the month: the day's index in the high bits.
                for ev in &mut block.evs {
                    ev.key += (d as u64) << 32;
                }
                blocks.push(block);
                Some(blocks)
            }
            _ => None,
        };
    }
    months
        .into_iter()
        .map(|(key, blocks)| {
            let plan = blocks
                .map(|b| solve_month(scenario, b, backend))
                .transpose()?;
            Ok((key, plan))
        })
        .collect()
}

fn demand_rates(scenario: &Scenario) -> Vec<f64> {
    scenario
        .tariff()
        .demand
        .iter()
        .map(|d| d.usd_per_kw)
        .collect()
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
    blocks: &[ChargingBlock],
    peaks: &[f64],
    backend: LpBackend,
) -> Result<ChargingPlan> {
    let problem = ChargingProblem {
        non_anticipative: false,
        backend,
        ..scenario.config().charging_problem(blocks.to_vec(), peaks)
    };
    solved(&problem)
}

/// A month's day blocks as one LP, the month's peaks shared from zero.
fn solve_month(
    scenario: &Scenario,
    blocks: Vec<ChargingBlock>,
    backend: LpBackend,
) -> Result<HindsightMonth> {
    let problem = ChargingProblem {
        non_anticipative: false,
        peak_coupling: PeakCoupling::Shared,
        backend,
        ..scenario.config().charging_problem(blocks, &[])
    };
    let plan = solved(&problem)?;
    // Under a shared peak every block reports the same peak variables.
    let (peak_kw, more) = plan
        .blocks
        .first()
        .map_or((0.0, &[][..]), |b| (b.peak_kw, &b.more_peaks_kw[..]));
    Ok(HindsightMonth {
        bill_usd: plan.objective_usd,
        demand_usd: problem.demand_usd(peak_kw, more),
        peak_kw,
    })
}

fn solved(problem: &ChargingProblem) -> Result<ChargingPlan> {
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
