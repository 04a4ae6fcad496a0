//! A typed linear model: named columns and rows, solved by CBC (as a MILP) or Clarabel (as an LP
//! with row duals), and lifted by `evmech-copositive`. One formulation, many callers.

use serde::{Deserialize, Serialize};

/// What a column of the station-access model means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "var")]
pub enum VarName {
    /// `z_{n,s}`: EV `ev` plugs into station `station` for its whole stay (binary).
    Serve {
        /// EV index.
        ev: usize,
        /// Station index.
        station: usize,
    },
    /// `z_{n,0}`: EV `ev` is not served (binary).
    OptOut {
        /// EV index.
        ev: usize,
    },
    /// `e_{n,s,t}`: energy (kWh) delivered to `ev` at `station` in `slot`.
    Energy {
        /// EV index.
        ev: usize,
        /// Station index.
        station: usize,
        /// Slot index (absolute, 0-based).
        slot: usize,
    },
}

impl VarName {
    /// The family of the column, as solver reports name it (`serve`, `opt_out`, `energy`).
    pub fn family(&self) -> &'static str {
        match self {
            VarName::Serve { .. } => "serve",
            VarName::OptOut { .. } => "opt_out",
            VarName::Energy { .. } => "energy",
        }
    }

    /// The EV the column belongs to.
    pub fn ev(&self) -> usize {
        match *self {
            VarName::Serve { ev, .. } | VarName::OptOut { ev } | VarName::Energy { ev, .. } => ev,
        }
    }
}

/// What a row of the station-access model means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "row")]
pub enum RowName {
    /// (A) `z_{n,0} + sum_s z_{n,s} = 1`.
    Assign {
        /// EV index.
        ev: usize,
    },
    /// (R) `e_{n,s,t} <= max_kw * slot_hours * z_{n,s}`.
    Rate {
        /// EV index.
        ev: usize,
        /// Station index.
        station: usize,
        /// Slot index.
        slot: usize,
    },
    /// (D) `sum_{s,t} e_{n,s,t} <= E_n` (or `= E_n (1 - z_{n,0})` for full delivery).
    Demand {
        /// EV index.
        ev: usize,
    },
    /// (P) `sum_n e_{n,s,t} <= slot_hours * P_s`: charging capacity (coupling).
    Power {
        /// Station index.
        station: usize,
        /// Slot index.
        slot: usize,
    },
    /// (K) `sum_{n present} z_{n,s} <= K_s`: EVSE congestion (coupling).
    Evse {
        /// Station index.
        station: usize,
        /// Slot index.
        slot: usize,
    },
    /// Site-level power cap `sum_{n,s} e_{n,s,t} <= slot_hours * P_site` (coupling; optional).
    SitePower {
        /// Slot index.
        slot: usize,
    },
    /// (V) `sum_t e_{n,s,t} <= E_n z_{n,s}`: an EV draws at most its request at the station it
    /// is served at and nothing elsewhere. Implied by (R) and (D) at every integer point, not at
    /// fractional ones; not in the model, added by relaxations that want a tighter LP.
    StationDemand {
        /// EV index.
        ev: usize,
        /// Station index.
        station: usize,
    },
    /// A binary fixed to a value (used by the brute-force enumerator and IP pricing).
    Fix {
        /// Column index of the fixed binary.
        column: usize,
    },
}

impl RowName {
    /// The family of the row, as solver reports name it (`assign`, `rate`, `demand`, `power`,
    /// `evse`, `site_power`, `station_demand`, `fix`).
    pub fn family(&self) -> &'static str {
        match self {
            RowName::Assign { .. } => "assign",
            RowName::Rate { .. } => "rate",
            RowName::Demand { .. } => "demand",
            RowName::Power { .. } => "power",
            RowName::Evse { .. } => "evse",
            RowName::SitePower { .. } => "site_power",
            RowName::StationDemand { .. } => "station_demand",
            RowName::Fix { .. } => "fix",
        }
    }

    /// Whether the row couples users (and therefore carries a price).
    pub fn is_coupling(&self) -> bool {
        matches!(
            self,
            RowName::Power { .. } | RowName::Evse { .. } | RowName::SitePower { .. }
        )
    }
}

/// Row sense: `terms . x <= rhs` or `terms . x = rhs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sense {
    /// `<=`.
    Le,
    /// `=`.
    Eq,
}

/// One column: `x >= 0`, binary or continuous.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Meaning.
    pub name: VarName,
    /// Whether the column is binary (in the MILP; relaxed to `[0, 1]` in the LP).
    pub binary: bool,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Meaning.
    pub name: RowName,
    /// Sparse coefficients `(column, value)`, each column at most once.
    pub terms: Vec<(usize, f64)>,
    /// Sense.
    pub sense: Sense,
    /// Right-hand side.
    pub rhs: f64,
}

impl Row {
    /// `terms . x - rhs` at `x`.
    pub fn residual(&self, x: &[f64]) -> f64 {
        self.terms.iter().map(|&(j, a)| a * x[j]).sum::<f64>() - self.rhs
    }
}

/// `max objective . x` subject to `rows`, `x >= 0`, binaries in `{0, 1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Objective coefficients (maximised).
    pub objective: Vec<f64>,
}

impl LinearModel {
    /// Objective value at `x`.
    pub fn objective_value(&self, x: &[f64]) -> f64 {
        self.objective.iter().zip(x).map(|(c, v)| c * v).sum()
    }

    /// Index of the row with the given name.
    pub fn row_index(&self, name: RowName) -> Option<usize> {
        self.rows.iter().position(|r| r.name == name)
    }

    /// The model with binaries fixed to the given values by extra equality rows.
    pub fn with_fixed(&self, fixes: &[(usize, f64)]) -> LinearModel {
        let mut out = self.clone();
        out.rows.extend(fixes.iter().map(|&(column, value)| Row {
            name: RowName::Fix { column },
            terms: vec![(column, 1.0)],
            sense: Sense::Eq,
            rhs: value,
        }));
        out
    }
}
