//! The lifted, homogenised completely positive program of a linear model, written as the data of
//! its conic dual.
//!
//! With `y = (1; x)` (`x` the model columns plus slacks), every constraint is `<M_r, Y> = 0` or
//! `<= 0` on `Y = y y'`:
//!
//! | constraint | `M_r` | kept in |
//! |---|---|---|
//! | normalisation | `E_00` (`= 1`) | both lifts |
//! | linear row `i` | `sym(a_i, e_0)` with `a_i = (-b_i; a_i)` | equality rows and rows with a slack |
//! | squared row `i` | `a_i a_i'` | the same |
//! | binary `j` | `E_jj - sym(e_j, e_0)` | both lifts |
//! | RLT product of own `<=` row `i` and coordinate `j` | `sym(a_i, e_j)` (`<= 0`) | reduced lift |
//!
//! The full Burer lift gives every `<=` row a slack coordinate. The reduced lift gives slacks only
//! to coupling rows (which carry prices) and keeps the user's own `<=` rows as inequalities with
//! their RLT products `(b_i - a_i'x) y_j >= 0` for every lifted coordinate `j` (`j = 0` is the row).
//! The linear lift keeps only the linear forms (the certificates of LP duality).

use crate::sym::SymSparse;
use evmech_milp_model::{LinearModel, Sense};
use serde::{Deserialize, Serialize};

/// Which lift to build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LiftKind {
    /// Burer's lift: a slack for every `<=` row; exact for the CPP.
    Full,
    /// Slacks only for coupling rows, own `<=` rows with RLT products (smaller; the default).
    #[default]
    Reduced,
    /// The reduced lift with each own `<=` row's RLT products taken only with the coordinates of
    /// its own block (the columns joined to it through own rows: one EV's columns), so the
    /// lifted data keeps the sparsity of the model. A relaxation of `Reduced` (fewer lifted
    /// constraints): every bound stays valid and may be looser; the gap shows by how much. Used
    /// with [`InnerCone::SparsePsdNn`](crate::InnerCone::SparsePsdNn).
    Sparse,
    /// Only the linear forms: the normalisation, each coupling row with its slack (an equality)
    /// and each own row as a `<=`; no squared rows, RLT products or binary conditions. Every
    /// inner cone over it gives the LP-relaxation bound (a certificate's `S` lives on row and
    /// column 0, where PSD + NN is NN), so it is what
    /// [`InnerCone::Linear`](crate::InnerCone::Linear) certifies with LP duality, cheaply, in
    /// each region of a branching.
    Linear,
}

/// A lifted coordinate (index `>= 1` in `y`; index 0 is the constant 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Coord {
    /// A column of the model.
    Column(usize),
    /// The slack of a model row.
    Slack(usize),
}

/// What a lifted constraint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LiftedKind {
    /// `<E_00, Y> = 1`.
    Normalization,
    /// Linear form of model row `row`.
    Linear {
        /// Model row.
        row: usize,
    },
    /// Squared form of model row `row`.
    Squared {
        /// Model row.
        row: usize,
    },
    /// `X_jj = x_j` for the binary at lifted coordinate `coord`.
    Binary {
        /// Lifted coordinate.
        coord: usize,
    },
    /// RLT product of own `<=` row `row` with lifted coordinate `coord`.
    Rlt {
        /// Model row.
        row: usize,
        /// Lifted coordinate (0 = the row itself).
        coord: usize,
    },
}

/// One lifted constraint `<M, Y> (= or <=) rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct LiftedConstraint {
    /// What it is.
    pub kind: LiftedKind,
    /// Equality, or `<=` (its multiplier is then `>= 0`).
    pub sense: Sense,
    /// `M`.
    pub matrix: SymSparse,
}

