//! Prices from the copositive dual: the end-to-end pipeline and its result.

use crate::branch::{worse, BranchBudget, Choice, RegionSolve};
use crate::component::{first_certificate, tighten_component, Clock};
use crate::lift::LiftKind;
use crate::reduce::{components, is_redundant};
use crate::{ConeSettings, Error, Result, SolveStatus};
use evmech_milp_model::{
    CbcSettings, Instance, Plan, RowName, StationAccessModel, StationAccessOptions, Units,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything that controls a pricing run.
#[derive(Debug, Clone, PartialEq)]
pub struct PricingOptions {
    /// Model variant.
    pub model: StationAccessOptions,
    /// Inner cone of the first solve (default: PSD + NN).
    pub cone_kind: InnerCone,
    /// What to do when the first solve leaves a gap above `1e-4 max(1, W*)` (default:
    /// [`Tightening::Auto`]).
    pub tightening: Tightening,
    /// Largest lifted order for which [`Tightening::Auto`] tries the `K^1` cone (default 0:
    /// measured on the sweep, `K^1` never closed a gap that branching did not close faster; see
    /// `docs/copositive.md`).
    pub k1_max_n1: usize,
    /// Limits of [`Tightening::Branch`] per component.
    pub branch_budget: BranchBudget,
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
    /// Largest PSD block a solve may have: the lifted order `n1` under the dense cones, the
    /// largest clique under [`InnerCone::SparsePsdNn`] (default 160; above it the run is
    /// [`Error::TooLarge`](crate::Error::TooLarge), except that [`Tightening::Auto`] certifies a
    /// component whose dense lift is above it with [`InnerCone::Linear`], and says so in its
    /// [`ComponentReport::cone`]).
    pub max_n1: usize,
    /// Conic solver settings.
    pub cone: ConeSettings,
    /// MILP solver settings.
    pub milp: CbcSettings,
    /// Wall-clock budget of the whole [`price`] call, seconds (`None`, the default: no budget).
    /// The MILP and every conic solve get at most the time left. Every component first gets a
    /// certificate (binding rows, then every row), then the loose ones are tightened; what the
    /// deadline cuts short leaves the best certificate found, with its honest gap,
    /// [`Pricing::exact`] false and [`Pricing::stopped_by`] `TimeLimit`. A component without
    /// any certificate by the deadline is [`Error::TimeLimit`](crate::Error::TimeLimit).
    pub time_limit_s: Option<f64>,
}

impl Default for PricingOptions {
    fn default() -> Self {
        PricingOptions {
            model: StationAccessOptions::default(),
            cone_kind: InnerCone::PsdNn,
            tightening: Tightening::Auto,
            k1_max_n1: 0,
            branch_budget: BranchBudget::default(),
            lift: LiftKind::Reduced,
            drop_redundant: true,
            coupling_rows: CouplingRows::BindingFirst,
            decompose: true,
            price_regularization: 1e-4,
            max_n1: 160,
            cone: ConeSettings::default(),
            milp: CbcSettings::default(),
            time_limit_s: None,
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
    /// PSD + NN with `P` and `N` on the aggregate sparsity pattern of the lifted data, the PSD
    /// part decomposed over the cliques of a chordal extension: a subset of `PsdNn` (every bound
    /// valid, possibly looser) that scales to larger lifts. Sparse only with
    /// [`LiftKind::Sparse`](crate::LiftKind::Sparse); over a denser lift it is `PsdNn`.
    SparsePsdNn,
    /// de Klerk-Pasechnik `C^1` (an LP): no PSD block, so it scales further; weaker.
    Polyhedral,
    /// Parrilo's `K^1` (one PSD block per lifted coordinate): contains PSD + NN, small lifts only.
    #[serde(rename = "k1")]
    K1,
    /// LP duality over the linear lift ([`LiftKind::Linear`](crate::LiftKind::Linear), whatever
    /// [`PricingOptions::lift`] says): the part of NN that linear multipliers reach, so every
    /// certificate is a PSD + NN one with `P = 0`. Alone it gives the LP-relaxation bound; with
    /// branching each region costs one simplex solve, so a site-sized fleet is certified region
    /// by region (prices linear in each region, `eta = 0`), as far as the budget allows.
    /// `max_n1` does not apply (there is no PSD block).
    Linear,
}

/// How a loose component is tightened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tightening {
    /// Report the first solve's gap as it is.
    Off,
    /// Solve the component again over `K^1`, whatever its size (`max_n1` still applies).
    #[serde(rename = "k1")]
    K1,
    /// Branch on the EVs' choices and price each region ([`BranchBudget`]).
    Branch,
    /// `K^1` when the lift is at most `k1_max_n1`, then branching, stopping as soon as the gap is
    /// closed (the default).
    #[default]
    Auto,
}

/// Which method produced a component's final certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// One PSD + NN certificate.
    PsdNn,
    /// One sparse PSD + NN certificate.
    SparsePsdNn,
    /// One `C^1` certificate.
    Polyhedral,
    /// One `K^1` certificate.
    #[serde(rename = "k1")]
    K1,
    /// One certificate per region of a branching on the EVs' choices.
    Branch,
    /// One LP certificate.
    Linear,
}

impl From<InnerCone> for Method {
    fn from(cone: InnerCone) -> Self {
        match cone {
            InnerCone::PsdNn => Method::PsdNn,
            InnerCone::SparsePsdNn => Method::SparsePsdNn,
            InnerCone::Polyhedral => Method::Polyhedral,
            InnerCone::K1 => Method::K1,
            InnerCone::Linear => Method::Linear,
        }
    }
}

/// Why a component's (or the run's) tightening stopped; ordered from the most to the least
/// settled, and the run reports the last over its components.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum StoppedBy {
    /// The gap is within the tolerance: the prices are exact.
    #[default]
    Closed,
    /// The gap is open and [`Tightening::Off`] asked for no tightening.
    TighteningOff,
    /// Every tightening asked for ran to its end and the gap is still open (for example `K^1`
    /// alone, or a branching whose every region was solved).
    TighteningExhausted,
    /// The [`BranchBudget`] (regions or seconds per component) was spent.
    BranchBudget,
    /// [`PricingOptions::time_limit_s`] ran out.
    TimeLimit,
}

