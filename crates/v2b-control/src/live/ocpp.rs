//! Live decisions as OCPP 2.0.1 messages (feature `ocpp`): one `SetChargingProfileRequest`
//! per connected EV, built with the maintained `rust-ocpp` message types.
//!
//! Each message carries a `TxProfile` (the EV's transaction, `transactionId` = the EV's id)
//! of kind `Absolute` starting at the decision's slot, with the rate unit `W`. Its schedule
//! periods are the set-point for the current slot, then the plan's power per later slot
//! (consecutive equal values merged), and its duration ends at the EV's planned departure.
//! The `evseId` is the charger index plus one (OCPP numbers EVSEs from 1; 0 is the whole
//! station).
//!
//! OCPP 2.0.1 has no discharging set-point (bidirectional power transfer arrived in OCPP
//! 2.1): a planned discharge is sent as a limit of 0 W and reported in
//! [`OcppProfile::discharge_not_sent_kw`], never dropped silently.

use super::LiveDecision;
use crate::{Error, Result};
use rust_decimal::Decimal;
use rust_ocpp::v2_0_1::datatypes::charging_profile_type::ChargingProfileType;
use rust_ocpp::v2_0_1::datatypes::charging_schedule_period_type::ChargingSchedulePeriodType;
use rust_ocpp::v2_0_1::datatypes::charging_schedule_type::ChargingScheduleType;
use rust_ocpp::v2_0_1::enumerations::charging_profile_kind_enum_type::ChargingProfileKindEnumType;
use rust_ocpp::v2_0_1::enumerations::charging_profile_purpose_enum_type::ChargingProfilePurposeEnumType;
use rust_ocpp::v2_0_1::enumerations::charging_rate_unit_enum_type::ChargingRateUnitEnumType;
pub use rust_ocpp::v2_0_1::messages::set_charging_profile::SetChargingProfileRequest;
use serde::{Deserialize, Serialize};

/// The longest transaction id OCPP 2.0.1 accepts.
const MAX_TRANSACTION_ID: usize = 36;

/// One EV's message and what it could not carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcppProfile {
    /// The EV's id.
    pub ev: String,
    /// The message for its charging station.
    pub request: SetChargingProfileRequest,
    /// Planned discharge per slot of the schedule (kW, positive; 0 where the EV charges or
    /// idles) that OCPP 2.0.1 cannot express and that was sent as 0 W; empty when the plan
    /// never discharges.
    pub discharge_not_sent_kw: Vec<f64>,
}

/// Watts with one decimal, as OCPP's `limit` accepts.
fn watts(kw: f64) -> Decimal {
    Decimal::new((kw * 10_000.0).round() as i64, 1)
}

/// The schedule periods of one EV: `(start second, kW)` with equal neighbours merged.
fn periods(powers: &[f64], slot_seconds: i32) -> Vec<ChargingSchedulePeriodType> {
    let mut out: Vec<ChargingSchedulePeriodType> = Vec::new();
    for (i, &kw) in powers.iter().enumerate() {
        let limit = watts(kw.max(0.0));
        if out.last().is_some_and(|p| p.limit == limit) {
            continue;
        }
        out.push(ChargingSchedulePeriodType {
            start_period: i as i32 * slot_seconds,
            limit,
            number_phases: None,
            phase_to_use: None,
        });
    }
    out
}

/// One `SetChargingProfileRequest` per EV of `decision`; profile and schedule ids are
/// `first_id + i` for the `i`-th EV. Errors: an EV id longer than 36 characters (the field
/// `evs[i].id`), a slot start outside OCPP's date range.
pub fn profiles(decision: &LiveDecision, first_id: i32) -> Result<Vec<OcppProfile>> {
    let start = decision
        .time
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| chrono::DateTime::from_timestamp(t.as_second(), 0))
        .ok_or_else(|| Error::InvalidField {
            field: "time".into(),
            reason: format!("{:?} is outside OCPP's date range", decision.time),
        })?;
    let slot_seconds = (decision.slot_minutes * 60.0).round() as i32;
    decision
        .setpoints
        .iter()
        .zip(&decision.plan)
        .enumerate()
        .map(|(i, (sp, plan))| {
            if sp.ev.chars().count() > MAX_TRANSACTION_ID {
                return Err(Error::InvalidField {
                    field: format!("evs[{i}].id"),
                    reason: format!(
                        "OCPP 2.0.1 transaction ids have at most {MAX_TRANSACTION_ID} characters"
                    ),
                });
            }
            let mut powers = vec![sp.power_kw];
            powers.extend(plan.power_kw.iter().skip(1));
            let id = first_id.saturating_add(i as i32);
            let schedule = ChargingScheduleType {
                id,
                start_schedule: Some(start),
                duration: Some(powers.len() as i32 * slot_seconds),
                charging_rate_unit: ChargingRateUnitEnumType::W,
                min_charging_rate: None,
                charging_schedule_period: periods(&powers, slot_seconds),
                sales_tariff: None,
            };
            Ok(OcppProfile {
                ev: sp.ev.clone(),
                request: SetChargingProfileRequest {
                    evse_id: sp.charger as i32 + 1,
                    charging_profile: ChargingProfileType {
                        id,
                        stack_level: 0,
                        charging_profile_purpose: ChargingProfilePurposeEnumType::TxProfile,
                        charging_profile_kind: ChargingProfileKindEnumType::Absolute,
                        recurrency_kind: None,
                        valid_from: None,
                        valid_to: None,
                        transaction_id: Some(sp.ev.clone()),
                        charging_schedule: vec![schedule],
                    },
                },
                discharge_not_sent_kw: if powers.iter().any(|p| *p < 0.0) {
                    powers.iter().map(|p| (-p).max(0.0)).collect()
                } else {
                    Vec::new()
                },
            })
        })
        .collect()
}
