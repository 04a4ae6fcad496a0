//! Menu generation (Algorithm 1 steps 3-4): the cost without the arriving user,
//! then per level the best deviation over one shared set of sampled futures, priced.

use super::{DepartureSearch, FlexLevel, MenuOption, MenuOptions};
use crate::{Error, Result};
use evmech_milp_model::charging::{
    ChargingPlan, ChargingProblem, DepartureProbe, FlexChoice, Flexibility, PlannedEv,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::Instant;

/// The arrival's sample-average problem: `base` holds the sampled futures without the arriving
/// user (every block starts at the arrival slot), `arriving` is the user as reported, present
/// from the block start to her requested departure with her (clipped) requested target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MenuInput {
    /// The futures, weights and settings; `flexibility` must be `None`.
    pub base: ChargingProblem,
    /// The arriving user's request.
    pub arriving: PlannedEv,
}

/// A priced menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Menu {
    /// `J^{-v}`: the sample-average cost without the user, USD.
    pub cost_without_usd: f64,
    /// One option per level, in level order.
    pub options: Vec<MenuOption>,
    /// What charging elsewhere costs the user, `E_bar (target - arrival energy)^+`, USD.
    pub external_cost_usd: f64,
    /// Models solved.
    pub lp_solves: usize,
    /// Seconds inside the solver.
    pub solver_seconds: f64,
    /// Wall-clock seconds of the whole menu.
    pub seconds: f64,
    /// Fingerprint of the futures each solve saw (without the user): common random numbers
    /// make them all equal.
    pub fingerprints: Vec<u64>,
}

/// One solve of the arrival's problem.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Solved {
    cost: f64,
    energy_cost: f64,
    reduction: f64,
    departure: usize,
    fingerprint: u64,
    solver_seconds: f64,
}

/// Hash of the futures a problem holds, leaving out the EV with `skip`.
pub fn futures_fingerprint(problem: &ChargingProblem, skip: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let bits = |h: &mut std::collections::hash_map::DefaultHasher, v: &[f64]| {
        for x in v {
            x.to_bits().hash(h);
        }
    };
    problem.past_peak_kw.to_bits().hash(&mut h);
    for block in &problem.blocks {
        block.weight.to_bits().hash(&mut h);
        block.start_slot.hash(&mut h);
        bits(&mut h, &block.building_kw);
        bits(&mut h, &block.price_usd_per_kwh);
        block.peak.hash(&mut h);
        for ev in block.evs.iter().filter(|ev| ev.key != skip) {
            (ev.key, ev.arrival_slot, ev.departure_slot).hash(&mut h);
            bits(&mut h, &[ev.energy_kwh, ev.target_kwh, ev.max_charge_kw]);
        }
    }
    h.finish()
}

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        field: field.into(),
        reason: reason.into(),
    }
}

impl MenuOptions {
    /// Checks the options: `alpha` in `[0, 1]`, at least one level, each level's reduction in
    /// `[0, 100]` % and delay finite and non-negative, the outside price and the tie-break
    /// finite and non-negative. Errors name the field (`levels[2].max_delay_minutes`).
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.alpha) {
            return Err(invalid("alpha", "must be in [0, 1]"));
        }
        if self.levels.is_empty() {
            return Err(invalid("levels", "must not be empty"));
        }
        for (l, level) in self.levels.iter().enumerate() {
            if !(level.max_reduction_pct.is_finite()
                && (0.0..=100.0).contains(&level.max_reduction_pct))
            {
                return Err(invalid(
                    &format!("levels[{l}].max_reduction_pct"),
                    "must be in [0, 100]",
                ));
            }
            if !(level.max_delay_minutes.is_finite() && level.max_delay_minutes >= 0.0) {
                return Err(invalid(
                    &format!("levels[{l}].max_delay_minutes"),
                    "must be finite and >= 0",
                ));
            }
        }
        if !(self.external_price_usd_per_kwh.is_finite() && self.external_price_usd_per_kwh >= 0.0)
        {
            return Err(invalid(
                "external_price_usd_per_kwh",
                "must be finite and >= 0",
            ));
        }
        if !(self.tie_break_usd.is_finite() && self.tie_break_usd >= 0.0) {
            return Err(invalid("tie_break_usd", "must be finite and >= 0"));
        }
        Ok(())
    }
}

