//! Prices from the copositive dual: the end-to-end pipeline and its result.

use crate::lift::{Lift, LiftKind, LiftedKind};
use crate::polyhedral::{c1_min_slack, solve_c1};
use crate::reduce::{components, is_redundant, Component};
use crate::sdp::{solve_psd_nn, ConeSettings, DualSolution, Regularization};
use crate::{Result, SolveStatus};
use evmech_milp_model::{
    CbcSettings, Instance, Plan, RowName, SolveStatus as MilpStatus, StationAccessModel,
    StationAccessOptions,
};
use nalgebra::SymmetricEigen;
use serde::{Deserialize, Serialize};

/// Everything that controls a pricing run.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingOptions {
    /// Model variant.
    pub model: StationAccessOptions,
    /// Inner cone (default: PSD + NN).
    pub cone_kind: InnerCone,
    /// Lift (default: reduced with RLT products).
    pub lift: LiftKind,
    /// Drop coupling rows that can never bind (exact; default on).
    pub drop_redundant: bool,
    /// Price connected components separately (exact; default on).
    pub decompose: bool,
    /// Weight of the squared prices in the dual objective, relative to `max(1, W*)` (default
    /// `1e-4`; 0 turns it off). It makes the price choice unique and reproducible; see
    /// [`Regularization`](crate::Regularization).
    pub price_regularization: f64,
    /// Which coupling rows to lift (default: binding rows first).
    pub coupling_rows: CouplingRows,
    /// Largest lifted order `n1` a component may have.
    pub max_n1: usize,
    /// Conic solver settings.
    pub cone: ConeSettings,
    /// MILP solver settings.
    pub milp: CbcSettings,
}

impl Default for PricingOptions {
    fn default() -> Self {
        PricingOptions {
            model: StationAccessOptions::default(),
            cone_kind: InnerCone::PsdNn,
            lift: LiftKind::Reduced,
            drop_redundant: true,
            coupling_rows: CouplingRows::BindingFirst,
            decompose: true,
            price_regularization: 1e-4,
            max_n1: 160,
            cone: ConeSettings::default(),
            milp: CbcSettings::default(),
        }
    }
}

/// The inner approximation of the copositive cone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InnerCone {
    /// `S = P + N`, `P` PSD, `N >= 0` (an SDP; the default).
    #[default]
    PsdNn,
    /// de Klerk-Pasechnik `C^1` (an LP): no PSD block, so it scales further; weaker.
    Polyhedral,
}

/// Which coupling rows a component's lift carries.
///
/// A row that is slack at the optimum must have price 0, and lifting fewer coupling rows is always
/// valid: the certificate then covers a relaxation, so the bound is still an upper bound and the
/// IR inequality still holds for every own-feasible deviation; only tightness can suffer, and the
/// gap is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CouplingRows {
    /// Every (non-redundant) coupling row.
    All,
    /// Only rows binding at the MILP optimum; if the gap then exceeds `1e-4 max(1, W*)`, the
    /// component is solved again with every row (both attempts are reported).
    #[default]
    BindingFirst,
}

/// The price of one coupling row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CouplingPrice {
    /// The row (`Power`, `Evse` or `SitePower`).
    pub row: RowName,
    /// Index of the row in the model.
    pub model_row: usize,
    /// Marginal price `rho >= 0` ($/kWh for power rows, $/EVSE-slot for EVSE rows).
    pub rho: f64,
    /// Congestion curvature `eta >= 0` ($ per squared unit).
    pub eta: f64,
    /// Slack `s*_k` of the row at the MILP optimum.
    pub slack: f64,
}

/// The numerical certificate of a pricing run (spec section 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Smallest eigenvalue of the PSD part `P` (over components).
    pub min_eig_psd: f64,
    /// Smallest entry of the non-negative part `N` (for the polyhedral cone, where `P = 0`: the
    /// smallest `C^1` inequality value of `S`).
    pub min_nn: f64,
    /// `bound - W*`: the IR guarantee is epsilon-IR with this epsilon.
    pub gap: f64,
    /// `y*' S y*` summed over components. It equals `gap + sum lambda_rlt <M_rlt, y* y*'>`; the RLT
    /// terms are `<= 0` where an own row is slack, so `0 <= y_s_y <= gap` (equality for the full
    /// lift, and whenever the gap is 0).
    pub y_s_y: f64,
    /// Most negative raw `rho` or `eta` before clamping to 0 (0 if none was negative).
    pub min_raw_price: f64,
    /// Largest `|rho_k s*_k|` (complementary slackness).
    pub max_complementarity: f64,
}

