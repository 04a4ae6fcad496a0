//! Real-time VCG, with the Clarke pivot ignoring or respecting reservations.

use super::Endowments;
use crate::assignment;
use crate::vcg::vcg_payments;
use crate::{Error, Mechanism, Outcome, Result, Valuation, ValueMatrix};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The pivot term `h_i` of the Clarke payment `p_i = h_i - sum_{j != i} v_j(x_j)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pivot {
    /// `h_i = W*(N \ {i}, K)`: EV `i`'s reservation goes back to the pool. DSIC, efficient,
    /// weakly budget balanced, **not reservation-aware** (test `impossibility.rs`, T1).
    Scratch,
    /// `h_i = W*(N \ {i}, K \ {e_i})`: EV `i` leaves with its reservation. DSIC, efficient,
    /// reservation-aware, **not budget balanced** (tests T2-T3).
    Endowment,
}

/// VCG over all EVs and all sessions in the real-time market.
///
/// The allocation maximises real-time welfare whatever the reservations (ties broken as in
/// [`assignment::solve`]). Scratch payments come from the minimum Walrasian prices (no re-solve);
/// endowment payments take one early-stopping Dijkstra per reservation holder
/// ([`assignment::PairRemoval`]), not a re-solve each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RtVcg {
    pivot: Pivot,
    endowments: Endowments,
}

impl RtVcg {
    /// Real-time VCG with the given pivot and endowments.
    pub fn new(pivot: Pivot, endowments: Endowments) -> Self {
        RtVcg { pivot, endowments }
    }

    /// The pivot rule.
    pub fn pivot(&self) -> Pivot {
        self.pivot
    }
}

impl Mechanism for RtVcg {
    type Report = Valuation;
    type Allocation = Option<usize>;
    type Error = Error;

    fn name(&self) -> &str {
        match self.pivot {
            Pivot::Scratch => "rt-vcg-scratch",
            Pivot::Endowment => "rt-vcg-endowment",
        }
    }

    fn run(&self, reports: &[Valuation]) -> Result<Outcome<Option<usize>>> {
        self.endowments.check_agents(reports.len())?;
        let values = ValueMatrix::from_valuations(self.endowments.n_items(), reports)?;
        let a = assignment::solve(&values);
        let mut payments = vcg_payments(&values, &a);
        if self.pivot == Pivot::Endowment {
            // h_i = W*(N \ {i}, K \ {e_i}) for every endowed agent from the one assignment
            // (an early-stopping Dijkstra each, not a re-solve each: see `PairRemoval`).
            // The holders' queries are independent: they run on the current rayon pool, each
            // result in its own slot, so the payments do not depend on the thread count.
            let pairs = assignment::PairRemoval::new(&values, &a);
            let h: Vec<Option<f64>> = self
                .endowments
                .holdings()
                .par_iter()
                .enumerate()
                .map(|(i, e)| e.map(|e| pairs.welfare_without(i, e)))
                .collect();
            for (i, h) in h.into_iter().enumerate() {
                if let Some(h) = h {
                    payments[i] = h - (a.welfare() - values.value_of(i, a.item_of()[i]));
                }
            }
        }
        Outcome::new(a.item_of().to_vec(), payments)
    }
}
