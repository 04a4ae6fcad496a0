//! Exchange stage: top trading cycles over posted-price menus.

use super::{check_order, check_prices, Endowments};
use crate::{Error, Mechanism, Outcome, Result, Valuation};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// How an EV's equally good options are ordered (its ranking must be strict for TTC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreak {
    /// Own reservation first, then "nothing", then sessions by index (the default: nobody moves
    /// without a strict gain).
    #[default]
    KeepFirst,
    /// "Nothing" first, then sessions by index, the own reservation included (the rule of the
    /// reference brute-force script; it lets indifferent holders complete others' cycles).
    LowestIndex,
}

/// Top trading cycles with vacancies over the menus induced by fixed posted prices `q`
/// ("you request my house, I get your turn", Abdulkadiroglu and Sonmez 1999).
///
/// EV `i` holding `e_i` (or nothing) may keep `e_i` for free or move to any session `k` for the
/// fee `max(0, q_k - q_{e_i})` (`q_none = 0`); an EV without a reservation may also take nothing.
/// Its report ranks these options by value minus fee ([`TieBreak`] orders ties). Then, until all
/// EVs are served: every EV points to its best remaining option; EVs pointing to "nothing" leave;
/// every remaining session points to its holder if the holder is still there, else to the
/// highest-priority remaining EV (priority = `order`); the cycle reached from the highest-priority
/// EV trades, each member paying its fee.
///
/// Properties (proofs in `docs/two-stage.md`, property tests in `tests/`): DSIC (the menu does not
/// depend on the report, and TTC with vacancies is strategy-proof for strict rankings),
/// reservation-aware (a holder can always point to its own session, which points back), weakly
/// budget balanced (fees are `>= 0`). No efficiency guarantee: prices can block trades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradingCycles {
    endowments: Endowments,
    prices: Vec<f64>,
    order: Vec<usize>,
    tie_break: TieBreak,
}

impl TradingCycles {
    /// An exchange stage with posted prices `prices` and priority `order` (a permutation).
    pub fn new(endowments: Endowments, prices: Vec<f64>, order: Vec<usize>) -> Result<Self> {
        check_prices("posted price", &prices, endowments.n_items())?;
        check_order(&order, endowments.n_agents())?;
        Ok(TradingCycles {
            endowments,
            prices,
            order,
            tie_break: TieBreak::KeepFirst,
        })
    }

    /// Sets the tie-break rule.
    pub fn with_tie_break(mut self, tie_break: TieBreak) -> Self {
        self.tie_break = tie_break;
        self
    }

    /// Fee agent `agent` pays to end up with `item` (0 to keep its reservation).
    pub fn fee(&self, agent: usize, item: usize) -> f64 {
        let own = self.endowments.holdings()[agent];
        if own == Some(item) {
            return 0.0;
        }
        let own_price = own.map_or(0.0, |e| self.prices[e]);
        (self.prices[item] - own_price).max(0.0)
    }

    /// The agent's strict ranking of its options under report `v`, best first.
    pub fn ranking(&self, agent: usize, v: &Valuation) -> Vec<Option<usize>> {
        let own = self.endowments.holdings()[agent];
        let mut options: Vec<(f64, usize, Option<usize>)> = (0..self.endowments.n_items())
            .map(|k| {
                let tie = match self.tie_break {
                    TieBreak::KeepFirst if own == Some(k) => 0,
                    TieBreak::KeepFirst => 2 + k,
                    TieBreak::LowestIndex => 1 + k,
                };
                (v.of(Some(k)) - self.fee(agent, k), tie, Some(k))
            })
            .collect();
        if own.is_none() {
            let tie = match self.tie_break {
                TieBreak::KeepFirst => 1,
                TieBreak::LowestIndex => 0,
            };
            options.push((0.0, tie, None));
        }
        options.sort_by(|a, b| match b.0.total_cmp(&a.0) {
            Ordering::Equal => a.1.cmp(&b.1),
            other => other,
        });
        options.into_iter().map(|(_, _, o)| o).collect()
    }
}

impl Mechanism for TradingCycles {
    type Report = Valuation;
    type Allocation = Option<usize>;
    type Error = Error;

    fn name(&self) -> &str {
        "rt-trading-cycles"
    }

    fn run(&self, reports: &[Valuation]) -> Result<Outcome<Option<usize>>> {
        self.endowments.check_reports(reports)?;
        let m = self.endowments.n_items();
        let n = reports.len();
        let rankings: Vec<Vec<Option<usize>>> =
            (0..n).map(|i| self.ranking(i, &reports[i])).collect();
        let holder = self.endowments.holders();
        let mut cursor = vec![0usize; n];
        let mut agent_left = vec![true; n];
        let mut item_left = vec![true; m];
        let mut allocation = vec![None; n];
        let mut payments = vec![0.0; n];
        let mut n_left = n;
        let mut points_to = vec![None; n];
        while n_left > 0 {
            let mut someone_left_empty = false;
            for i in 0..n {
                if !agent_left[i] {
                    continue;
                }
                // Sessions only ever disappear, so each cursor only moves forward.
                while let Some(Some(k)) = rankings[i].get(cursor[i]) {
                    if item_left[*k] {
                        break;
                    }
                    cursor[i] += 1;
                }
                points_to[i] = rankings[i].get(cursor[i]).copied().flatten();
                if points_to[i].is_none() {
                    agent_left[i] = false;
                    n_left -= 1;
                    someone_left_empty = true;
                }
            }
            if someone_left_empty {
                continue;
            }
            let Some(&top) = self.order.iter().find(|&&i| agent_left[i]) else {
                break;
            };
            let session_points_to = |k: usize| holder[k].filter(|&h| agent_left[h]).unwrap_or(top);
            let mut position = vec![usize::MAX; n];
            let mut path = Vec::new();
            let mut a = top;
            while position[a] == usize::MAX {
                position[a] = path.len();
                path.push(a);
                let k = points_to[a].expect("every remaining agent points to a session");
                a = session_points_to(k);
            }
            for &i in &path[position[a]..] {
                let k = points_to[i].expect("cycle members point to sessions");
                allocation[i] = Some(k);
                payments[i] = self.fee(i, k);
                agent_left[i] = false;
                item_left[k] = false;
                n_left -= 1;
            }
        }
        Outcome::new(allocation, payments)
    }
}
