"""evmech.sweep: tasks identical to the CLI's runs, on a process pool and on Ray."""

import csv
import os
import statistics

import pytest

from evmech import sweep
from conftest import BUILDING, SESSIONS, run_cli

ARGS = ["--sessions", SESSIONS, "--building", BUILDING, "--policies", "reqcharge,mc-mpc",
        "--seeds", "0", "1", "--days", "1", "--scenarios", "3"]


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _check(out_dir):
    runs = _rows(os.path.join(out_dir, "runs.csv"))
    assert [(r["policy"], r["seed"]) for r in runs] == [
        ("reqcharge", "0"), ("reqcharge", "1"), ("mc-mpc", "0"), ("mc-mpc", "1")]
    for r in runs:
        code, cli, err = run_cli("v2b", "compare", "--sessions", SESSIONS, "--building", BUILDING,
                                 "--days", "1", "--scenarios", "3", "--policies", r["policy"],
                                 "--seed", r["seed"], "--out", os.path.join(out_dir, "cli"))
        assert code == 0, err
        assert float(r["building_cost_usd"]) == cli[r["policy"]]["building_cost_usd"]
        assert r["attempts"] == "1"
    summary = {s["policy"]: s for s in _rows(os.path.join(out_dir, "summary.csv"))}
    bills = [float(r["building_cost_usd"]) for r in runs if r["policy"] == "mc-mpc"]
    assert float(summary["mc-mpc"]["building_cost_usd_mean"]) == pytest.approx(statistics.mean(bills))
    assert float(summary["mc-mpc"]["building_cost_usd_sd"]) == pytest.approx(statistics.stdev(bills))
    with open(os.path.join(out_dir, "bills.svg"), encoding="utf-8") as f:
        assert "<svg" in f.read(2000)
    return runs


def test_local_sweep_runs_the_clis_tasks(tmp_path):
    assert sweep.main([*ARGS, "--engine", "local", "--workers", "2", "--out", str(tmp_path)]) == 0
    _check(str(tmp_path))


def test_ray_sweep_gives_the_same_rows(tmp_path):
    pytest.importorskip("ray", reason="ray is installed by scripts/test.sh")
    assert sweep.main([*ARGS, "--engine", "ray", "--workers", "2", "--out", str(tmp_path / "ray")]) == 0
    assert sweep.main([*ARGS, "--engine", "local", "--out", str(tmp_path / "local")]) == 0
    strip = lambda rows: [{k: v for k, v in r.items() if "seconds" not in k and "_ms" not in k}
                          for r in rows]
    assert strip(_check(str(tmp_path / "ray"))) == strip(_rows(str(tmp_path / "local" / "runs.csv")))


def test_shards_merge_into_the_whole_study(tmp_path):
    for i in range(2):
        assert sweep.main([*ARGS, "--shard", f"{i}/2", "--out", str(tmp_path / f"s{i}")]) == 0
    assert len(_rows(tmp_path / "s0" / "runs.csv")) == 2
    assert sweep.main(["--merge", str(tmp_path / "s0"), str(tmp_path / "s1"),
                       "--out", str(tmp_path / "all")]) == 0
    merged = sorted((r["policy"], r["seed"], r["building_cost_usd"])
                    for r in _rows(tmp_path / "all" / "runs.csv"))
    assert len(merged) == 4


def test_a_failing_task_is_retried_once_and_reported(tmp_path, capsys):
    missing = str(tmp_path / "missing.csv")
    code = sweep.main(["--sessions", SESSIONS, missing, "--building", BUILDING,
                       "--policies", "reqcharge", "--days", "1", "--out", str(tmp_path / "o")])
    assert code == 1
    failures = _rows(tmp_path / "o" / "failures.csv")
    assert [(f["sessions"], f["attempts"]) for f in failures] == [(missing, "2")]
    assert "missing.csv" in failures[0]["error"]
    assert len(_rows(tmp_path / "o" / "runs.csv")) == 1
    assert "failed twice" in capsys.readouterr().err
