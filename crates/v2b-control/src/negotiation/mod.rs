//! CONSENT's negotiation: on each arrival the operator prices one option per
//! flexibility level from the marginal utility of the user, estimated over one shared set of
//! sampled futures (common random numbers), and the user picks an option or charges elsewhere.
//!
//! - [`MenuInput::menu`] is the core: `J^{-v}`, then per level the best deviation (a target
//!   reduction shared by all futures and a departure delay, enumerated or by binaries) and its
//!   price `zeta = C - alpha max(U, 0) - min(U, 0)` with `U = C - Delta J`.
//! - [`UserModel`], [`UserWeights`] and [`AcceptanceMode`] are the user side (survey types,
//!   Table 2's profiles, the logit of eq. 5 and its reject variants).
//! - [`ConsentMechanism`] is the negotiation as a [`evmech_mechanisms::Mechanism`]:
//!   same-slot arrivals in order, each quoted and answered through the live controller
//!   ([`crate::live::Controller::quote`] and [`crate::live::Controller::accept`], the calls
//!   the simulator's [`Negotiator`] makes too); report = the request, allocation = the chosen
//!   option, payment = its settled price.
//!
//! Which assumptions each theorem needs, with the counterexamples, is in `docs/v2b.md`.

mod levels;
mod mechanism;
mod menu;
mod negotiator;
mod static_menu;
mod users;

pub use levels::{DepartureSearch, FlexLevel, MenuOption, MenuOptions, PricingRule};
pub use mechanism::{ConsentMechanism, ConsentUser, NegotiationOutcome, NegotiationReport};
pub use menu::{futures_fingerprint, Menu, MenuInput};
pub use negotiator::{MenuPricing, NegotiationSettings, Negotiator, Settlement};
pub use static_menu::{ladder_rate, StaticMenuRule};
pub use users::{AcceptanceMode, Choice, Profile, UserModel, UserType, UserWeights};
