//! The charging curve: how much power a battery accepts at a given state of charge
//! (the paper's Appendix F).

use serde::{Deserialize, Serialize};

/// Reference charger power of the paper's curve, kW; a charger rated `c` scales it by `c / 20`.
pub const CURVE_REFERENCE_KW: f64 = 20.0;

/// The state-of-charge dependence of the charging power.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChargingCurve {
    /// The charger's cap at every state of charge.
    Flat,
    /// The paper's three pieces (20 kW to 83 %, `130 - 4s/3` to 90 %, `100 - s` to 100 %),
    /// scaled by `charger_kw / 20`. Not concave: the LP form uses the largest concave cap below
    /// it, `min(20, 100 - s)` scaled (never above the curve), the MILP form models it exactly.
    #[default]
    Paper,
}

/// A linear piece `cap(e) = slope * e + intercept` (kW as a function of stored kWh), valid for
/// `lower_kwh <= e <= upper_kwh`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePiece {
    /// kW per kWh.
    pub slope: f64,
    /// kW.
    pub intercept: f64,
    /// Lower end of the piece's energy range, kWh.
    pub lower_kwh: f64,
    /// Upper end of the piece's energy range, kWh.
    pub upper_kwh: f64,
}

impl CurvePiece {
    /// The cap at `e`, kW.
    pub fn at(&self, e: f64) -> f64 {
        self.slope * e + self.intercept
    }
}

impl ChargingCurve {
    /// The literal curve's cap in kW at stored energy `e` (kWh), for a charger rated
    /// `charger_kw` and a battery of `battery_kwh`; never above `charger_kw`, never below 0.
    pub fn literal_cap_kw(self, charger_kw: f64, battery_kwh: f64, e: f64) -> f64 {
        let cap = match self {
            ChargingCurve::Flat => charger_kw,
            ChargingCurve::Paper => {
                let s = 100.0 * e / battery_kwh;
                let rho = charger_kw / CURVE_REFERENCE_KW;
                rho * if s <= 83.0 {
                    20.0
                } else if s <= 90.0 {
                    130.0 - 4.0 * s / 3.0
                } else {
                    100.0 - s
                }
            }
        };
        cap.clamp(0.0, charger_kw)
    }

    /// The concave cap used by the LP form, kW: `min(charger, rho * (100 - s))` for the paper's
    /// curve (never above [`ChargingCurve::literal_cap_kw`]), the charger's cap for a flat one.
    pub fn concave_cap_kw(self, charger_kw: f64, battery_kwh: f64, e: f64) -> f64 {
        let cap = self
            .concave_pieces(charger_kw, battery_kwh)
            .iter()
            .map(|p| p.at(e))
            .fold(charger_kw, f64::min);
        cap.clamp(0.0, charger_kw)
    }

    /// The pieces of the concave cap beyond the charger's own limit (the cap is the minimum of
    /// the charger limit and these pieces).
    pub fn concave_pieces(self, charger_kw: f64, battery_kwh: f64) -> Vec<CurvePiece> {
        match self {
            ChargingCurve::Flat => Vec::new(),
            ChargingCurve::Paper => {
                let rho = charger_kw / CURVE_REFERENCE_KW;
                vec![CurvePiece {
                    slope: -100.0 * rho / battery_kwh,
                    intercept: 100.0 * rho,
                    lower_kwh: 0.0,
                    upper_kwh: battery_kwh,
                }]
            }
        }
    }

    /// The literal curve's segments (one per piece of the SoC axis), for the MILP form.
    pub fn literal_segments(self, charger_kw: f64, battery_kwh: f64) -> Vec<CurvePiece> {
        let rho = charger_kw / CURVE_REFERENCE_KW;
        let b = battery_kwh;
        match self {
            ChargingCurve::Flat => vec![CurvePiece {
                slope: 0.0,
                intercept: charger_kw,
                lower_kwh: 0.0,
                upper_kwh: b,
            }],
            ChargingCurve::Paper => vec![
                CurvePiece {
                    slope: 0.0,
                    intercept: 20.0 * rho,
                    lower_kwh: 0.0,
                    upper_kwh: 0.83 * b,
                },
                CurvePiece {
                    slope: -400.0 * rho / (3.0 * b),
                    intercept: 130.0 * rho,
                    lower_kwh: 0.83 * b,
                    upper_kwh: 0.90 * b,
                },
                CurvePiece {
                    slope: -100.0 * rho / b,
                    intercept: 100.0 * rho,
                    lower_kwh: 0.90 * b,
                    upper_kwh: b,
                },
            ],
        }
    }

    /// Whether the literal curve is concave (then the LP form is exact).
    pub fn is_concave(self) -> bool {
        matches!(self, ChargingCurve::Flat)
    }
}