/// A coupling row's prices in one region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegionPrice {
    /// Index into [`Pricing::prices`].
    pub index: usize,
    /// Marginal price in the region.
    pub rho: f64,
    /// Congestion curvature in the region.
    pub eta: f64,
}

/// A region of a branched component: the EVs whose choice it fixes, its bound and its prices.
///
/// The regions of a component partition its EVs' joint choices; a user who deviates (the others
/// at `x*`) is charged with the prices of the region its deviation lies in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceRegion {
    /// Index into [`Pricing::components`].
    pub component: usize,
    /// Fixed choices `(ev, station)` (`None` = opt out).
    pub choices: Vec<Choice>,
    /// Choices the region rules out (`(ev, station)`, `None` = opting out), of EVs whose choice
    /// it does not fix: such an EV makes one of its other choices in the region. LP
    /// certificates ([`InnerCone::Linear`]) split a region in two, an EV at one choice and the
    /// EV at any other; conic ones fix every choice and leave this empty.
    pub excluded: Vec<Choice>,
    /// Welfare bound over the region. Conic certificates hold it at or above the component's
    /// `W*` (all the guarantees need; a region without a feasible point has no bound of its
    /// own); an LP certificate ([`InnerCone::Linear`]) reports the bound it proves, which may be
    /// lower (a region the parent's multipliers close, or one without a feasible point).
    pub bound: f64,
    /// Status of the region's certificate ([`DualSolution::certificate_status`](crate::DualSolution::certificate_status): `Optimal` when
    /// its bound is proven).
    pub status: SolveStatus,
    /// Whether the MILP optimum lies in the region (its prices are [`Pricing::prices`]).
    pub contains_optimum: bool,
    /// Prices of the component's coupling rows in the region.
    pub prices: Vec<RegionPrice>,
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

