//! The negotiation as a [`Mechanism`]: the arrivals of one slot, in order.

use super::{
    AcceptanceMode, Choice, Menu, MenuInput, MenuOption, MenuOptions, Negotiator, UserWeights,
};
use crate::policy::stream_seed;
use crate::{Admission, Error, Result};
use evmech_mechanisms::{Mechanism, Outcome, QuasiLinear};
use evmech_milp_model::charging::{ChargingProblem, PlannedEv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What one arriving user brings: her request (reported) and her sensitivities (private: the
/// mechanism never reads them, they only drive her choice from the menu).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationReport {
    /// The request: arrival, requested departure, arrival energy and (clipped) target, on her
    /// assigned charger. Its `key` must be unique.
    pub request: PlannedEv,
    /// Her inconvenience weights.
    pub user: UserWeights,
}

/// The allocation of one user: her menu, and what she chose from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationOutcome {
    /// The menu she was offered.
    pub menu: Menu,
    /// Her choice.
    pub choice: Choice,
    /// The accepted option (`None` on reject).
    pub option: Option<MenuOption>,
}

/// A driver's true type, for the property checkers of `evmech-mechanisms`: her sensitivities,
/// her true request and the price of charging elsewhere.
///
/// Her value of an accepted option is what charging elsewhere would have cost her true need,
/// minus her inconvenience measured against her *true* request (energy below her true target,
/// minutes after her true departure): `external x need - w1 x reduction % - w2 x delay`. Her
/// utility (value - price) is then the acceptance utility `Y` of the menu when she reports
/// truthfully. Declining is worth 0 (she charges elsewhere at the external price).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentUser {
    /// Her sensitivities.
    pub user: UserWeights,
    /// Her true request.
    pub request: PlannedEv,
    /// Price of charging elsewhere, USD/kWh.
    pub external_usd_per_kwh: f64,
    /// Slot length, minutes.
    pub slot_minutes: f64,
}

impl QuasiLinear<NegotiationOutcome> for ConsentUser {
    fn value(&self, outcome: &NegotiationOutcome) -> f64 {
        let Some(o) = outcome.option else {
            return 0.0;
        };
        let r = &self.request;
        let need = (r.target_kwh - r.energy_kwh).max(0.0);
        let reduction_pct = 100.0 * (r.target_kwh - o.target_kwh).max(0.0) / r.battery_kwh;
        let delay = o.departure_slot.saturating_sub(r.departure_slot) as f64 * self.slot_minutes;
        self.external_usd_per_kwh * need - self.user.inconvenience(reduction_pct, delay)
    }
}

/// CONSENT on the arrivals of one slot: each user is offered a menu priced over the same
/// sampled futures `base` (which already hold the connected EVs), picks by `acceptance`, and
/// if she accepts joins the futures for the users after her. Payment = the accepted quote
/// (negative: the operator pays), 0 on reject.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentMechanism {
    /// The futures and the charging settings at the slot.
    pub base: ChargingProblem,
    /// Levels, alpha, pricing rule.
    pub options: MenuOptions,
    /// The users' choice model.
    pub acceptance: AcceptanceMode,
    /// Seed of the users' draws.
    pub seed: u64,
}

impl Mechanism for ConsentMechanism {
    type Report = NegotiationReport;
    type Allocation = NegotiationOutcome;
    type Error = Error;

    fn name(&self) -> &str {
        "consent"
    }

    fn run(&self, reports: &[NegotiationReport]) -> Result<Outcome<NegotiationOutcome>> {
        let mut base = self.base.clone();
        let mut allocation = Vec::with_capacity(reports.len());
        let mut payments = Vec::with_capacity(reports.len());
        for (i, report) in reports.iter().enumerate() {
            let input = MenuInput {
                base: base.clone(),
                arriving: report.request.clone(),
            };
            let menu = input.menu(&self.options)?;
            let y = report.user.utilities(&menu);
            let mut rng = ChaCha8Rng::seed_from_u64(stream_seed(self.seed, &[i as u64], "choice"));
            let choice = self.acceptance.choose(&y, rng.random::<f64>());
            // The same mapping as a live site's and the simulator's (`Negotiator::accept`).
            let option = match Negotiator::accept(&menu, choice)? {
                Admission::Served { level, .. } => level.map(|l| menu.options[l]),
                Admission::Declined => None,
            };
            if let Some(o) = option {
                let mut ev = report.request.clone();
                ev.target_kwh = o.target_kwh;
                ev.departure_slot = o.departure_slot;
                for block in &mut base.blocks {
                    block.evs.push(ev.clone());
                }
            }
            payments.push(option.map_or(0.0, |o| o.price_usd));
            allocation.push(NegotiationOutcome {
                menu,
                choice,
                option,
            });
        }
        Outcome::new(allocation, payments).map_err(|e| Error::InvalidParameter {
            field: "payments",
            reason: e.to_string(),
        })
    }
}