/// The lifted problem: `min <C, Y>` over `Y` completely positive (approximated) subject to the
/// constraints; `rhs` is 1 for the normalisation and 0 otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    /// Which lift.
    pub kind: LiftKind,
    /// Lifted coordinates `1..n1` (position `k` here is coordinate `k + 1`).
    pub coords: Vec<Coord>,
    /// Constraints; the first is the normalisation.
    pub constraints: Vec<LiftedConstraint>,
    /// `C = -sym(e_0, w)`: minimising `<C, Y>` maximises welfare.
    pub objective: SymSparse,
    /// An upper bound on each coordinate of `y` at every feasible point (index 0 is the constant
    /// 1; `+inf` where bound propagation over the rows finds none). The repair of slightly
    /// infeasible certificates needs them (`docs/copositive.md`, "Polish and repair").
    pub upper: Vec<f64>,
}

/// The own block of every column: columns joined by a row that is not a coupling row share a
/// block (connected components, numbered by their smallest column).
fn own_blocks(model: &LinearModel, is_coupling: &impl Fn(usize) -> bool) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..model.columns.len()).collect();
    fn root(parent: &mut [usize], mut j: usize) -> usize {
        while parent[j] != j {
            parent[j] = parent[parent[j]];
            j = parent[j];
        }
        j
    }
    for (i, row) in model.rows.iter().enumerate() {
        if is_coupling(i) {
            continue;
        }
        let mut cols = row.terms.iter().map(|&(j, _)| j);
        let Some(first) = cols.next() else { continue };
        for j in cols {
            let (a, b) = (root(&mut parent, first), root(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    (0..model.columns.len())
        .map(|j| root(&mut parent, j))
        .collect()
}

/// An own `<=` row of the sparse lift whose RLT products with other blocks' coordinates wait for
/// the cliques: the row, its form `a`, and those coordinates.
type FarRlt = (usize, Vec<(usize, f64)>, Vec<usize>);

/// `sym(a, e_coord)`: the RLT product of a row form `a` with lifted coordinate `coord`.
fn rlt_matrix(a: &[(usize, f64)], coord: usize) -> SymSparse {
    let mut m = SymSparse::new();
    m.add_sym(a, &[(coord, 1.0)], 1.0);
    m
}

/// The RLT product of own `<=` row `row` (form `a`) with lifted coordinate `coord >= 1`.
fn rlt(row: usize, a: &[(usize, f64)], coord: usize) -> LiftedConstraint {
    LiftedConstraint {
        kind: LiftedKind::Rlt { row, coord },
        sense: Sense::Le,
        matrix: rlt_matrix(a, coord),
    }
}

/// Which coordinates share a clique with all of `support`: an RLT product with them adds no
/// entry outside the cliques' blocks, so the sparse lift takes it at no cost in PSD block size.
fn within_cliques(
    cliques: &[Vec<usize>],
    support: impl Iterator<Item = usize>,
    n1: usize,
) -> Vec<bool> {
    let support: Vec<usize> = support.collect();
    let mut within = vec![false; n1];
    for clique in cliques {
        if support.iter().all(|v| clique.binary_search(v).is_ok()) {
            for &v in clique {
                within[v] = true;
            }
        }
    }
    within
}

impl Lift {
    /// Lifts `model`; `is_coupling(row)` says which rows are coupling rows.
    pub fn build(model: &LinearModel, kind: LiftKind, is_coupling: impl Fn(usize) -> bool) -> Lift {
        let mut coords: Vec<Coord> = (0..model.columns.len()).map(Coord::Column).collect();
        let slack_row: Vec<bool> = model
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| r.sense == Sense::Le && (kind == LiftKind::Full || is_coupling(i)))
            .collect();
        let mut slack_coord = vec![None; model.rows.len()];
        for (i, &has) in slack_row.iter().enumerate() {
            if has {
                coords.push(Coord::Slack(i));
                slack_coord[i] = Some(coords.len());
            }
        }
        let n1 = coords.len() + 1;
        let col = |j: usize| j + 1;
        let block = own_blocks(model, &is_coupling);
        // Sparse lift: own rows with the RLT products not yet taken (other blocks' coordinates).
        let mut far_rlt: Vec<FarRlt> = Vec::new();
        let mut constraints = Vec::new();
        let mut e00 = SymSparse::new();
        e00.add(0, 0, 1.0);
        constraints.push(LiftedConstraint {
            kind: LiftedKind::Normalization,
            sense: Sense::Eq,
            matrix: e00,
        });
        let e0 = [(0usize, 1.0)];
        for (i, row) in model.rows.iter().enumerate() {
            let mut a: Vec<(usize, f64)> = vec![(0, -row.rhs)];
            a.extend(row.terms.iter().map(|&(j, v)| (col(j), v)));
            if let Some(s) = slack_coord[i] {
                a.push((s, 1.0));
            }
            if row.sense == Sense::Eq || slack_row[i] {
                let mut lin = SymSparse::new();
                lin.add_sym(&a, &e0, 1.0);
                constraints.push(LiftedConstraint {
                    kind: LiftedKind::Linear { row: i },
                    sense: Sense::Eq,
                    matrix: lin,
                });
                if kind == LiftKind::Linear {
                    continue;
                }
                let mut sq = SymSparse::new();
                sq.add_outer(&a, 1.0);
                constraints.push(LiftedConstraint {
                    kind: LiftedKind::Squared { row: i },
                    sense: Sense::Eq,
                    matrix: sq,
                });
            } else {
                constraints.push(LiftedConstraint {
                    kind: LiftedKind::Linear { row: i },
                    sense: Sense::Le,
                    matrix: rlt_matrix(&a, 0),
                });
                if kind == LiftKind::Linear {
                    continue;
                }
                let own = |coord: usize| match coords[coord - 1] {
                    Coord::Column(j) => row
                        .terms
                        .first()
                        .is_some_and(|&(k, _)| block[k] == block[j]),
                    Coord::Slack(_) => false,
                };
                for coord in (1..n1).filter(|&c| kind != LiftKind::Sparse || own(c)) {
                    constraints.push(rlt(i, &a, coord));
                }
                if kind == LiftKind::Sparse {
                    far_rlt.push((i, a, (1..n1).filter(|&c| !own(c)).collect()));
                }
            }
        }
        for (j, c) in model.columns.iter().enumerate() {
            if c.binary && kind != LiftKind::Linear {
                let mut m = SymSparse::new();
                m.add(col(j), col(j), 1.0);
                m.add_sym(&[(col(j), 1.0)], &e0, -1.0);
                constraints.push(LiftedConstraint {
                    kind: LiftedKind::Binary { coord: col(j) },
                    sense: Sense::Eq,
                    matrix: m,
                });
            }
        }
        let w: Vec<(usize, f64)> = model
            .objective
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != 0.0)
            .map(|(j, &c)| (col(j), c))
            .collect();
        let mut objective = SymSparse::new();
        objective.add_sym(&e0, &w, -1.0);
        if !far_rlt.is_empty() {
            let cliques = crate::chordal::pattern_cliques(
                n1,
                std::iter::once(&objective).chain(constraints.iter().map(|c| &c.matrix)),
            );
            for (i, a, far) in far_rlt {
                let within = within_cliques(&cliques, a.iter().map(|&(k, _)| k), n1);
                for coord in far.into_iter().filter(|&c| within[c]) {
                    constraints.push(rlt(i, &a, coord));
                }
            }
        }
        let upper = crate::repair::coordinate_bounds(model, &coords);
        Lift {
            kind,
            coords,
            constraints,
            objective,
            upper,
        }
    }

    /// Order of the lifted matrix, `n1 = 1 + #coordinates`.
    pub fn n1(&self) -> usize {
        self.coords.len() + 1
    }

    /// `y = (1; x; slacks)` for a model point `x`.
    pub fn lift_point(&self, model: &LinearModel, x: &[f64]) -> Vec<f64> {
        std::iter::once(1.0)
            .chain(self.coords.iter().map(|c| match *c {
                Coord::Column(j) => x[j],
                Coord::Slack(i) => -model.rows[i].residual(x),
            }))
            .collect()
    }
}
