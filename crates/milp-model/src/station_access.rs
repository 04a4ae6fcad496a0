//! The station-access MILP of the copositive-pricing paper.

use crate::{
    solve_lp, solve_milp, CbcSettings, Column, Instance, LinearModel, LpSolution, Result, Row,
    RowName, Sense, SolveStatus, VarName,
};
use serde::{Deserialize, Serialize};

/// How row (D) treats the requested energy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// `sum e <= E_n`: deliver up to the request (the default).
    #[default]
    UpTo,
    /// `sum e = E_n (1 - z_{n,0})`: deliver the full request or serve nothing.
    Full,
}

/// Model variants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StationAccessOptions {
    /// Row (D) variant.
    pub delivery: Delivery,
    /// Optional site-level power cap, kW, on the sum over all stations in each slot.
    pub site_power_kw: Option<f64>,
}

/// The station-access model of an instance, with typed handles to its columns.
///
/// ```text
/// max  sum_n [ sum_{s,t} (v_n - pi_t) e_nst - sum_s c_ns z_ns ]
/// s.t. (A) z_n0 + sum_s z_ns = 1            (R) e_nst <= rbar_n dt z_ns
///      (D) sum_{s,t} e_nst <= E_n           (P) sum_n e_nst <= dt P_s
///      (K) sum_{n present at t} z_ns <= K_s z binary, e >= 0
/// ```
///
/// Energy columns exist only inside each EV's window, and coupling rows only for slots in which at
/// least one EV is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationAccessModel {
    instance: Instance,
    options: StationAccessOptions,
    model: LinearModel,
    serve: Vec<Vec<usize>>,
    opt_out: Vec<usize>,
    energy: Vec<Vec<Vec<usize>>>,
}

/// A charging plan: who plugs in where and how much energy flows when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Welfare `W(x)` of the plan.
    pub welfare: f64,
    /// Station of each EV (`None` = not served).
    pub assignment: Vec<Option<usize>>,
    /// Energy of each EV in each slot of the horizon, kWh.
    pub energy_kwh: Vec<Vec<f64>>,
    /// The full column vector of the model.
    pub x: Vec<f64>,
}

/// The MILP optimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilpPlan {
    /// CBC's status (optimal, or stopped by a limit).
    pub status: SolveStatus,
    /// The plan.
    pub plan: Plan,
}

/// The LP relaxation (binaries in `[0, 1]`) and its row duals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LpRelaxation {
    /// The LP solution (status, value, point, duals of every row).
    pub solution: LpSolution,
    /// `(row, shadow price)` of every coupling row.
    pub coupling_prices: Vec<(RowName, f64)>,
}

impl StationAccessModel {
    /// Builds the model of `instance` under `options`.
    pub fn build(instance: &Instance, options: StationAccessOptions) -> Self {
        let n_st = instance.stations().len();
        let dt = instance.slot_hours();
        let mut columns = Vec::new();
        let mut objective = Vec::new();
        let mut add = |name: VarName, binary: bool, c: f64| {
            columns.push(Column { name, binary });
            objective.push(c);
            columns.len() - 1
        };
        let mut serve = Vec::new();
        let mut opt_out = Vec::new();
        let mut energy = Vec::new();
        for (n, ev) in instance.evs().iter().enumerate() {
            opt_out.push(add(VarName::OptOut { ev: n }, true, 0.0));
            let z: Vec<usize> = (0..n_st)
                .map(|s| {
                    add(
                        VarName::Serve { ev: n, station: s },
                        true,
                        -ev.access_cost_usd[s],
                    )
                })
                .collect();
            serve.push(z);
            let e: Vec<Vec<usize>> = (0..n_st)
                .map(|s| {
                    ev.window()
                        .map(|t| {
                            let margin =
                                ev.value_usd_per_kwh - instance.energy_price_usd_per_kwh()[t];
                            add(
                                VarName::Energy {
                                    ev: n,
                                    station: s,
                                    slot: t,
                                },
                                false,
                                margin,
                            )
                        })
                        .collect()
                })
                .collect();
            energy.push(e);
        }
        let mut rows = Vec::new();
        for (n, ev) in instance.evs().iter().enumerate() {
            let mut terms = vec![(opt_out[n], 1.0)];
            terms.extend(serve[n].iter().map(|&z| (z, 1.0)));
            rows.push(Row {
                name: RowName::Assign { ev: n },
                terms,
                sense: Sense::Eq,
                rhs: 1.0,
            });
            let cap = instance.max_energy_per_slot_kwh(n);
            for s in 0..n_st {
                for (k, t) in ev.window().enumerate() {
                    rows.push(Row {
                        name: RowName::Rate {
                            ev: n,
                            station: s,
                            slot: t,
                        },
                        terms: vec![(energy[n][s][k], 1.0), (serve[n][s], -cap)],
                        sense: Sense::Le,
                        rhs: 0.0,
                    });
                }
            }
            let mut terms: Vec<(usize, f64)> =
                energy[n].iter().flatten().map(|&e| (e, 1.0)).collect();
            let demand = match options.delivery {
                Delivery::UpTo => Row {
                    name: RowName::Demand { ev: n },
                    terms,
                    sense: Sense::Le,
                    rhs: ev.energy_kwh,
                },
                Delivery::Full => {
                    terms.push((opt_out[n], ev.energy_kwh));
                    Row {
                        name: RowName::Demand { ev: n },
                        terms,
                        sense: Sense::Eq,
                        rhs: ev.energy_kwh,
                    }
                }
            };
            rows.push(demand);
        }
        let present = |t: usize| -> Vec<usize> {
            (0..instance.evs().len())
                .filter(|&n| instance.evs()[n].window().contains(&t))
                .collect()
        };
        for t in 0..instance.horizon() {
            let here = present(t);
            if here.is_empty() {
                continue;
            }
            let energy_at = |n: usize, s: usize| energy[n][s][t - instance.evs()[n].arrival_slot];
            for (s, station) in instance.stations().iter().enumerate() {
                rows.push(Row {
                    name: RowName::Power {
                        station: s,
                        slot: t,
                    },
                    terms: here.iter().map(|&n| (energy_at(n, s), 1.0)).collect(),
                    sense: Sense::Le,
                    rhs: dt * station.power_kw,
                });
                rows.push(Row {
                    name: RowName::Evse {
                        station: s,
                        slot: t,
                    },
                    terms: here.iter().map(|&n| (serve[n][s], 1.0)).collect(),
                    sense: Sense::Le,
                    rhs: f64::from(station.evse),
                });
            }
            if let Some(site_kw) = options.site_power_kw {
                rows.push(Row {
                    name: RowName::SitePower { slot: t },
                    terms: here
                        .iter()
                        .flat_map(|&n| (0..n_st).map(move |s| (n, s)))
                        .map(|(n, s)| (energy_at(n, s), 1.0))
                        .collect(),
                    sense: Sense::Le,
                    rhs: dt * site_kw,
                });
            }
        }
        StationAccessModel {
            instance: instance.clone(),
            options,
            model: LinearModel {
                columns,
                rows,
                objective,
            },
            serve,
            opt_out,
            energy,
        }
    }

