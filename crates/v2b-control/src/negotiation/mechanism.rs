//! The negotiation as a [`Mechanism`]: the arrivals of one slot, in order.

use super::{AcceptanceMode, Choice, Menu, MenuInput, MenuOption, MenuOptions, UserWeights};
use crate::policy::stream_seed;
use crate::{Error, Result};
use evmech_mechanisms::{Mechanism, Outcome};
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
            let option = match choice {
                Choice::Accept(l) => Some(menu.options[l]),
                Choice::Reject => None,
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
