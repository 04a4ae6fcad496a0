//! The charging site: chargers, physical options and penalty constants.

use crate::{DrEvent, Error, Result};
use serde::{Deserialize, Serialize};

/// The largest charger power accepted, kW (either direction): ten times the largest DC fast
/// charger on the market. Beyond it a number is a unit mistake, and solvers lose accuracy.
pub const MAX_CHARGER_KW: f64 = 5_000.0;

/// The largest site import limit accepted, kW (a large substation).
pub const MAX_IMPORT_KW: f64 = 1_000_000.0;

/// The largest penalty or external price accepted, USD/kWh.
pub const MAX_PENALTY_USD_PER_KWH: f64 = 1_000.0;

/// One charger (EVSE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charger {
    /// Unique charger id.
    pub id: String,
    /// Maximum charging power (grid side), kW; above 0 and at most [`MAX_CHARGER_KW`].
    pub max_charge_kw: f64,
    /// Maximum discharging power (grid side), kW; 0 for a unidirectional charger; at most
    /// [`MAX_CHARGER_KW`].
    #[serde(default)]
    pub max_discharge_kw: f64,
    /// Whether the operator sets its rate (an uncontrolled charger draws full power).
    #[serde(default = "yes")]
    pub controlled: bool,
    /// Charging efficiency in (0, 1] (energy stored per kWh drawn).
    #[serde(default = "one")]
    pub charge_efficiency: f64,
    /// Discharging efficiency in (0, 1] (energy delivered per kWh taken from the battery).
    #[serde(default = "one")]
    pub discharge_efficiency: f64,
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

impl Charger {
    /// Whether the charger can discharge (V2B).
    pub fn is_bidirectional(&self) -> bool {
        self.max_discharge_kw > 0.0
    }
}

/// Penalty and price constants of the CONSENT paper.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Penalties {
    /// `K_SOC`: compensation per kWh missing at departure, $/kWh (0.5).
    pub missing_energy_usd_per_kwh: f64,
    /// `K_batt`: battery degradation per kWh discharged, $/kWh (0.05).
    pub degradation_usd_per_kwh: f64,
    /// `E-bar`: the external charging price, $/kWh (0.30).
    pub external_price_usd_per_kwh: f64,
}

impl Default for Penalties {
    fn default() -> Self {
        Penalties {
            missing_energy_usd_per_kwh: 0.5,
            degradation_usd_per_kwh: 0.05,
            external_price_usd_per_kwh: 0.30,
        }
    }
}

/// A validated charging site.
///
/// JSON (the `--site` file of the `v2b` commands):
///
/// ```json
/// {"chargers": [{"id": "u0", "max_charge_kw": 20},
///               {"id": "b0", "max_charge_kw": 20, "max_discharge_kw": 20}],
///  "no_export": true}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SiteSpec", into = "SiteSpec")]
pub struct Site {
    chargers: Vec<Charger>,
    no_export: bool,
    penalties: Penalties,
    import_limit_kw: Option<f64>,
    demand_response: Vec<DrEvent>,
}

/// The JSON shape of a [`Site`] before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Chargers.
    pub chargers: Vec<Charger>,
    /// Forbid net export to the grid (default true).
    #[serde(default = "yes")]
    pub no_export: bool,
    /// Penalty constants (default: the paper's).
    #[serde(default)]
    pub penalties: Penalties,
    /// The site's import limit, kW (default none): EV charging is cut so the net import stays
    /// at or below `max(building load, limit)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_limit_kw: Option<f64>,
    /// Demand-response events (default none), disjoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand_response: Vec<DrEvent>,
}

impl TryFrom<SiteSpec> for Site {
    type Error = Error;

