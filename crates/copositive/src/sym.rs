//! Sparse symmetric matrices and Clarabel's scaled-svec convention.
//!
//! Clarabel's PSD triangle cone stores the upper triangle column by column,
//! `(0,0), (0,1), (1,1), (0,2), ...`, with off-diagonal entries scaled by `sqrt 2`, so that
//! `<A, B> = svec(A) . svec(B)`.

use std::collections::BTreeMap;

/// Index of entry `(i, j)` (either order) in the svec of an `n x n` symmetric matrix.
pub fn svec_index(i: usize, j: usize) -> usize {
    let (i, j) = if i <= j { (i, j) } else { (j, i) };
    j * (j + 1) / 2 + i
}

/// Length of the svec of an `n x n` symmetric matrix.
pub fn svec_len(n: usize) -> usize {
    n * (n + 1) / 2
}

/// `(i, j)` with `i <= j` of every svec position, in order.
pub fn svec_positions(n: usize) -> Vec<(usize, usize)> {
    (0..n).flat_map(|j| (0..=j).map(move |i| (i, j))).collect()
}

/// A sparse symmetric matrix stored by its upper triangle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SymSparse {
    entries: BTreeMap<(usize, usize), f64>,
}

impl SymSparse {
    /// The zero matrix.
    pub fn new() -> Self {
        SymSparse::default()
    }

    /// Adds `value` to entries `(i, j)` and `(j, i)` (once on the diagonal).
    pub fn add(&mut self, i: usize, j: usize, value: f64) {
        if value != 0.0 {
            let key = if i <= j { (i, j) } else { (j, i) };
            *self.entries.entry(key).or_insert(0.0) += value;
        }
    }

    /// Adds `scale * sym(a, b)` where `sym(a, b) = (a b' + b a') / 2` for sparse vectors.
    pub fn add_sym(&mut self, a: &[(usize, f64)], b: &[(usize, f64)], scale: f64) {
        for &(i, ai) in a {
            for &(j, bj) in b {
                // Each unordered off-diagonal pair receives (ai bj + aj bi) / 2 in total.
                let v = scale * ai * bj / 2.0;
                if i == j {
                    self.add(i, i, 2.0 * v);
                } else {
                    self.add(i, j, v);
                }
            }
        }
    }

    /// Adds `scale * a a'`.
    pub fn add_outer(&mut self, a: &[(usize, f64)], scale: f64) {
        self.add_sym(a, a, scale);
    }

    /// Entry `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let key = if i <= j { (i, j) } else { (j, i) };
        self.entries.get(&key).copied().unwrap_or(0.0)
    }

    /// Non-zero svec coordinates `(index, value)` (off-diagonals scaled by `sqrt 2`).
    pub fn svec(&self) -> Vec<(usize, f64)> {
        self.entries
            .iter()
            .filter(|(_, v)| **v != 0.0)
            .map(|(&(i, j), &v)| {
                let scaled = if i == j {
                    v
                } else {
                    v * std::f64::consts::SQRT_2
                };
                (svec_index(i, j), scaled)
            })
            .collect()
    }

    /// Non-zero upper-triangle entries `(i, j, value)`, `i <= j`, unscaled.
    pub fn upper_entries(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        self.entries
            .iter()
            .filter(|(_, v)| **v != 0.0)
            .map(|(&(i, j), &v)| (i, j, v))
    }

    /// The matrix of a dense symmetric `m` (its upper triangle; exact zeros are not stored).
    pub fn from_dense(m: &nalgebra::DMatrix<f64>) -> Self {
        let mut out = SymSparse::new();
        for j in 0..m.ncols() {
            for i in 0..=j.min(m.nrows().saturating_sub(1)) {
                out.add(i, j, m[(i, j)]);
            }
        }
        out
    }

    /// `y' M y`.
    pub fn quad(&self, y: &[f64]) -> f64 {
        self.entries
            .iter()
            .map(|(&(i, j), &v)| {
                if i == j {
                    v * y[i] * y[i]
                } else {
                    2.0 * v * y[i] * y[j]
                }
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svec_order_is_clarabels() {
        assert_eq!(
            svec_positions(3),
            vec![(0, 0), (0, 1), (1, 1), (0, 2), (1, 2), (2, 2)]
        );
        for (k, (i, j)) in svec_positions(5).into_iter().enumerate() {
            assert_eq!(svec_index(i, j), k);
            assert_eq!(svec_index(j, i), k);
        }
    }

    #[test]
    fn sym_and_outer_products_match_their_quadratic_forms() {
        let a = [(0, 1.0), (2, -2.0)];
        let b = [(1, 3.0), (2, 0.5)];
        let y = [0.3, -1.2, 2.0];
        let mut m = SymSparse::new();
        m.add_sym(&a, &b, 1.0);
        let dot = |v: &[(usize, f64)]| v.iter().map(|&(i, x)| x * y[i]).sum::<f64>();
        assert!((m.quad(&y) - dot(&a) * dot(&b)).abs() < 1e-12);
        let mut o = SymSparse::new();
        o.add_outer(&a, 2.0);
        assert!((o.quad(&y) - 2.0 * dot(&a).powi(2)).abs() < 1e-12);
        // <M, Y> = svec(M) . svec(Y) for Y = y y'.
        let mut yy = SymSparse::new();
        yy.add_outer(&[(0, y[0]), (1, y[1]), (2, y[2])], 1.0);
        let sy: std::collections::HashMap<usize, f64> = yy.svec().into_iter().collect();
        let inner: f64 = m
            .svec()
            .iter()
            .map(|(k, v)| v * sy.get(k).unwrap_or(&0.0))
            .sum();
        assert!((inner - m.quad(&y)).abs() < 1e-12);
    }
}
