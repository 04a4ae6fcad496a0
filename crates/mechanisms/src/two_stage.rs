//! The two-stage pipeline: day-ahead VCG -> reserve prices -> a real-time mechanism.

use crate::realtime::{
    check_order, Endowments, Passes, Pivot, PostedPrice, PriceRule, Refund, RtVcg, TieBreak,
    TradingCycles,
};
use crate::vcg::{DayAheadVcg, ReserveRule};
use crate::{assignment, Error, Mechanism, Outcome, Result, Valuation, ValueMatrix};
use serde::{Deserialize, Serialize};

/// Options of the sequential posted-price market (see [`PostedPrice`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PostedPriceOptions {
    /// Price rule (default: static reserve prices).
    pub rule: PriceRule,
    /// Refund rule (default: none).
    pub refund: Refund,
    /// Whether holders may release their session for the refund alone (default: no).
    pub allow_release: bool,
    /// Passes over the arrival order (default: one).
    pub passes: Passes,
}

/// The real-time stage of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "mechanism")]
pub enum RealTimeRule {
    /// No real-time market: everyone keeps the reservation, pays nothing more.
    None,
    /// Sequential posted prices starting from the reserve prices.
    PostedPrice(PostedPriceOptions),
    /// Trading cycles over the menus of the (static) reserve prices: newcomers buy free
    /// sessions and holders swap.
    TradingCycles {
        /// Tie-break of the rankings.
        tie_break: TieBreak,
    },
    /// VCG over everybody, ignoring reservations.
    VcgScratch,
    /// VCG with the day-ahead reservations as endowments.
    VcgEndowment,
}

/// One EV's reports to both markets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoStageReport {
    /// Day-ahead bid (`None` = the EV did not bid day-ahead).
    pub day_ahead: Option<Valuation>,
    /// Real-time valuation.
    pub real_time: Valuation,
}

/// What the day-ahead stage produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayAheadStage {
    /// Reservation of each EV.
    pub allocation: Vec<Option<usize>>,
    /// VCG payment of each EV.
    pub payments: Vec<f64>,
    /// Reserve price of each session handed to real time.
    pub reserve_prices: Vec<f64>,
    /// Day-ahead welfare under the day-ahead bids.
    pub welfare: f64,
}

/// What the real-time stage produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealTimeStage {
    /// Final session of each EV.
    pub allocation: Vec<Option<usize>>,
    /// Real-time payment of each EV (negative = paid by the operator).
    pub payments: Vec<f64>,
    /// Real-time welfare of the final allocation.
    pub welfare: f64,
    /// Best real-time welfare over all allocations.
    pub optimal_welfare: f64,
    /// Operator's real-time revenue.
    pub revenue: f64,
    /// `v_rt(x_rt) - p_rt - v_rt(e)` of each EV: negative means reservation awareness fails.
    pub reservation_awareness_slack: Vec<f64>,
}

/// Both stages of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoStageOutcome {
    /// The day-ahead auction.
    pub day_ahead: DayAheadStage,
    /// The real-time market.
    pub real_time: RealTimeStage,
}

/// The two-stage mechanism of the paper: a day-ahead VCG auction whose reserve prices guide a
/// real-time market.
///
/// As a [`Mechanism`], an EV's allocation is its final session and its payment is day-ahead plus
/// real-time; [`TwoStage::run_detailed`] returns both stages.
///
/// # Example
/// ```
/// use evmech_mechanisms::two_stage::{RealTimeRule, TwoStage, TwoStageReport};
/// use evmech_mechanisms::{realtime::TieBreak, vcg::ReserveRule, Valuation};
///
/// let market = TwoStage::new(2, ReserveRule::Vcg, RealTimeRule::TradingCycles {
///     tie_break: TieBreak::KeepFirst,
/// })
/// .with_order(vec![1, 0])?;
/// let reports = vec![
///     TwoStageReport { day_ahead: Some(Valuation::new(vec![6.0, 3.0])?),
///                      real_time: Valuation::new(vec![2.0, 6.0])? },
///     TwoStageReport { day_ahead: None, real_time: Valuation::new(vec![1.0, 5.0])? },
/// ];
/// let run = market.run_detailed(&reports)?;
/// assert_eq!(run.day_ahead.allocation, vec![Some(0), None]);
/// assert_eq!(run.real_time.allocation, vec![Some(0), Some(1)]);
/// assert_eq!(run.real_time.welfare, 7.0);
/// # Ok::<_, evmech_mechanisms::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoStage {
    n_sessions: usize,
    reserve: ReserveRule,
    real_time: RealTimeRule,
    order: Option<Vec<usize>>,
}