    /// The instance.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// The options the model was built with.
    pub fn options(&self) -> StationAccessOptions {
        self.options
    }

    /// The linear model (columns, rows, objective).
    pub fn model(&self) -> &LinearModel {
        &self.model
    }

    /// Column of `z_{n,s}`.
    pub fn serve_column(&self, ev: usize, station: usize) -> usize {
        self.serve[ev][station]
    }

    /// Column of `z_{n,0}`.
    pub fn opt_out_column(&self, ev: usize) -> usize {
        self.opt_out[ev]
    }

    /// Column of `e_{n,s,t}`, if `slot` is in the EV's window.
    pub fn energy_column(&self, ev: usize, station: usize, slot: usize) -> Option<usize> {
        let a = self.instance.evs()[ev].arrival_slot;
        slot.checked_sub(a)
            .and_then(|k| self.energy[ev][station].get(k).copied())
    }

    /// Reads a plan off a column vector.
    pub fn plan(&self, x: &[f64]) -> Plan {
        let horizon = self.instance.horizon();
        let n_st = self.instance.stations().len();
        let assignment = (0..self.instance.evs().len())
            .map(|n| (0..n_st).find(|&s| x[self.serve[n][s]] > 0.5))
            .collect();
        let energy_kwh = (0..self.instance.evs().len())
            .map(|n| {
                (0..horizon)
                    .map(|t| {
                        (0..n_st)
                            .filter_map(|s| self.energy_column(n, s, t))
                            .map(|j| x[j])
                            .sum()
                    })
                    .collect()
            })
            .collect();
        Plan {
            welfare: self.model.objective_value(x),
            assignment,
            energy_kwh,
            x: x.to_vec(),
        }
    }

    /// Solves the MILP (backend and limits in `settings`).
    ///
    /// The solver sees the model in the instance's normalising units ([`Instance::normalized`]),
    /// so that no magnitude of the input meets its absolute tolerances; the plan is converted
    /// back and its welfare evaluated in USD.
    pub fn solve_milp(&self, settings: &CbcSettings) -> Result<MilpPlan> {
        let (scaled, units) = self.normalized();
        let sol = solve_milp(&scaled.model, settings)?;
        let x = units.inverse().columns(&scaled.model, &sol.x);
        Ok(MilpPlan {
            status: sol.status,
            plan: self.plan(&x),
        })
    }

    /// Solves the LP relaxation with Clarabel and reads the coupling-row duals.
    ///
    /// Solved in the normalising units like [`StationAccessModel::solve_milp`]; the point, the
    /// duals and the objective are converted back to kWh and USD.
    pub fn solve_lp_relaxation(&self) -> Result<LpRelaxation> {
        let (scaled, units) = self.normalized();
        let solution = solve_lp(&scaled.model)?;
        let solution = units.inverse().lp_solution(&scaled.model, solution);
        let coupling_prices = self
            .model
            .rows
            .iter()
            .zip(&solution.row_duals)
            .filter(|(r, _)| r.name.is_coupling())
            .map(|(r, &d)| (r.name, d))
            .collect();
        Ok(LpRelaxation {
            solution,
            coupling_prices,
        })
    }
}
