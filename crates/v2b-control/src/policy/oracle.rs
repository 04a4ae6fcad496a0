//! The Oracle: perfect information on load, sessions and terms; the month's (or each
//! day's) optimum of the charging model, executed open loop.

use super::futures::session_key;
use super::{session_ev, ChargingPolicy, DayView, Decision, Observation};
use crate::day_plan;
use crate::{Error, Result, Scenario};
use evmech_milp_model::charging::{ChargingBlock, ChargingProblem, ChargingWeights, PeakCoupling};
use evmech_milp_model::LpBackend;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which optimum the Oracle plays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OracleMode {
    /// One LP over the billing month with one shared peak (the default).
    #[default]
    Monthly,
    /// Each day solved alone, in order, with the realised past peak carried in.
    Daily,
}

/// The Oracle policy.
#[derive(Debug, Clone)]
pub struct Oracle {
    /// Monthly or daily optimum.
    pub mode: OracleMode,
    /// Objective weights (default: [`SiteConfig::default_weights`](crate::SiteConfig::default_weights)).
    pub weights: Option<ChargingWeights>,
    /// Solver.
    pub backend: LpBackend,
    plan: HashMap<u64, (usize, Vec<f64>)>,
    solves: usize,
    solver_seconds: f64,
}

impl Oracle {
    /// An Oracle in `mode` with the site's weights and the default backend.
    pub fn new(mode: OracleMode) -> Self {
        Oracle {
            mode,
            weights: None,
            backend: LpBackend::default(),
            plan: HashMap::new(),
            solves: 0,
            solver_seconds: 0.0,
        }
    }

    fn solve(&mut self, scenario: &Scenario, days: &[usize], past_peaks_kw: &[f64]) -> Result<()> {
        let n = scenario.slots_per_day();
        let blocks = days
            .iter()
            .map(|&d| {
                let day = &scenario.days()[d];
                let (assignment, targets) = day_plan(scenario, d);
                let rows = scenario.config().tariff_rows(day.date, 0, n);
                let evs = day
                    .sessions
                    .iter()
                    .enumerate()
                    .filter_map(|(s, session)| {
                        let c = assignment[s]?;
                        Some(session_ev(
                            scenario.config(),
                            session_key(d, s),
                            session,
                            c,
                            targets[s],
                        ))
                    })
                    .collect();
                ChargingBlock {
                    weight: 1.0,
                    start_slot: 0,
                    building_kw: day.building_kw.clone(),
                    price_usd_per_kwh: rows.price_usd_per_kwh,
                    peak: rows.peak,
                    more_peaks: rows.more_peaks,
                    dr: rows.dr,
                    evs,
                }
            })
            .collect();
        let config = scenario.config();
        let problem = ChargingProblem {
            peak_coupling: PeakCoupling::Shared,
            non_anticipative: false,
            weights: self.weights.unwrap_or_else(|| config.default_weights()),
            backend: self.backend,
            ..config.charging_problem(blocks, past_peaks_kw)
        };
        let plan = problem.solve().map_err(|e| Error::Solver {
            policy: "oracle".into(),
            source: e,
        })?;
        if !plan.status.is_optimal() {
            return Err(Error::InaccurateSolve {
                policy: "oracle".into(),
            });
        }
        self.solves += 1;
        self.solver_seconds += plan.solve_seconds;
        for block in plan.blocks {
            for ev in block.evs {
                let net = (0..ev.charge_kw.len()).map(|i| ev.net_kw(i)).collect();
                self.plan.insert(ev.key, (ev.first_slot, net));
            }
        }
        Ok(())
    }
}

/// The shortfall weight of the optimising policies, USD/kWh (in
/// [`SiteConfig::default_weights`](crate::SiteConfig::default_weights)).
///
/// The default 100 exceeds the cost of moving one kWh into a peak slot (46.68 USD) but not
/// the cost under the concave cap near full charge, where a kWh charged earlier lowers the
/// later cap: on the May 2019 fixture MPC then left 1.24 kWh missing at 100 USD/kWh and none
/// at 1000 (docs/v2b.md).
pub const SHORTFALL_WEIGHT_USD_PER_KWH: f64 = 1000.0;

impl ChargingPolicy for Oracle {
    fn name(&self) -> String {
        match self.mode {
            OracleMode::Monthly => "oracle".into(),
            OracleMode::Daily => "oracle-daily".into(),
        }
    }

    fn begin_day(&mut self, view: &DayView<'_>) -> Result<()> {
        match self.mode {
            OracleMode::Monthly => {
                let month = view.scenario.month_of(view.day);
                if month.first() == Some(&view.day) {
                    self.solve(view.scenario, &month, &[])?;
                }
            }
            OracleMode::Daily => self.solve(view.scenario, &[view.day], view.past_peaks_kw)?,
        }
        Ok(())
    }

    fn decide(&mut self, obs: &Observation<'_>) -> Result<Decision> {
        let power_kw = obs
            .evs
            .iter()
            .map(|ev| {
                let (first, net) = self.plan.get(&ev.key).ok_or_else(|| Error::Solver {
                    policy: "oracle".into(),
                    source: evmech_milp_model::Error::InvalidField {
                        field: format!("session key {}", ev.key),
                        reason: "not in the Oracle's plan".into(),
                    },
                })?;
                Ok(net.get(obs.slot - first).copied().unwrap_or(0.0))
            })
            .collect::<Result<Vec<f64>>>()?;
        let mut d = Decision::heuristic(power_kw);
        d.lp_solves = std::mem::take(&mut self.solves);
        d.solver_seconds = std::mem::take(&mut self.solver_seconds);
        Ok(d)
    }
}