impl MenuInput {
    /// Checks the input against the options.
    pub fn validate(&self, options: &MenuOptions) -> Result<()> {
        if self.base.flexibility.is_some() {
            return Err(invalid(
                "base.flexibility",
                "must be None (the menu sets it)",
            ));
        }
        if self.base.blocks.is_empty() {
            return Err(invalid("base.blocks", "must not be empty"));
        }
        let v = &self.arriving;
        for (b, block) in self.base.blocks.iter().enumerate() {
            if block.evs.iter().any(|ev| ev.key == v.key) {
                return Err(invalid(
                    &format!("base.blocks[{b}].evs"),
                    "must not contain the arriving user's key",
                ));
            }
            if v.arrival_slot > block.start_slot {
                return Err(invalid(
                    "arriving.arrival_slot",
                    "the user must be present from every block's first slot",
                ));
            }
            if v.departure_slot <= block.start_slot || v.departure_slot > block.end_slot() {
                return Err(invalid(
                    "arriving.departure_slot",
                    "must lie in every block's horizon",
                ));
            }
        }
        options.validate()
    }

    /// The last slot any block allows the user to stay to.
    fn horizon_end(&self) -> usize {
        self.base
            .blocks
            .iter()
            .map(|b| b.end_slot())
            .min()
            .unwrap_or(self.arriving.departure_slot)
    }

    /// Largest delay of `level`, in slots, capped at the horizon.
    pub fn delay_slots(&self, level: &FlexLevel) -> usize {
        level.delay_slots(self.base.slot_hours).min(
            self.horizon_end()
                .saturating_sub(self.arriving.departure_slot),
        )
    }

    /// Largest reduction of `pct` %-points, in kWh, never below the arrival energy.
    pub fn reduction_kwh(&self, pct: f64) -> f64 {
        let v = &self.arriving;
        (pct / 100.0 * v.battery_kwh).min((v.target_kwh - v.energy_kwh).max(0.0))
    }

    /// The problem with the user leaving at one of `departures` (the first is the requested
    /// one; several need [`DepartureSearch::Binaries`]) and a reduction up to `max_reduction`.
    fn with_user(
        &self,
        options: &MenuOptions,
        departures: &[usize],
        max_reduction: f64,
    ) -> ChargingProblem {
        let mut problem = self.base.clone();
        if let Some(b) = options.backend {
            problem.backend = b;
        }
        let last = departures
            .last()
            .copied()
            .unwrap_or(self.arriving.departure_slot);
        let mut v = self.arriving.clone();
        v.departure_slot = last;
        for block in &mut problem.blocks {
            block.evs.push(v.clone());
        }
        problem.flexibility = Some(Flexibility {
            key: v.key,
            max_reduction_kwh: max_reduction,
            departure_slots: departures.to_vec(),
            tie_break_usd: options.tie_break_usd,
        });
        problem
    }

    /// Solves the problem with the user leaving at one of `departures` and a reduction up to
    /// `max_reduction`, written afresh.
    fn solve(
        &self,
        options: &MenuOptions,
        departures: &[usize],
        max_reduction: f64,
    ) -> Result<Solved> {
        let problem = self.with_user(options, departures, max_reduction);
        let plan = checked(problem.solve())?;
        Ok(self.solved(
            &problem,
            &plan,
            futures_fingerprint(&problem, self.arriving.key),
        ))
    }

    /// What the menu keeps of a plan of `problem` (the user's choice, her energy cost).
    fn solved(&self, problem: &ChargingProblem, plan: &ChargingPlan, fingerprint: u64) -> Solved {
        let key = self.arriving.key;
        let choice = plan.flex.unwrap_or(FlexChoice {
            reduction_kwh: 0.0,
            departure_slot: self.arriving.departure_slot,
            tie_break_usd: 0.0,
        });
        Solved {
            cost: plan.objective_usd,
            energy_cost: own_energy_cost(problem, plan, key),
            reduction: choice.reduction_kwh,
            departure: choice.departure_slot,
            fingerprint,
            solver_seconds: plan.solve_seconds,
        }
    }

    /// `J^{-v}`: the futures alone.
    fn solve_without(&self, options: &MenuOptions) -> Result<(f64, u64, f64)> {
        let mut problem = self.base.clone();
        if let Some(b) = options.backend {
            problem.backend = b;
        }
        let plan = checked(problem.solve())?;
        Ok((
            plan.objective_usd,
            futures_fingerprint(&problem, self.arriving.key),
            plan.solve_seconds,
        ))
    }

    /// `J(report)`: the sample-average cost with the user exactly as reported (level 0), USD.
    pub fn cost_as_reported(&self, options: &MenuOptions) -> Result<f64> {
        self.validate(options)?;
        let d = self.arriving.departure_slot;
        Ok(self.solve(options, &[d], 0.0)?.cost)
    }

