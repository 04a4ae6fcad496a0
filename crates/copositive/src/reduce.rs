//! Exact size reductions: redundant coupling rows and connected components.

use evmech_milp_model::{LinearModel, Row, RowName, StationAccessModel};

/// A coupling row that can never bind: fewer EVs present than plugs, or their joint maximum
/// energy within the row's capacity. Its price is 0 in any case.
pub fn is_redundant(model: &StationAccessModel, row: &Row) -> bool {
    let inst = model.instance();
    let present = |t: usize| {
        inst.evs()
            .iter()
            .enumerate()
            .filter(move |(_, ev)| ev.window().contains(&t))
    };
    match row.name {
        RowName::Evse { station, slot } => {
            present(slot).count() as u64 <= u64::from(inst.stations()[station].evse)
        }
        RowName::Power { slot, .. } | RowName::SitePower { slot } => {
            let max: f64 = present(slot)
                .map(|(n, ev)| inst.max_energy_per_slot_kwh(n).min(ev.energy_kwh))
                .sum();
            max <= row.rhs
        }
        _ => false,
    }
}

/// A part of the model that can be lifted on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// EVs in the component.
    pub evs: Vec<usize>,
    /// Model columns, in order (position = column of `model`).
    pub columns: Vec<usize>,
    /// Model rows kept, in order (position = row of `model`).
    pub rows: Vec<usize>,
    /// The restricted model.
    pub model: LinearModel,
}

/// Splits the model into components of EVs linked by shared coupling rows that are kept
/// (`keep(row)`); own rows go with their EV. With `decompose = false` there is one component.
pub fn components(
    model: &StationAccessModel,
    keep: impl Fn(usize) -> bool,
    decompose: bool,
) -> Vec<Component> {
    let lm = model.model();
    let n_ev = model.instance().evs().len();
    let mut parent: Vec<usize> = (0..n_ev).collect();
    fn find(p: &mut [usize], mut a: usize) -> usize {
        while p[a] != a {
            p[a] = p[p[a]];
            a = p[a];
        }
        a
    }
    let ev_of = |j: usize| lm.columns[j].name.ev();
    for (i, row) in lm.rows.iter().enumerate() {
        if !row.name.is_coupling() || !keep(i) {
            continue;
        }
        let mut evs = row.terms.iter().map(|&(j, _)| ev_of(j));
        if let Some(first) = evs.next() {
            for other in evs {
                let (a, b) = (find(&mut parent, first), find(&mut parent, other));
                if decompose {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    if !decompose {
        parent.iter_mut().for_each(|p| *p = 0);
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of = vec![usize::MAX; n_ev];
    for n in 0..n_ev {
        let root = find(&mut parent, n);
        if group_of[root] == usize::MAX {
            group_of[root] = groups.len();
            groups.push(Vec::new());
        }
        group_of[n] = group_of[root];
        groups[group_of[n]].push(n);
    }
    groups
        .into_iter()
        .map(|evs| {
            let columns: Vec<usize> = (0..lm.columns.len())
                .filter(|&j| evs.contains(&ev_of(j)))
                .collect();
            let mut new_col = vec![usize::MAX; lm.columns.len()];
            for (k, &j) in columns.iter().enumerate() {
                new_col[j] = k;
            }
            let rows: Vec<usize> = (0..lm.rows.len())
                .filter(|&i| {
                    let r = &lm.rows[i];
                    (!r.name.is_coupling() || keep(i))
                        && !r.terms.is_empty()
                        && r.terms.iter().all(|&(j, _)| new_col[j] != usize::MAX)
                })
                .collect();
            let sub = LinearModel {
                columns: columns.iter().map(|&j| lm.columns[j]).collect(),
                rows: rows
                    .iter()
                    .map(|&i| {
                        let r = &lm.rows[i];
                        Row {
                            name: r.name,
                            terms: r.terms.iter().map(|&(j, a)| (new_col[j], a)).collect(),
                            sense: r.sense,
                            rhs: r.rhs,
                        }
                    })
                    .collect(),
                objective: columns.iter().map(|&j| lm.objective[j]).collect(),
            };
            Component {
                evs,
                columns,
                rows,
                model: sub,
            }
        })
        .collect()
}

impl Component {
    /// The component without the coupling rows for which `drop(model_row)` holds (own rows stay).
    pub fn without_coupling_rows(&self, drop: impl Fn(usize) -> bool) -> Component {
        let keep: Vec<usize> = (0..self.rows.len())
            .filter(|&k| !(self.model.rows[k].name.is_coupling() && drop(self.rows[k])))
            .collect();
        Component {
            evs: self.evs.clone(),
            columns: self.columns.clone(),
            rows: keep.iter().map(|&k| self.rows[k]).collect(),
            model: LinearModel {
                columns: self.model.columns.clone(),
                rows: keep.iter().map(|&k| self.model.rows[k].clone()).collect(),
                objective: self.model.objective.clone(),
            },
        }
    }
}
