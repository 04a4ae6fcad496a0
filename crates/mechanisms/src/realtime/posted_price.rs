//! The sequential posted-price ("dynamic pricing") real-time market.

use super::{check_order, check_prices, Endowments};
use crate::{Error, Mechanism, Outcome, Result, Valuation};
use serde::{Deserialize, Serialize};

/// How posted prices are formed. A rule sees the reserve prices and the market state before an
/// arrival (who holds what), never the arriving EV's report: that is what keeps the market DSIC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum PriceRule {
    /// `q = r`: the reserve prices, fixed all day (the default).
    #[default]
    Static,
    /// `q_k = r_k + usd_per_held_session * (sessions held right now)`: prices rise with occupancy.
    OccupancyMarkup {
        /// Mark-up per held session, in dollars (finite, `>= 0`).
        usd_per_held_session: f64,
    },
}

impl PriceRule {
    /// Posted prices given the reserve prices and the number of sessions held.
    pub fn prices(&self, reserve: &[f64], n_held: usize) -> Vec<f64> {
        match *self {
            PriceRule::Static => reserve.to_vec(),
            PriceRule::OccupancyMarkup {
                usd_per_held_session,
            } => reserve
                .iter()
                .map(|r| r + usd_per_held_session * n_held as f64)
                .collect(),
        }
    }

    fn validate(&self) -> Result<()> {
        match *self {
            PriceRule::Static => Ok(()),
            PriceRule::OccupancyMarkup {
                usd_per_held_session: u,
            } if u.is_finite() && u >= 0.0 => Ok(()),
            PriceRule::OccupancyMarkup {
                usd_per_held_session: u,
            } => Err(Error::InvalidParameter {
                field: "usd_per_held_session",
                reason: format!("must be finite and non-negative, got {u}"),
            }),
        }
    }
}

/// What an EV gets back when it gives up its current session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Refund {
    /// Nothing (the default): the day-ahead payment is sunk. Keeps RT weak budget balance.
    #[default]
    NoRefund,
    /// The reserve price of the released session. RT revenue can then be negative.
    RefundReserve,
}

/// How many times each EV may act.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Passes {
    /// Each EV acts once, on arrival (the default; DSIC holds).
    #[default]
    Single,
    /// Repeat the arrival order until nobody moves, at most `max_rounds` rounds. An EV's early
    /// choice can change its own later prices, so DSIC is not guaranteed.
    UntilStable {
        /// Upper bound on rounds (`>= 1`).
        max_rounds: usize,
    },
}

/// One EV's decision in the posted-price market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The EV that acted.
    pub agent: usize,
    /// Posted prices it faced.
    pub prices: Vec<f64>,
    /// Which sessions were free when it acted.
    pub free: Vec<bool>,
    /// Refund it would get for leaving its session.
    pub refund: f64,
    /// Its session before acting.
    pub from: Option<usize>,
    /// Its session after acting.
    pub to: Option<usize>,
}

/// Sequential posted-price market.
///
/// EVs arrive in `order`. Each sees the posted prices `q` (from its [`PriceRule`], never from its
/// own report) and picks its favourite of: keep its session at price 0; move to a free session
/// `k` paying `q_k - refund`; optionally release to nothing for the refund. Ties keep the current
/// holding; among equally good free sessions the lowest index wins.
///
/// With the defaults (static prices, no refund, one pass) it is DSIC, reservation-aware and weakly
/// budget balanced, but it never swaps two reservations: use
/// [`TradingCycles`](super::TradingCycles) for that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostedPrice {
    endowments: Endowments,
    reserve: Vec<f64>,
    order: Vec<usize>,
    rule: PriceRule,
    refund: Refund,
    allow_release: bool,
    passes: Passes,
}

impl PostedPrice {
    /// A posted-price market with reserve prices `reserve` and arrival order `order` (a permutation
    /// of the agents), with the default options.
    pub fn new(endowments: Endowments, reserve: Vec<f64>, order: Vec<usize>) -> Result<Self> {
        check_prices("reserve price", &reserve, endowments.n_items())?;
        check_order(&order, endowments.n_agents())?;
        Ok(PostedPrice {
            endowments,
            reserve,
            order,
            rule: PriceRule::Static,
            refund: Refund::NoRefund,
            allow_release: false,
            passes: Passes::Single,
        })
    }

    /// Sets the price rule.
    pub fn with_rule(mut self, rule: PriceRule) -> Result<Self> {
        rule.validate()?;
        self.rule = rule;
        Ok(self)
    }

    /// Sets the refund rule.
    pub fn with_refund(mut self, refund: Refund) -> Self {
        self.refund = refund;
        self
    }

    /// Lets a holder release its session for nothing but the refund.
    pub fn with_release(mut self, allow: bool) -> Self {
        self.allow_release = allow;
        self
    }

    /// Sets the number of passes.
    pub fn with_passes(mut self, passes: Passes) -> Result<Self> {
        if let Passes::UntilStable { max_rounds: 0 } = passes {
            return Err(Error::InvalidParameter {
                field: "max_rounds",
                reason: "must be at least 1".into(),
            });
        }
        self.passes = passes;
        Ok(self)
    }

    /// Runs the market and also returns every EV's decision, in the order taken.
    pub fn run_traced(&self, reports: &[Valuation]) -> Result<(Outcome<Option<usize>>, Vec<Step>)> {
        self.endowments.check_reports(reports)?;
        let m = self.endowments.n_items();
        let mut held = self.endowments.holdings().to_vec();
        let mut free = vec![true; m];
        for k in held.iter().flatten() {
            free[*k] = false;
        }
        let mut payments = vec![0.0; reports.len()];
        let mut steps = Vec::new();
        let rounds = match self.passes {
            Passes::Single => 1,
            Passes::UntilStable { max_rounds } => max_rounds,
        };
        for _ in 0..rounds {
            let mut moved = false;
            for &i in &self.order {
                let n_held = free.iter().filter(|f| !**f).count();
                let prices = self.rule.prices(&self.reserve, n_held);
                let from = held[i];
                let refund = match (self.refund, from) {
                    (Refund::RefundReserve, Some(e)) => self.reserve[e],
                    _ => 0.0,
                };
                let v = &reports[i];
                let mut best = (v.of(from), from);
                for k in (0..m).filter(|&k| free[k]) {
                    let u = v.of(Some(k)) - prices[k] + refund;
                    if u > best.0 {
                        best = (u, Some(k));
                    }
                }
                if self.allow_release && from.is_some() && refund > best.0 {
                    best = (refund, None);
                }
                let to = best.1;
                let free_before = free.clone();
                if to != from {
                    moved = true;
                    if let Some(e) = from {
                        free[e] = true;
                    }
                    if let Some(k) = to {
                        free[k] = false;
                        payments[i] += prices[k];
                    }
                    payments[i] -= refund;
                    held[i] = to;
                }
                steps.push(Step {
                    agent: i,
                    prices,
                    free: free_before,
                    refund,
                    from,
                    to,
                });
            }
            if !moved {
                break;
            }
        }
        Ok((Outcome::new(held, payments)?, steps))
    }
}

impl Mechanism for PostedPrice {
    type Report = Valuation;
    type Allocation = Option<usize>;
    type Error = Error;

    fn name(&self) -> &str {
        "rt-posted-price"
    }

    fn run(&self, reports: &[Valuation]) -> Result<Outcome<Option<usize>>> {
        self.run_traced(reports).map(|(outcome, _)| outcome)
    }
}
