//! # evmech-v2b-control
//!
//! Vehicle-to-building (V2B) charging control and the CONSENT negotiation (Sen et al., *CONSENT: a
//! negotiation framework for vehicle-to-building charging under uncertainty*).
//!
//! This crate is a placeholder in the workspace layout: it has **no functionality yet**, and
//! exports nothing. It exists so that the dependency direction of the workspace is fixed from the
//! start (`v2b-control` depends on `evmech-mechanisms` and `evmech-milp-model`, and nothing
//! depends on it but the command-line tool and the facade).
//!
//! ## What it will hold (see the V2B and CONSENT issues)
//!
//! - Scenario types (site, chargers, building load, tariff with demand charge, sessions,
//!   penalties), loaders for the Caltech ACN session CSV and the DOE building load, and a seeded
//!   synthetic generator calibrated to the paper.
//! - A discrete-time simulator that enforces physics (charger and battery limits, charging curve,
//!   efficiency) and records every clamp, with billing and monthly metrics.
//! - Charging policies behind one trait: MaxCharge, ReqCharge, EDF, LLF, Oracle, MPC and
//!   Monte-Carlo MPC, all sharing the charging model of `evmech-milp-model`.
//! - The CONSENT negotiation as a `Mechanism` (incentive menus on arrival, marginal utility by
//!   common random numbers, logit user model), its baselines, and property tests of
//!   strategy-proofness, budget feasibility and voluntary participation.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
