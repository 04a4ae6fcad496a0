//! The worked cases T1-T9 of spec section 8 (`shared/specs/two-stage.md`), with integer data so
//! every comparison is exact.

mod common;

use common::vals;
use evmech_mechanisms::properties::{reservation_awareness, weak_budget_balance};
use evmech_mechanisms::realtime::{
    Endowments, Passes, Pivot, PostedPrice, RtVcg, TieBreak, TradingCycles,
};
use evmech_mechanisms::vcg::{DayAheadVcg, ReserveRule};
use evmech_mechanisms::{assignment, Mechanism, Tolerance, ValueMatrix};

const A: usize = 0;
const B: usize = 1;

#[test]
fn t1_scratch_vcg_violates_reservation_awareness() {
    let v = vals(&[&[1.0], &[3.0]]);
    let endow = vec![Some(A), None];
    let mech = RtVcg::new(Pivot::Scratch, Endowments::new(1, endow.clone()).unwrap());
    let out = mech.run(&v).unwrap();
    assert_eq!(out.allocation(), &[None, Some(A)]);
    assert_eq!(out.payments(), &[0.0, 1.0]);
    assert_eq!(out.revenue(), 1.0);
    let ra = reservation_awareness(&out, &v, &endow).unwrap();
    assert_eq!(ra.worst_slack, -1.0);
    assert_eq!(ra.witness.unwrap().agent, 0);
}

#[test]
fn t2_endowment_vcg_runs_a_deficit() {
    let v = vals(&[&[1.0], &[3.0]]);
    let endow = vec![Some(A), None];
    let mech = RtVcg::new(Pivot::Endowment, Endowments::new(1, endow.clone()).unwrap());
    let out = mech.run(&v).unwrap();
    assert_eq!(out.allocation(), &[None, Some(A)]);
    assert_eq!(out.payments(), &[-3.0, 1.0]);
    assert_eq!(out.revenue(), -2.0);
    assert_eq!([out.utility(0, &v[0]), out.utility(1, &v[1])], [3.0, 2.0]);
    let ra = reservation_awareness(&out, &v, &endow).unwrap();
    assert_eq!(ra.worst_slack, 2.0);
    assert!(!weak_budget_balance(&out).holds(Tolerance::EXACT));
}

#[test]
fn t3_pure_swap_paid_by_endowment_vcg_free_under_scratch() {
    let v = vals(&[&[0.0, 2.0], &[2.0, 0.0]]);
    let endow = Endowments::new(2, vec![Some(A), Some(B)]).unwrap();
    let e = RtVcg::new(Pivot::Endowment, endow.clone()).run(&v).unwrap();
    assert_eq!(e.allocation(), &[Some(B), Some(A)]);
    assert_eq!(e.payments(), &[-2.0, -2.0]);
    assert_eq!(e.revenue(), -4.0);
    let s = RtVcg::new(Pivot::Scratch, endow).run(&v).unwrap();
    assert_eq!(s.allocation(), &[Some(B), Some(A)]);
    assert_eq!(s.payments(), &[0.0, 0.0]);
}

#[test]
fn t6_posted_price_too_high_blocks_the_efficient_move() {
    let v = vals(&[&[0.0, 2.0], &[0.0, 0.0]]);
    let endow = Endowments::new(2, vec![Some(A), None]).unwrap();
    let out = PostedPrice::new(endow, vec![0.0, 3.0], vec![0, 1])
        .unwrap()
        .run(&v)
        .unwrap();
    assert_eq!(out.allocation(), &[Some(A), None]);
    let values = ValueMatrix::from_valuations(2, &v).unwrap();
    assert_eq!(values.welfare(out.allocation()), 0.0);
    assert_eq!(assignment::solve(&values).welfare(), 2.0);
    assert_eq!(out.revenue(), 0.0);
}

#[test]
fn t7_posted_price_level_decides_who_gets_the_session() {
    let v = vals(&[&[1.0], &[3.0]]);
    let run = |q: f64| {
        PostedPrice::new(Endowments::none(2, 1), vec![q], vec![0, 1])
            .unwrap()
            .run(&v)
            .unwrap()
    };
    let low = run(0.0);
    assert_eq!(low.allocation(), &[Some(A), None]);
    assert_eq!(low.welfare(&v), 1.0);
    let high = run(2.0);
    assert_eq!(high.allocation(), &[None, Some(A)]);
    assert_eq!(high.payments(), &[0.0, 2.0]);
    assert_eq!(high.welfare(&v), 3.0);
}