/// One independently priced part of the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentReport {
    /// EVs in the component.
    pub evs: Vec<usize>,
    /// Lifted order.
    pub n1: usize,
    /// Coupling rows in the lift that was kept.
    pub coupling_rows: usize,
    /// Conic solves made (2 when the binding-rows lift was loose and all rows were lifted).
    pub attempts: usize,
    /// Conic status.
    pub status: SolveStatus,
    /// Welfare bound of the component.
    pub bound: f64,
    /// MILP welfare of the component.
    pub welfare: f64,
    /// Conic solve time, seconds.
    pub solve_seconds: f64,
}

/// Result of [`price`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    /// The model that was priced.
    pub model: StationAccessModel,
    /// CBC's status for the MILP.
    pub milp_status: MilpStatus,
    /// Worst conic status over the components (`Inaccurate` if any is).
    pub status: SolveStatus,
    /// The MILP optimum `x*`.
    pub plan: Plan,
    /// `W*`.
    pub welfare: f64,
    /// The dual (welfare) bound, summed over components.
    pub dual_bound: f64,
    /// `dual_bound - welfare`.
    pub gap: f64,
    /// Prices of every coupling row (dropped redundant rows have 0).
    pub prices: Vec<CouplingPrice>,
    /// The certificate.
    pub certificate: Certificate,
    /// Per-component reports.
    pub components: Vec<ComponentReport>,
    /// Total time (MILP + conic), seconds.
    pub solve_seconds: f64,
}

