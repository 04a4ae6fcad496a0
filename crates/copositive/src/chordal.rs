//! A chordal extension of a sparsity pattern and its maximal cliques.
//!
//! The sparse inner cone ([`InnerCone::SparsePsdNn`](crate::InnerCone::SparsePsdNn)) needs two
//! things from the pattern of the lifted data: the cliques of a chordal extension (Clarabel
//! factorises one PSD block per clique, after merging some) and the set of entries those cliques
//! cover. Letting `P` and `N` use every covered entry, not only the data's own pattern, costs no
//! larger PSD block and gives a tighter cone, so the extension is computed here, once and
//! deterministically, rather than left implicit in the solver.
//!
//! The extension comes from greedy minimum-degree elimination (ties to the smaller index):
//! eliminating a vertex joins its remaining neighbours into a clique, and the vertex with its
//! neighbours at that moment is a clique of the extended (chordal) graph; the maximal ones among
//! these are all its maximal cliques. Hand-written because the pattern is tiny next to the
//! solve (a few hundred vertices) and its cliques must be known here, before the solver runs.

/// Maximal cliques of a chordal extension of the graph on `n` vertices with the given edges,
/// each sorted, listed in elimination order of their first vertex. Every edge lies in some
/// clique, and every vertex in at least one.
pub fn chordal_cliques(
    n: usize,
    edges: impl IntoIterator<Item = (usize, usize)>,
) -> Vec<Vec<usize>> {
    let words = n.div_ceil(64);
    let mut adj = vec![vec![0u64; words]; n];
    for (i, j) in edges {
        if i != j && i < n && j < n {
            adj[i][j / 64] |= 1 << (j % 64);
            adj[j][i / 64] |= 1 << (i % 64);
        }
    }
    let mut alive = vec![true; n];
    let mut degree: Vec<u32> = adj
        .iter()
        .map(|a| a.iter().map(|w| w.count_ones()).sum())
        .collect();
    let mut candidates: Vec<Vec<usize>> = Vec::with_capacity(n);
    for _ in 0..n {
        let Some(v) = (0..n).filter(|&v| alive[v]).min_by_key(|&v| (degree[v], v)) else {
            break;
        };
        let neighbours = members(&adj[v]);
        for &a in &neighbours {
            for &b in &neighbours {
                if a != b && adj[a][b / 64] & (1 << (b % 64)) == 0 {
                    adj[a][b / 64] |= 1 << (b % 64);
                    degree[a] += 1;
                }
            }
        }
        for &a in &neighbours {
            adj[a][v / 64] &= !(1 << (v % 64));
            degree[a] -= 1;
        }
        alive[v] = false;
        let mut clique = neighbours;
        clique.push(v);
        clique.sort_unstable();
        candidates.push(clique);
    }
    maximal(candidates)
}

/// The maximal cliques of a chordal extension of the aggregate sparsity pattern of `matrices`
/// (order `n`): vertices `i` and `j` are adjacent when some matrix has a non-zero `(i, j)`.
pub fn pattern_cliques<'a>(
    n: usize,
    matrices: impl Iterator<Item = &'a crate::SymSparse>,
) -> Vec<Vec<usize>> {
    let mut edges = Vec::new();
    for m in matrices {
        edges.extend(
            m.upper_entries()
                .filter(|&(i, j, _)| i != j)
                .map(|(i, j, _)| (i, j)),
        );
    }
    edges.sort_unstable();
    edges.dedup();
    chordal_cliques(n, edges)
}

/// The vertices whose bits are set.
fn members(bits: &[u64]) -> Vec<usize> {
    let mut out = Vec::new();
    for (w, &word) in bits.iter().enumerate() {
        let mut rest = word;
        while rest != 0 {
            out.push(w * 64 + rest.trailing_zeros() as usize);
            rest &= rest - 1;
        }
    }
    out
}

/// The sets not contained in another (of two equal sets, the first is kept).
fn maximal(sets: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sets.len()).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(sets[k].len()), k));
    let mut kept: Vec<usize> = Vec::new();
    for k in order {
        let inside = kept.iter().any(|&m| is_subset(&sets[k], &sets[m]));
        if !inside {
            kept.push(k);
        }
    }
    kept.sort_unstable();
    kept.into_iter().map(|k| sets[k].clone()).collect()
}

/// Whether sorted `a` is a subset of sorted `b`.
fn is_subset(a: &[usize], b: &[usize]) -> bool {
    let mut rest = b.iter();
    a.iter().all(|x| rest.any(|y| y == x))
}

#[cfg(test)]
mod tests {
    use super::chordal_cliques;

    /// A chordal graph keeps its own maximal cliques: two triangles sharing an edge.
    #[test]
    fn chordal_graph_is_its_own_extension() {
        let cliques = chordal_cliques(4, [(0, 1), (1, 2), (0, 2), (1, 3), (2, 3)]);
        assert_eq!(cliques, vec![vec![0, 1, 2], vec![1, 2, 3]]);
    }

    /// A 4-cycle is not chordal: one chord is added and every edge lies in a clique of size 3.
    #[test]
    fn cycle_gets_a_chord() {
        let edges = [(0, 1), (1, 2), (2, 3), (3, 0)];
        let cliques = chordal_cliques(4, edges);
        assert_eq!(cliques.len(), 2);
        assert!(cliques.iter().all(|c| c.len() == 3));
        for (i, j) in edges {
            assert!(cliques.iter().any(|c| c.contains(&i) && c.contains(&j)));
        }
    }

    /// Isolated vertices are cliques of their own; a vertex joined to all others is in every
    /// clique.
    #[test]
    fn isolated_and_universal_vertices() {
        assert_eq!(chordal_cliques(3, []), vec![vec![0], vec![1], vec![2]]);
        let star = chordal_cliques(4, [(0, 1), (0, 2), (0, 3)]);
        assert_eq!(star.len(), 3);
        assert!(star.iter().all(|c| c.contains(&0) && c.len() == 2));
    }
}