impl TwoStage {
    /// A pipeline over `n_sessions` sessions; the real-time arrival order defaults to report order.
    pub fn new(n_sessions: usize, reserve: ReserveRule, real_time: RealTimeRule) -> Self {
        TwoStage {
            n_sessions,
            reserve,
            real_time,
            order: None,
        }
    }

    /// Sets the real-time arrival (and trading priority) order, a permutation of the EVs.
    pub fn with_order(mut self, order: Vec<usize>) -> Result<Self> {
        let n = order.len();
        check_order(&order, n)?;
        self.order = Some(order);
        Ok(self)
    }

    /// Runs both stages.
    pub fn run_detailed(&self, reports: &[TwoStageReport]) -> Result<TwoStageOutcome> {
        let n = reports.len();
        let m = self.n_sessions;
        let order = match &self.order {
            Some(order) => {
                check_order(order, n)?;
                order.clone()
            }
            None => (0..n).collect(),
        };
        let bids: Vec<Valuation> = reports
            .iter()
            .map(|r| r.day_ahead.clone().unwrap_or_else(|| Valuation::zeros(m)))
            .collect();
        let da = DayAheadVcg::new(m).run_detailed(&bids)?;
        let reserve = da.reserve_prices(self.reserve);
        let endowments = Endowments::new(m, da.allocation.clone())?;
        let rt_values: Vec<Valuation> = reports.iter().map(|r| r.real_time.clone()).collect();
        let rt_matrix = ValueMatrix::from_valuations(m, &rt_values)?;
        let rt = self.run_real_time(endowments, reserve.clone(), order, &rt_values)?;
        let (allocation, payments) = rt.into_parts();
        let slack = (0..n)
            .map(|i| {
                rt_matrix.value_of(i, allocation[i])
                    - payments[i]
                    - rt_matrix.value_of(i, da.allocation[i])
            })
            .collect();
        let real_time = RealTimeStage {
            welfare: rt_matrix.welfare(&allocation),
            optimal_welfare: assignment::solve(&rt_matrix).welfare(),
            revenue: payments.iter().sum(),
            reservation_awareness_slack: slack,
            allocation,
            payments,
        };
        Ok(TwoStageOutcome {
            day_ahead: DayAheadStage {
                allocation: da.allocation,
                payments: da.payments,
                reserve_prices: reserve,
                welfare: da.welfare,
            },
            real_time,
        })
    }

    fn run_real_time(
        &self,
        endowments: Endowments,
        reserve: Vec<f64>,
        order: Vec<usize>,
        rt_values: &[Valuation],
    ) -> Result<Outcome<Option<usize>>> {
        match self.real_time {
            RealTimeRule::None => {
                let n = endowments.n_agents();
                Outcome::new(endowments.holdings().to_vec(), vec![0.0; n])
            }
            RealTimeRule::PostedPrice(opts) => PostedPrice::new(endowments, reserve, order)?
                .with_rule(opts.rule)?
                .with_refund(opts.refund)
                .with_release(opts.allow_release)
                .with_passes(opts.passes)?
                .run(rt_values),
            RealTimeRule::TradingCycles { tie_break } => {
                TradingCycles::new(endowments, reserve, order)?
                    .with_tie_break(tie_break)
                    .run(rt_values)
            }
            RealTimeRule::VcgScratch => RtVcg::new(Pivot::Scratch, endowments).run(rt_values),
            RealTimeRule::VcgEndowment => RtVcg::new(Pivot::Endowment, endowments).run(rt_values),
        }
    }
}

impl Mechanism for TwoStage {
    type Report = TwoStageReport;
    type Allocation = Option<usize>;
    type Error = Error;

    fn name(&self) -> &str {
        "two-stage"
    }

    fn run(&self, reports: &[TwoStageReport]) -> Result<Outcome<Option<usize>>> {
        let run = self.run_detailed(reports)?;
        let total = run
            .day_ahead
            .payments
            .iter()
            .zip(&run.real_time.payments)
            .map(|(a, b)| a + b)
            .collect();
        Outcome::new(run.real_time.allocation, total)
    }
}