/// The numerical certificate of a pricing run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Smallest eigenvalue of the PSD parts (over components and regions; 0 for the polyhedral
    /// cone, which has none).
    pub min_eig_psd: f64,
    /// Smallest value of the linear cone conditions: entries of `N` for PSD + NN, the `C^1`
    /// inequalities of `S` for the polyhedral cone, `K^1`'s inequalities and equality residuals.
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
    /// Conic solves made (2 when the binding-rows lift was loose and all rows were lifted; more
    /// with tightening, including every region solve).
    pub attempts: usize,
    /// What produced the final certificate.
    pub method: Method,
    /// The inner cone of its certificates: [`PricingOptions::cone_kind`], or
    /// [`InnerCone::Linear`] where [`Tightening::Auto`] found the component too large for it.
    pub cone: InnerCone,
    /// Regions priced (0 unless `method` is `Branch`).
    pub regions: usize,
    /// Status of the component's certificate: `Optimal` when every bound is proven (after the
    /// repair of `docs/copositive.md`, "Polish and repair"), otherwise the worst solver status.
    pub status: SolveStatus,
    /// The worst status the conic solver itself ended with (`Inaccurate` when a solve stopped at
    /// reduced accuracy and its certificate had to be repaired).
    pub solver_status: SolveStatus,
    /// Largest amount the repair added to a bound of the component.
    pub repair: f64,
    /// Welfare bound of the component.
    pub bound: f64,
    /// MILP welfare of the component.
    pub welfare: f64,
    /// Conic solve time, seconds.
    pub solve_seconds: f64,
    /// Why the component's tightening stopped.
    pub stopped_by: StoppedBy,
}

/// Result of [`price`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    /// The model that was priced.
    pub model: StationAccessModel,
    /// CBC's status for the MILP.
    pub milp_status: SolveStatus,
    /// Worst certificate status over the components: `Optimal` when every bound is proven,
    /// `Inaccurate` if some certificate could not be repaired (see
    /// [`ComponentReport::solver_status`] for what the solver itself reported).
    pub status: SolveStatus,
    /// The MILP optimum `x*`.
    pub plan: Plan,
    /// `W*`.
    pub welfare: f64,
    /// The dual (welfare) bound, summed over components.
    pub dual_bound: f64,
    /// `dual_bound - welfare`.
    pub gap: f64,
    /// The tolerance the gap is judged by: `1e-4 max(1, W*)` per component, summed.
    pub tolerance: f64,
    /// Whether every component's gap is within its tolerance: the prices are exact.
    pub exact: bool,
    /// Why the run stopped: the least settled [`ComponentReport::stopped_by`] (`Closed` when
    /// `exact`).
    pub stopped_by: StoppedBy,
    /// The IR guarantee holds up to this epsilon: `max(gap, 0)` (0 up to the tolerance when
    /// `exact`).
    pub epsilon_ir: f64,
    /// Regions of branched components (empty when no component was branched).
    pub regions: Vec<PriceRegion>,
    /// Prices of every coupling row (dropped redundant rows have 0).
    pub prices: Vec<CouplingPrice>,
    /// The certificate.
    pub certificate: Certificate,
    /// Per-component reports.
    pub components: Vec<ComponentReport>,
    /// Total time (MILP + conic), seconds.
    pub solve_seconds: f64,
    /// The units every solve ran in ([`Instance::normalized`]): every other
    /// number here is in USD and kWh, except the certificate's solver diagnostics
    /// (`min_eig_psd`, `min_nn`, `min_raw_price`), which are measured in these units.
    pub solver_units: Units,
}