/// Prices `instance`: MILP optimum, then the copositive dual over PSD + NN per component.
pub fn price(instance: &Instance, options: &PricingOptions) -> Result<Pricing> {
    let start = std::time::Instant::now();
    let model = StationAccessModel::build(instance, options.model);
    let milp = model.solve_milp(&options.milp)?;
    let x = &milp.plan.x;
    let lm = model.model();
    let keep: Vec<bool> = lm
        .rows
        .iter()
        .map(|r| !(options.drop_redundant && r.name.is_coupling() && is_redundant(&model, r)))
        .collect();
    let mut prices: Vec<CouplingPrice> = lm
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.name.is_coupling())
        .map(|(i, r)| CouplingPrice {
            row: r.name,
            model_row: i,
            rho: 0.0,
            eta: 0.0,
            slack: -r.residual(x),
        })
        .collect();
    let mut cert = Certificate {
        min_eig_psd: f64::INFINITY,
        min_nn: f64::INFINITY,
        gap: 0.0,
        y_s_y: 0.0,
        min_raw_price: 0.0,
        max_complementarity: 0.0,
    };
    let mut reports = Vec::new();
    let mut status = SolveStatus::Solved;
    let mut bound_total = 0.0;
    let binding: Vec<bool> = lm
        .rows
        .iter()
        .map(|r| -r.residual(x) <= 1e-6 * r.rhs.abs().max(1.0))
        .collect();
    for full_comp in components(&model, |i| keep[i], options.decompose) {
        let x_sub: Vec<f64> = full_comp.columns.iter().map(|&j| x[j]).collect();
        let welfare = full_comp.model.objective_value(&x_sub);
        let tolerance = 1e-4 * welfare.abs().max(1.0);
        let mut attempts = 0;
        let mut seconds = 0.0;
        let mut candidates = Vec::new();
        if options.coupling_rows == CouplingRows::BindingFirst {
            let lean = full_comp.without_coupling_rows(|i| !binding[i]);
            if lean.rows.len() < full_comp.rows.len() {
                candidates.push(lean);
            }
        }
        candidates.push(full_comp);
        let mut solved = None;
        for comp in candidates {
            let (lift, dual) = solve_component(&comp, options, welfare)?;
            attempts += 1;
            seconds += dual.solve_seconds;
            let loose = dual.bound - welfare > tolerance;
            solved = Some((comp, lift, dual));
            if !loose {
                break;
            }
        }
        let (comp, lift, dual) = solved.expect("at least one attempt");
        let sub = &comp.model;
        record_prices(&lift, sub, &comp.rows, &dual, &mut prices, &mut cert);
        let y = nalgebra::DVector::from_vec(lift.lift_point(sub, &x_sub));
        cert.y_s_y += y.dot(&((&dual.psd + &dual.nn) * &y));
        let (eig, cone_min) = match options.cone_kind {
            InnerCone::PsdNn => (
                SymmetricEigen::new(dual.psd.clone()).eigenvalues.min(),
                dual.nn.min(),
            ),
            InnerCone::Polyhedral => (0.0, c1_min_slack(&dual.nn)),
        };
        cert.min_eig_psd = cert.min_eig_psd.min(eig);
        cert.min_nn = cert.min_nn.min(cone_min);
        if dual.status != SolveStatus::Solved {
            status = dual.status;
        }
        bound_total += dual.bound;
        reports.push(ComponentReport {
            evs: comp.evs.clone(),
            n1: lift.n1(),
            coupling_rows: sub.rows.iter().filter(|r| r.name.is_coupling()).count(),
            attempts,
            status: dual.status,
            bound: dual.bound,
            welfare,
            solve_seconds: seconds,
        });
    }
    for p in &mut prices {
        cert.max_complementarity = cert.max_complementarity.max((p.rho * p.slack).abs());
    }
    let welfare = milp.plan.welfare;
    cert.gap = bound_total - welfare;
    if reports.is_empty() {
        cert.min_eig_psd = 0.0;
        cert.min_nn = 0.0;
    }
    Ok(Pricing {
        model,
        milp_status: milp.status,
        status,
        welfare,
        dual_bound: bound_total,
        gap: bound_total - welfare,
        plan: milp.plan,
        prices,
        certificate: cert,
        components: reports,
        solve_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Lifts one component and solves its PSD + NN dual with price regularisation.
fn solve_component(
    comp: &Component,
    options: &PricingOptions,
    welfare: f64,
) -> Result<(Lift, DualSolution)> {
    let sub = &comp.model;
    let lift = Lift::build(sub, options.lift, |i| sub.rows[i].name.is_coupling());
    if lift.n1() > options.max_n1 {
        return Err(crate::Error::TooLarge {
            n1: lift.n1(),
            limit: options.max_n1,
        });
    }
    let priced: Vec<usize> = lift
        .constraints
        .iter()
        .enumerate()
        .filter(|(_, c)| match c.kind {
            LiftedKind::Linear { row } | LiftedKind::Squared { row } => {
                sub.rows[row].name.is_coupling()
            }
            _ => false,
        })
        .map(|(k, _)| k)
        .collect();
    let reg = Regularization {
        weight: options.price_regularization / welfare.abs().max(1.0),
        priced,
    };
    let dual = match options.cone_kind {
        InnerCone::PsdNn => solve_psd_nn(&lift, &options.cone, Some(&reg))?,
        InnerCone::Polyhedral => solve_c1(&lift, &options.cone, Some(&reg))?,
    };
    Ok((lift, dual))
}

fn record_prices(
    lift: &Lift,
    sub: &evmech_milp_model::LinearModel,
    rows: &[usize],
    dual: &DualSolution,
    prices: &mut [CouplingPrice],
    cert: &mut Certificate,
) {
    for (k, con) in lift.constraints.iter().enumerate() {
        let (row, is_rho) = match con.kind {
            LiftedKind::Linear { row } => (row, true),
            LiftedKind::Squared { row } => (row, false),
            _ => continue,
        };
        if !sub.rows[row].name.is_coupling() {
            continue;
        }
        let raw = dual.multipliers[k];
        cert.min_raw_price = cert.min_raw_price.min(raw);
        if let Some(p) = prices.iter_mut().find(|p| p.model_row == rows[row]) {
            if is_rho {
                p.rho = raw.max(0.0);
            } else {
                p.eta = raw.max(0.0);
            }
        }
    }
}