#[test]
fn t8_day_ahead_vcg_prices_are_the_walrasian_bounds() {
    let bids = vals(&[&[6.0, 3.0], &[4.0, 1.0], &[2.0, 2.0]]);
    let r = DayAheadVcg::new(2).run_detailed(&bids).unwrap();
    assert_eq!(r.allocation, vec![Some(A), None, Some(B)]);
    assert_eq!(r.welfare, 8.0);
    assert_eq!(r.payments, vec![4.0, 0.0, 1.0]);
    assert_eq!(r.reserve_prices(ReserveRule::Vcg), vec![4.0, 1.0]);
    assert_eq!(r.reserve_prices(ReserveRule::MaxWalrasian), vec![5.0, 2.0]);
    assert_eq!(r.reserve_prices(ReserveRule::Zero), vec![0.0, 0.0]);
    // Walrasian: at the reserve prices every EV's reservation is in its demand set.
    for p in [
        r.min_walrasian_prices.clone(),
        r.max_walrasian_prices.clone(),
    ] {
        for (i, bid) in bids.iter().enumerate() {
            let own = bid.of(r.allocation[i]) - r.allocation[i].map_or(0.0, |k| p[k]);
            let best = (0..2).map(|k| bid.of(Some(k)) - p[k]).fold(0.0, f64::max);
            assert!(
                own >= best,
                "EV {i} does not demand its reservation at {p:?}"
            );
        }
    }
}

fn t9_instance() -> (Vec<evmech_mechanisms::Valuation>, Endowments) {
    let rt = vals(&[&[2.0, 6.0], &[1.0, 5.0], &[2.0, 2.0]]);
    let endow = Endowments::new(2, vec![Some(A), None, Some(B)]).unwrap();
    (rt, endow)
}

#[test]
fn t9_single_pass_posted_price_never_swaps() {
    let (rt, endow) = t9_instance();
    let values = ValueMatrix::from_valuations(2, &rt).unwrap();
    assert_eq!(assignment::solve(&values).welfare(), 8.0);
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for prices in [vec![4.0, 1.0], vec![0.0, 0.0]] {
        for order in orders {
            let out = PostedPrice::new(endow.clone(), prices.clone(), order.to_vec())
                .unwrap()
                .run(&rt)
                .unwrap();
            assert_eq!(out.allocation(), endow.holdings(), "order {order:?}");
            assert_eq!(values.welfare(out.allocation()), 4.0);
        }
    }
    // Multiple passes do not help either: no session is ever free.
    let multi = PostedPrice::new(endow.clone(), vec![0.0, 0.0], vec![0, 1, 2])
        .unwrap()
        .with_passes(Passes::UntilStable { max_rounds: 10 })
        .unwrap()
        .run(&rt)
        .unwrap();
    assert_eq!(multi.allocation(), endow.holdings());
}

#[test]
fn t9_trading_cycles_swap_at_zero_prices_and_are_blocked_at_vcg_prices() {
    let (rt, endow) = t9_instance();
    let values = ValueMatrix::from_valuations(2, &rt).unwrap();
    // q = (4, 1): EV 1 would move A -> B for free, but EV 3 would pay 3 for B -> A: no trade.
    let blocked = TradingCycles::new(endow.clone(), vec![4.0, 1.0], vec![0, 1, 2])
        .unwrap()
        .with_tie_break(TieBreak::LowestIndex)
        .run(&rt)
        .unwrap();
    assert_eq!(blocked.allocation(), endow.holdings());
    assert_eq!(values.welfare(blocked.allocation()), 4.0);
    // q = (0, 0), ties toward the lower index: the cycle EV1 -> B -> EV3 -> A -> EV1 trades.
    let swapped = TradingCycles::new(endow.clone(), vec![0.0, 0.0], vec![0, 1, 2])
        .unwrap()
        .with_tie_break(TieBreak::LowestIndex)
        .run(&rt)
        .unwrap();
    assert_eq!(swapped.allocation(), &[Some(B), None, Some(A)]);
    assert_eq!(values.welfare(swapped.allocation()), 8.0);
    assert_eq!(swapped.revenue(), 0.0);
    // Keep-first ties: EV 3 is indifferent and keeps B, so the swap does not form.
    let kept = TradingCycles::new(endow.clone(), vec![0.0, 0.0], vec![0, 1, 2])
        .unwrap()
        .run(&rt)
        .unwrap();
    assert_eq!(kept.allocation(), endow.holdings());
}

#[test]
fn t9_trading_cycles_swap_when_the_swap_is_strict() {
    // EV 3 now strictly prefers A: the swap forms under every tie rule.
    let rt = vals(&[&[2.0, 6.0], &[1.0, 5.0], &[3.0, 2.0]]);
    let endow = Endowments::new(2, vec![Some(A), None, Some(B)]).unwrap();
    for tie in [TieBreak::KeepFirst, TieBreak::LowestIndex] {
        let out = TradingCycles::new(endow.clone(), vec![0.0, 0.0], vec![1, 2, 0])
            .unwrap()
            .with_tie_break(tie)
            .run(&rt)
            .unwrap();
        assert_eq!(out.allocation(), &[Some(B), None, Some(A)]);
    }
}