    /// Generates the priced menu (one option per level).
    ///
    /// The cost without the user and the levels are independent; they run in parallel on the
    /// current rayon thread pool. Each level writes its model once, with the user staying to the
    /// level's latest departure, and keeps it in the solver: every departure it tries is a change
    /// of column bounds, re-solved from the last basis (see
    /// [`DepartureProbe`](evmech_milp_model::charging::DepartureProbe); a departure choice by
    /// binaries, an uncontrolled charger or a ramp limit writes a model per solve instead). Each
    /// level also keeps its own cache of solved departures and solves in a fixed order, so the
    /// options, the solve counts and the fingerprints (in level order) are the same with any
    /// number of threads.
    pub fn menu(&self, options: &MenuOptions) -> Result<Menu> {
        self.validate(options)?;
        let started = Instant::now();
        let (without, levels) = rayon::join(
            || self.solve_without(options),
            || {
                options
                    .levels
                    .par_iter()
                    .map(|level| self.best_at_level(options, level))
                    .collect::<Result<Vec<LevelBest>>>()
            },
        );
        let (without, fp, without_seconds) = without?;
        let levels = levels?;
        let tau_minutes = self.base.slot_hours * 60.0;
        let d_req = self.arriving.departure_slot;
        let mut fingerprints = vec![fp];
        let mut lp_solves = 1;
        let mut solver_seconds = without_seconds;
        let mut menu_options = Vec::with_capacity(levels.len());
        for (l, found) in levels.into_iter().enumerate() {
            lp_solves += found.lp_solves;
            solver_seconds += found.solver_seconds;
            fingerprints.extend(found.fingerprints);
            let best = found.best;
            let delta = best.cost - without;
            let utility = best.energy_cost - delta;
            let delay_slots = best.departure - d_req;
            menu_options.push(MenuOption {
                level: l,
                reduction_kwh: best.reduction,
                reduction_pct: 100.0 * best.reduction / self.arriving.battery_kwh,
                delay_slots,
                delay_minutes: delay_slots as f64 * tau_minutes,
                target_kwh: self.arriving.target_kwh - best.reduction,
                departure_slot: best.departure,
                cost_with_usd: best.cost,
                delta_cost_usd: delta,
                energy_cost_usd: best.energy_cost,
                utility_usd: utility,
                price_usd: options
                    .pricing
                    .price(best.energy_cost, utility, options.alpha),
            });
        }
        let need = (self.arriving.target_kwh - self.arriving.energy_kwh).max(0.0);
        Ok(Menu {
            cost_without_usd: without,
            options: menu_options,
            external_cost_usd: options.external_price_usd_per_kwh * need,
            lp_solves,
            solver_seconds,
            seconds: started.elapsed().as_secs_f64(),
            fingerprints,
        })
    }

    /// The best deviation at one level: the departure search of `options` over the level's
    /// departures, each solve with the level's largest reduction.
    fn best_at_level(&self, options: &MenuOptions, level: &FlexLevel) -> Result<LevelBest> {
        let sigma = self.reduction_kwh(level.max_reduction_pct);
        let d_req = self.arriving.departure_slot;
        let departures: Vec<usize> = (d_req..=d_req + self.delay_slots(level)).collect();
        let mut found = LevelBest::default();
        let mut cache: HashMap<Vec<usize>, Solved> = HashMap::new();
        let search = match options.departure_search {
            DepartureSearch::Bisect if !self.arriving.controlled => DepartureSearch::Enumerate,
            other => other,
        };
        let last = departures.last().copied().unwrap_or(d_req);
        let mut solver = LevelSolver::new(self, options, search, sigma, last)?;
        let mut run = |deps: &[usize]| -> Result<Solved> {
            if let Some(s) = cache.get(deps) {
                return Ok(*s);
            }
            let s = solver.solve(self, options, deps, sigma)?;
            found.record(&s);
            cache.insert(deps.to_vec(), s);
            Ok(s)
        };
        let best = match search {
            DepartureSearch::Binaries => run(&departures)?,
            DepartureSearch::Bisect => bisect(&departures, d_req, options.tie_break_usd, &mut run)?,
            DepartureSearch::Enumerate => {
                let mut best: Option<(f64, Solved)> = None;
                for &d in &departures {
                    let s = run(&[d])?;
                    let score = s.cost + options.tie_break_usd * ((d - d_req) as f64 + s.reduction);
                    if best.is_none_or(|(b, _)| score < b) {
                        best = Some((score, s));
                    }
                }
                best.ok_or_else(|| invalid("levels", "a level has no departure"))?
                    .1
            }
        };
        found.best = best;
        Ok(found)
    }
}