/// Prices `instance`: MILP optimum, then per component the copositive dual over the chosen inner
/// cone, tightened as `options.tightening` says while the gap exceeds `1e-4 max(1, W*)`.
///
/// Every solve runs in the units of [`Instance::normalized`] (the largest energy an EV can take
/// in a slot is one energy unit, the largest gain it can bring there one money unit), so that no
/// magnitude of the input meets the solvers' absolute tolerances; the result is converted back
/// to USD and kWh, and the gap tolerance `1e-4 max(1, W*)` is judged in the solver's units (where
/// `W*` is of the order of the number of EVs). A change of the input's units therefore changes
/// every reported number by exactly that change, up to rounding.
pub fn price(instance: &Instance, options: &PricingOptions) -> Result<Pricing> {
    let start = std::time::Instant::now();
    let model = StationAccessModel::build(instance, options.model);
    let (normalized, units) = model.normalized();
    let solver_options = PricingOptions {
        model: normalized.options(),
        ..options.clone()
    };
    let scaled = price_in_solver_units(normalized.instance(), &solver_options, start)?;
    let mut pricing = scaled.converted(model, &units.inverse());
    pricing.solver_units = units;
    pricing.solve_seconds = start.elapsed().as_secs_f64();
    Ok(pricing)
}

/// [`price`] of an instance already in its solver units.
fn price_in_solver_units(
    instance: &Instance,
    options: &PricingOptions,
    start: std::time::Instant,
) -> Result<Pricing> {
    let clock = Clock::new(start, options.time_limit_s)?;
    if options.cone.threads == 0 {
        return Err(Error::InvalidOption {
            field: "cone.threads",
            reason: "must be at least 1".into(),
        });
    }
    let model = StationAccessModel::build(instance, options.model);
    let mut milp_settings = options.milp.clone();
    if let Some(left) = clock.remaining() {
        // Whole seconds (CBC's and HiGHS's unit here), at least one; `as` saturates.
        let left = left.ceil().max(1.0) as u32;
        milp_settings.time_limit_s = Some(milp_settings.time_limit_s.map_or(left, |t| t.min(left)));
    }
    let milp = model.solve_milp(&milp_settings)?;
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
    let mut price_index: Vec<Option<usize>> = vec![None; lm.rows.len()];
    for (k, p) in prices.iter().enumerate() {
        price_index[p.model_row] = Some(k);
    }
    let mut cert = Certificate {
        min_eig_psd: f64::INFINITY,
        min_nn: f64::INFINITY,
        gap: 0.0,
        y_s_y: 0.0,
        min_raw_price: 0.0,
        max_complementarity: 0.0,
    };
    let mut reports = Vec::new();
    let mut regions = Vec::new();
    let mut status = SolveStatus::Optimal;
    let (mut bound_total, mut tolerance, mut exact) = (0.0, 0.0, true);
    let binding: Vec<bool> = lm
        .rows
        .iter()
        .map(|r| -r.residual(x) <= 1e-6 * r.rhs.abs().max(1.0))
        .collect();
    // Components are independent: each gets its first certificate, then the loose ones are
    // tightened, side by side on the current rayon pool. Each solve's arithmetic does not depend
    // on the pool (one KKT thread by default, `ConeSettings::threads`), and the results are
    // collected in component order, so without a time limit the prices do not depend on the
    // thread count.
    let mut solves = components(&model, |i| keep[i], options.decompose)
        .into_par_iter()
        .enumerate()
        .map(|(index, full_comp)| {
            let x_comp: Vec<f64> = full_comp.columns.iter().map(|&j| x[j]).collect();
            let welfare = full_comp.model.objective_value(&x_comp);
            let tol = 1e-4 * welfare.abs().max(1.0);
            let solved =
                first_certificate(full_comp, index, &binding, options, welfare, tol, &clock)?;
            Ok((solved, x_comp, welfare, tol))
        })
        .collect::<Result<Vec<_>>>()?;
    solves
        .par_iter_mut()
        .map(|(solved, _, welfare, tol)| {
            let optimum = &milp.plan.assignment;
            tighten_component(solved, options, (*welfare, *tol), optimum, &clock)
        })
        .collect::<Result<Vec<()>>>()?;
    let mut stopped_by = StoppedBy::Closed;
    for (solved, x_comp, welfare, tol) in solves {
        let comp = &solved.comp;
        stopped_by = stopped_by.max(solved.stopped_by);
        let component = reports.len();
        let mut bound = f64::NEG_INFINITY;
        for part in &solved.parts {
            let (row_prices, min_raw) = region_prices(part, &comp.rows, &price_index);
            cert.min_raw_price = cert.min_raw_price.min(min_raw);
            cert.min_eig_psd = cert.min_eig_psd.min(part.min_eig);
            cert.min_nn = cert.min_nn.min(part.min_linear);
            status = worse(status, part.certificate_status());
            bound = bound.max(part.bound);
            let contains = part.at.contains(&milp.plan.assignment, None);
            if contains {
                for p in &row_prices {
                    prices[p.index].rho = p.rho;
                    prices[p.index].eta = p.eta;
                }
                if let Some(d) = &part.detail {
                    let x_part: Vec<f64> = d.fixed.columns.iter().map(|&j| x_comp[j]).collect();
                    let y = d.lift.lift_point(&d.fixed.model, &x_part);
                    cert.y_s_y += d.dual.s.quad(&y);
                }
            }
            if solved.method == Method::Branch {
                regions.push(PriceRegion {
                    component,
                    choices: part.at.choices.clone(),
                    excluded: part.at.excluded.clone(),
                    bound: part.bound,
                    status: part.certificate_status(),
                    contains_optimum: contains,
                    prices: row_prices,
                });
            }
        }
        bound_total += bound;
        tolerance += tol;
        exact &= bound - welfare <= tol;
        reports.push(ComponentReport {
            evs: comp.evs.clone(),
            n1: solved.parts.iter().map(|p| p.n1).max().unwrap_or(1),
            coupling_rows: comp
                .model
                .rows
                .iter()
                .filter(|r| r.name.is_coupling())
                .count(),
            attempts: solved.attempts,
            method: solved.method,
            cone: solved.cone,
            regions: if solved.method == Method::Branch {
                solved.parts.len()
            } else {
                0
            },
            status: solved.parts.iter().fold(SolveStatus::Optimal, |s, p| {
                worse(s, p.certificate_status())
            }),
            solver_status: solved
                .parts
                .iter()
                .fold(SolveStatus::Optimal, |s, p| worse(s, p.status)),
            repair: solved.parts.iter().map(|p| p.repair).fold(0.0, f64::max),
            bound,
            welfare,
            solve_seconds: solved.seconds,
            stopped_by: solved.stopped_by,
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
        tolerance,
        exact,
        stopped_by,
        epsilon_ir: (bound_total - welfare).max(0.0),
        regions,
        plan: milp.plan,
        prices,
        certificate: cert,
        components: reports,
        solve_seconds: start.elapsed().as_secs_f64(),
        solver_units: Units::USD_KWH,
    })
}

/// The prices a region's certificate gives its coupling rows, clamped at 0, and the most
/// negative raw value; `comp_rows[k]` is component row `k`'s row in the instance model and
/// `price_index[i]` the position of model row `i` in [`Pricing::prices`].
fn region_prices(
    part: &RegionSolve,
    comp_rows: &[usize],
    price_index: &[Option<usize>],
) -> (Vec<RegionPrice>, f64) {
    let mut min_raw = 0.0_f64;
    let mut out = Vec::with_capacity(part.row_prices.len());
    for &(row, rho, eta) in &part.row_prices {
        min_raw = min_raw.min(rho).min(eta);
        if let Some(index) = price_index[comp_rows[row]] {
            out.push(RegionPrice {
                index,
                rho: rho.max(0.0),
                eta: eta.max(0.0),
            });
        }
    }
    (out, min_raw)
}
