//! Brute force over station assignments: the test oracle of the station-access MILP.

use crate::{solve_lp, Error, Plan, Result, StationAccessModel};

/// Largest number of assignment vectors `(S + 1)^N` the enumerator visits.
pub const ENUMERATION_LIMIT: usize = 4096;

/// The optimum by enumerating every assignment of EVs to stations or to "not served": each
/// assignment that respects the EVSE counts fixes the binaries, and the remaining energy LP is
/// solved with Clarabel (a solver independent of the MILP path). Returns the best plan.
pub fn brute_force_optimum(model: &StationAccessModel) -> Result<Plan> {
    let inst = model.instance();
    let n_ev = inst.evs().len();
    let n_st = inst.stations().len();
    let count = (n_st + 1)
        .checked_pow(n_ev as u32)
        .filter(|&c| c <= ENUMERATION_LIMIT)
        .ok_or(Error::InvalidSetting {
            field: "instance size",
            reason: format!(
                "(stations + 1)^EVs = {}^{} exceeds the enumeration limit {}",
                n_st + 1,
                n_ev,
                ENUMERATION_LIMIT
            ),
        })?;
    let mut best: Option<Plan> = None;
    for code in 0..count {
        // choice[n] = 0 for "not served", s + 1 for station s.
        let mut c = code;
        let choice: Vec<usize> = (0..n_ev)
            .map(|_| {
                let d = c % (n_st + 1);
                c /= n_st + 1;
                d
            })
            .collect();
        let fits = (0..inst.horizon()).all(|t| {
            (0..n_st).all(|s| {
                let plugged = (0..n_ev)
                    .filter(|&n| choice[n] == s + 1 && inst.evs()[n].window().contains(&t))
                    .count();
                plugged as u64 <= u64::from(inst.stations()[s].evse)
            })
        });
        if !fits {
            continue;
        }
        let mut fixes = Vec::new();
        for (n, &ch) in choice.iter().enumerate() {
            fixes.push((model.opt_out_column(n), if ch == 0 { 1.0 } else { 0.0 }));
            for s in 0..n_st {
                fixes.push((
                    model.serve_column(n, s),
                    if ch == s + 1 { 1.0 } else { 0.0 },
                ));
            }
        }
        let lp = solve_lp(&model.model().with_fixed(&fixes))?;
        if best.as_ref().is_none_or(|b| lp.objective > b.welfare) {
            let mut x = lp.x;
            for &(j, v) in &fixes {
                x[j] = v;
            }
            best = Some(model.plan(&x));
        }
    }
    best.ok_or(Error::infeasible(Vec::new()))
}