/// What one level's search found, with its solve counts.
#[derive(Debug, Default)]
struct LevelBest {
    best: Solved,
    lp_solves: usize,
    solver_seconds: f64,
    fingerprints: Vec<u64>,
}

impl LevelBest {
    /// Counts one solve.
    fn record(&mut self, s: &Solved) {
        self.lp_solves += 1;
        self.solver_seconds += s.solver_seconds;
        self.fingerprints.push(s.fingerprint);
    }
}

/// How one level's solves run: one model of the level's latest departure kept in the solver
/// and probed by bounds (each re-solve starts from the last basis), or, where a probe cannot
/// model the level (a departure choice by binaries, an uncontrolled charger, a ramp limit), a
/// model written afresh per solve.
enum LevelSolver {
    Kept {
        probe: Box<DepartureProbe>,
        fingerprint: u64,
    },
    Fresh,
}

impl LevelSolver {
    fn new(
        input: &MenuInput,
        options: &MenuOptions,
        search: DepartureSearch,
        sigma: f64,
        last: usize,
    ) -> Result<LevelSolver> {
        let problem = input.with_user(options, &[last], sigma);
        if search == DepartureSearch::Binaries || !problem.supports_departure_probe() {
            return Ok(LevelSolver::Fresh);
        }
        let probe = problem.departure_probe().map_err(|source| Error::Solver {
            policy: "consent".into(),
            source,
        })?;
        Ok(LevelSolver::Kept {
            fingerprint: futures_fingerprint(probe.problem(), input.arriving.key),
            probe: Box::new(probe),
        })
    }

    /// One solve with the user leaving at one of `deps` (a probe takes one departure).
    fn solve(
        &mut self,
        input: &MenuInput,
        options: &MenuOptions,
        deps: &[usize],
        sigma: f64,
    ) -> Result<Solved> {
        match (self, deps) {
            (LevelSolver::Kept { probe, fingerprint }, &[d]) => {
                let plan = checked(probe.solve(d, sigma))?;
                Ok(input.solved(probe.problem(), &plan, *fingerprint))
            }
            _ => input.solve(options, deps, sigma),
        }
    }
}

/// The latest departure whose cost (plus the tie-break per slot of delay) is at most the
/// latest departure's, found by bisection; the requested departure is probed first, since most
/// users gain nothing by staying longer.
fn bisect(
    departures: &[usize],
    d_req: usize,
    tie: f64,
    run: &mut impl FnMut(&[usize]) -> Result<Solved>,
) -> Result<Solved> {
    let Some(&last) = departures.last() else {
        return Err(invalid("levels", "a level has no departure"));
    };
    let latest = run(&[last])?;
    let bar = latest.cost + tie * (latest.departure - d_req) as f64;
    let (mut lo, mut hi, mut best) = (0, departures.len() - 1, latest);
    if hi > 0 {
        let first = run(&[d_req])?;
        if first.cost <= bar {
            hi = 0;
            best = first;
        } else {
            lo = 1;
        }
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        let s = run(&[departures[mid]])?;
        if s.cost + tie * (s.departure - d_req) as f64 <= bar {
            hi = mid;
            best = s;
        } else {
            lo = mid + 1;
        }
    }
    Ok(best)
}

fn checked(solved: evmech_milp_model::Result<ChargingPlan>) -> Result<ChargingPlan> {
    match solved {
        Ok(plan) if plan.status.is_optimal() => Ok(plan),
        Ok(_) => Err(Error::InaccurateSolve {
            policy: "consent".into(),
        }),
        Err(source) => Err(Error::Solver {
            policy: "consent".into(),
            source,
        }),
    }
}

/// `C`: the weighted energy cost of the EV `key`'s own grid-side power, USD.
fn own_energy_cost(problem: &ChargingProblem, plan: &ChargingPlan, key: u64) -> f64 {
    let tau = problem.slot_hours;
    problem
        .blocks
        .iter()
        .zip(&plan.blocks)
        .map(|(block, bp)| {
            bp.evs
                .iter()
                .filter(|ev| ev.key == key)
                .map(|ev| {
                    (0..ev.charge_kw.len())
                        .map(|i| {
                            let k = ev.first_slot + i - block.start_slot;
                            block.price_usd_per_kwh[k] * tau * ev.net_kw(i)
                        })
                        .sum::<f64>()
                })
                .sum::<f64>()
                * block.weight
        })
        .sum()
}