    fn try_from(spec: SiteSpec) -> Result<Self> {
        let bad = |field: String, reason: String| Error::InvalidField { field, reason };
        let mut ids = std::collections::HashSet::with_capacity(spec.chargers.len());
        for (i, c) in spec.chargers.iter().enumerate() {
            if !ids.insert(c.id.as_str()) {
                return Err(bad(
                    format!("chargers[{i}].id"),
                    format!("duplicate charger id {:?}", c.id),
                ));
            }
            // A charger that cannot charge would serve nobody while the reports counted its
            // sessions as served: it is refused, not simulated.
            if !(c.max_charge_kw > 0.0 && c.max_charge_kw <= MAX_CHARGER_KW) {
                return Err(bad(
                    format!("chargers[{i}].max_charge_kw"),
                    format!(
                        "must be above 0 and at most {MAX_CHARGER_KW} kW, got {}",
                        c.max_charge_kw
                    ),
                ));
            }
            if !(0.0..=MAX_CHARGER_KW).contains(&c.max_discharge_kw) {
                return Err(bad(
                    format!("chargers[{i}].max_discharge_kw"),
                    format!(
                        "must be between 0 and {MAX_CHARGER_KW} kW, got {}",
                        c.max_discharge_kw
                    ),
                ));
            }
            for (name, v) in [
                ("charge_efficiency", c.charge_efficiency),
                ("discharge_efficiency", c.discharge_efficiency),
            ] {
                if !(v > 0.0 && v <= 1.0) {
                    return Err(bad(
                        format!("chargers[{i}].{name}"),
                        format!("must lie in (0, 1], got {v}"),
                    ));
                }
            }
        }
        let p = spec.penalties;
        for (name, v) in [
            ("missing_energy_usd_per_kwh", p.missing_energy_usd_per_kwh),
            ("degradation_usd_per_kwh", p.degradation_usd_per_kwh),
            ("external_price_usd_per_kwh", p.external_price_usd_per_kwh),
        ] {
            if !(0.0..=MAX_PENALTY_USD_PER_KWH).contains(&v) {
                return Err(bad(
                    format!("penalties.{name}"),
                    format!("must be between 0 and {MAX_PENALTY_USD_PER_KWH} USD/kWh, got {v}"),
                ));
            }
        }
        if let Some(cap) = spec.import_limit_kw {
            if !(0.0..=MAX_IMPORT_KW).contains(&cap) {
                return Err(bad(
                    "import_limit_kw".into(),
                    format!("must be between 0 and {MAX_IMPORT_KW} kW, got {cap}"),
                ));
            }
        }
        for (i, e) in spec.demand_response.iter().enumerate() {
            e.validate(i)?;
            if let Some(j) = spec.demand_response[..i]
                .iter()
                .position(|o| o.date == e.date && o.from < e.to && e.from < o.to)
            {
                return Err(bad(
                    format!("demand_response[{i}]"),
                    format!("overlaps demand_response[{j}]"),
                ));
            }
        }
        if spec.chargers.is_empty() {
            return Err(bad(
                "chargers".into(),
                "a site needs at least one charger".into(),
            ));
        }
        Ok(Site {
            chargers: spec.chargers,
            no_export: spec.no_export,
            penalties: spec.penalties,
            import_limit_kw: spec.import_limit_kw,
            demand_response: spec.demand_response,
        })
    }
}

impl From<Site> for SiteSpec {
    fn from(site: Site) -> Self {
        SiteSpec {
            chargers: site.chargers,
            no_export: site.no_export,
            penalties: site.penalties,
            import_limit_kw: site.import_limit_kw,
            demand_response: site.demand_response,
        }
    }
}

impl Site {
    /// Validates a specification.
    pub fn new(spec: SiteSpec) -> Result<Self> {
        Site::try_from(spec)
    }

    /// The paper's site: 10 controlled unidirectional 20 kW chargers (`u0`..`u9`) and 5
    /// bidirectional +-20 kW chargers (`b0`..`b4`), efficiency 1, no export, the paper's penalties.
    pub fn paper_default() -> Self {
        let charger = |id: String, discharge: f64| Charger {
            id,
            max_charge_kw: 20.0,
            max_discharge_kw: discharge,
            controlled: true,
            charge_efficiency: 1.0,
            discharge_efficiency: 1.0,
        };
        let chargers = (0..10)
            .map(|i| charger(format!("u{i}"), 0.0))
            .chain((0..5).map(|i| charger(format!("b{i}"), 20.0)))
            .collect();
        Site {
            chargers,
            no_export: true,
            penalties: Penalties::default(),
            import_limit_kw: None,
            demand_response: Vec::new(),
        }
    }

    /// The chargers.
    pub fn chargers(&self) -> &[Charger] {
        &self.chargers
    }

    /// Whether net export is forbidden.
    pub fn no_export(&self) -> bool {
        self.no_export
    }

    /// Penalty constants.
    pub fn penalties(&self) -> Penalties {
        self.penalties
    }

    /// The import limit, kW.
    pub fn import_limit_kw(&self) -> Option<f64> {
        self.import_limit_kw
    }

    /// The demand-response events.
    pub fn demand_response(&self) -> &[DrEvent] {
        &self.demand_response
    }

    /// The event covering the local wall-clock minute `start` of `date`, if any.
    pub fn dr_event_at(&self, date: crate::Date, start: u32) -> Option<&DrEvent> {
        self.demand_response.iter().find(|e| e.covers(date, start))
    }

    /// The order in which an arriving EV takes a free charger: bidirectional first,
    /// then higher maximum charging power, then lower id.
    pub fn assignment_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.chargers.len()).collect();
        order.sort_by(|&a, &b| {
            let (ca, cb) = (&self.chargers[a], &self.chargers[b]);
            cb.is_bidirectional()
                .cmp(&ca.is_bidirectional())
                .then(cb.max_charge_kw.total_cmp(&ca.max_charge_kw))
                .then(ca.id.cmp(&cb.id))
        });
        order
    }
}
