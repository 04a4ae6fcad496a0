"""Experiment sweeps: one ``v2b compare`` task per (sessions file, policy, seed), in a local
process pool or on a Ray cluster.

    python -m evmech.sweep --engine ray [--address ADDR] --sessions may.csv june.csv \\
        --building doe.csv --policies mc-mpc,oracle --seeds 0 1 [--days N] [--tariff T] --out DIR

Each task is the CLI run ``evmech v2b compare --sessions F --building B --policies P --seed S``
with the same options (deterministic: the same numbers on any machine, worker or shard), run
with one solver thread so that tasks, not threads, fill the cores. The sweep writes

- ``DIR/runs.csv``: one row per task (``sessions``, ``policy``, ``seed``, ``attempts``,
  ``building_cost_usd`` and every other scalar of the task's summary);
- ``DIR/summary.csv``: per policy, the number of runs and the mean and standard deviation of
  each numeric column (``building_cost_usd_mean``, ``building_cost_usd_sd``, ...);
- ``DIR/failures.csv``: the tasks that failed twice, with their error (the sweep then exits
  with code 1; a failed task is retried once and never dropped silently);
- ``DIR/bills.svg`` (or ``.png`` with ``--plot-format png``): each policy's bill per sessions
  file, mean over seeds with the standard deviation as error bars (matplotlib).

**Sharding a large study.** ``--shard I/N`` runs only the tasks whose index is ``I`` modulo
``N`` (tasks are numbered in a fixed order: sessions files, then policies, then seeds), so ``N``
machines or jobs each take one shard into their own directory; ``--merge DIR1 DIR2 ...
--out DIR`` then joins their ``runs.csv`` files and writes the summary and the plot. On Ray
the cluster spreads the tasks itself: start it with ``ray start --head`` (and ``ray start
--address HEAD:6379`` on each other machine, or KubeRay on Kubernetes), then pass
``--address HEAD:6379``.
"""

import argparse
import csv
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from . import InputError

__all__ = ["Task", "tasks", "run_task", "run_sweep", "summarize", "plot", "main"]


@dataclass(frozen=True)
class Task:
    """One run: a sessions file, a policy and a seed, with the options every run shares."""

    index: int
    sessions: str
    policy: str
    seed: int
    building: Optional[str]
    options: Tuple[Tuple[str, Any], ...]


def tasks(sessions: Sequence[str], policies: Sequence[str], seeds: Sequence[int],
          building: Optional[str], options: Dict[str, Any]) -> List[Task]:
    """Every task of the study, numbered in a fixed order (sessions, then policies, then seeds)."""
    frozen = tuple(sorted((k, v) for k, v in options.items() if v is not None))
    out = []
    for f in sessions:
        for p in policies:
            for s in seeds:
                out.append(Task(len(out), f, p, int(s), building, frozen))
    return out


def _scalars(prefix: str, value: Any, out: Dict[str, Any]) -> None:
    """Flattens nested dicts into ``a.b`` columns; lists are left out (per-month detail)."""
    if isinstance(value, dict):
        for k, v in value.items():
            _scalars(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, (int, float, str, bool)) or value is None:
        out[prefix] = value


def run_task(task: Task) -> Dict[str, Any]:
    """Runs one task in this process and returns its row of ``runs.csv``."""
    from . import v2b

    summary = v2b.compare(task.sessions, task.building, policies=task.policy, seed=task.seed,
                          **dict(task.options))
    row: Dict[str, Any] = {"sessions": task.sessions, "policy": task.policy, "seed": task.seed}
    _scalars("", summary[task.policy], row)
    return row


# A task's row, or the error that stopped it.
Outcome = Tuple[Optional[Dict[str, Any]], Optional[str]]


class _LocalEngine:
    """A process pool (``spawn``: no fork of a process that holds solver threads)."""

    def __init__(self, workers: Optional[int]):
        import concurrent.futures
        import multiprocessing

        self.pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, task: Task):
        return self.pool.submit(run_task, task)

    def wait(self, futures: List[Any], done: Callable[[], None]) -> List[Outcome]:
        import concurrent.futures

        for _ in concurrent.futures.as_completed(futures):
            done()
        return _outcomes(futures, lambda f: f.result())

    def close(self) -> None:
        self.pool.shutdown()


class _RayEngine:
    """Ray tasks on the cluster at ``address`` (a local one started here when ``None``)."""

    def __init__(self, address: Optional[str], workers: Optional[int]):
        import ray

        self.ray = ray
        if address is None:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
        # Retries are the sweep's own (once, reported); Ray retries nothing behind our back.
        self.remote = ray.remote(num_cpus=1, max_retries=0)(run_task)

    def submit(self, task: Task):
        return self.remote.remote(task)

    def wait(self, futures: List[Any], done: Callable[[], None]) -> List[Outcome]:
        pending = list(futures)
        while pending:
            ready, pending = self.ray.wait(pending, num_returns=1)
            for _ in ready:
                done()
        return _outcomes(futures, self.ray.get)

    def close(self) -> None:
        self.ray.shutdown()


def _outcomes(futures: List[Any], get: Callable[[Any], Dict[str, Any]]) -> List[Outcome]:
    """Each finished task's row, or its error: a failed task is reported, never dropped."""
    out: List[Outcome] = []
    for f in futures:
        try:
            out.append((get(f), None))
        except Exception as e:
            out.append((None, _describe(e)))
    return out


def _describe(e: BaseException) -> str:
    cause = getattr(e, "cause", None)  # a Ray task error wraps the task's own exception
    e = cause if isinstance(cause, BaseException) else e
    return f"{type(e).__name__}: {e}".strip()


def run_sweep(todo: Sequence[Task], engine: str = "local", address: Optional[str] = None,
              workers: Optional[int] = None,
              progress: Optional[Callable[[int, int], None]] = None
              ) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Runs every task on ``engine`` (``local`` or ``ray``), retrying each failed one once;
    returns the rows of the runs and of the tasks that failed twice, both in task order."""
    if engine == "local":
        runner: Any = _LocalEngine(workers)
    elif engine == "ray":
        runner = _RayEngine(address, workers)
    else:
        raise InputError(f"--engine: expected local or ray, got {engine!r}")
    finished = [0]

    def done() -> None:
        finished[0] += 1
        if progress:
            progress(finished[0], len(todo))

    try:
        results = runner.wait([runner.submit(t) for t in todo], done)
        attempts = {t.index: 1 for t in todo}
        retry = [t for t, (_, err) in zip(todo, results) if err is not None]
        by_index = {t.index: r for t, r in zip(todo, results)}
        if retry:
            finished[0] -= len(retry)
            for t, r in zip(retry, runner.wait([runner.submit(t) for t in retry], done)):
                by_index[t.index] = r
                attempts[t.index] = 2
    finally:
        runner.close()
    rows, failures = [], []
    for t in todo:
        row, err = by_index[t.index]
        if err is None:
            rows.append({**row, "attempts": attempts[t.index]})
        else:
            failures.append({"sessions": t.sessions, "policy": t.policy, "seed": t.seed,
                             "attempts": attempts[t.index], "error": err})
    return rows, failures


def _columns_of(rows: Iterable[Dict[str, Any]]) -> List[str]:
    """Every key of the rows, in order of first appearance."""
    cols: List[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols


def _columns(rows: Iterable[Dict[str, Any]]) -> List[str]:
    """The runs' columns: the task and its bill first, then every other key."""
    first = ["sessions", "policy", "seed", "attempts", "building_cost_usd"]
    return first + [k for k in _columns_of(rows) if k not in first]


def _write_csv(path: str, rows: List[Dict[str, Any]], columns: List[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def _number(v: Any) -> Optional[float]:
    if isinstance(v, bool) or v is None or v == "":
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _mean_sd(xs: List[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for a single run)."""
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd


def summarize(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Per policy (in order of appearance): ``runs`` and ``<column>_mean``, ``<column>_sd`` of
    every numeric column (the seed and the attempts left out)."""
    policies: List[str] = []
    for r in rows:
        if r["policy"] not in policies:
            policies.append(r["policy"])
    skip = {"sessions", "policy", "seed", "attempts"}
    out = []
    for p in policies:
        mine = [r for r in rows if r["policy"] == p]
        s: Dict[str, Any] = {"policy": p, "runs": len(mine)}
        for c in _columns(mine):
            if c in skip:
                continue
            xs = [x for x in (_number(r.get(c)) for r in mine) if x is not None]
            if len(xs) == len(mine):
                s[f"{c}_mean"], s[f"{c}_sd"] = _mean_sd(xs)
        out.append(s)
    return out


def plot(rows: List[Dict[str, Any]], path: str) -> None:
    """Each policy's bill per sessions file: mean over seeds, standard deviation as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = list(dict.fromkeys(r["sessions"] for r in rows))
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    # A bound that reads the future says so in the legend (the runs carry the flag).
    hindsight = {r["policy"] for r in rows if str(r.get("hindsight")) in ("True", "true")}
    width = 0.8 / max(1, len(policies))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(files) + 2.0), 4.5))
    for j, p in enumerate(policies):
        means, sds = [], []
        for f in files:
            xs = [float(r["building_cost_usd"]) for r in rows
                  if r["policy"] == p and r["sessions"] == f]
            m, sd = _mean_sd(xs) if xs else (math.nan, 0.0)
            means.append(m)
            sds.append(sd)
        xs = [i + (j - (len(policies) - 1) / 2) * width for i in range(len(files))]
        label = f"{p} (hindsight bound)" if p in hindsight else p
        ax.bar(xs, means, width, yerr=sds, capsize=3, label=label)
    ax.set_xticks(range(len(files)))
    ax.set_xticklabels([os.path.splitext(os.path.basename(f))[0] for f in files],
                       rotation=20, ha="right")
    ax.set_ylabel("building cost, USD (mean ± sd over seeds)")
    ax.set_title("Bills per sessions file")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _read_runs(dirs: Sequence[str]) -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = []
    for d in dirs:
        path = os.path.join(d, "runs.csv")
        if not os.path.exists(path):
            raise InputError(f"--merge: {path} does not exist (not a sweep's output directory)")
        with open(path, newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    return rows


def _shard(text: str) -> Tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N (0 <= I < N), got {text!r}") from None
    if not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"expected I/N (0 <= I < N), got {text!r}")
    return i, n


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evmech.sweep", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=["local", "ray"], default="local")
    p.add_argument("--address", help="Ray cluster address (HOST:PORT); a local cluster when absent")
    p.add_argument("--workers", type=int, help="processes (local) or CPUs of the local Ray cluster")
    p.add_argument("--sessions", nargs="+", help="session files, one task set each")
    p.add_argument("--building", help="building load (DOE typical year CSV)")
    p.add_argument("--policies", help="comma-separated policies (mc-mpc,oracle,...)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--days", type=int, help="first N days of each sessions file")
    p.add_argument("--tariff", help="tariff JSON")
    p.add_argument("--site", help="site JSON")
    p.add_argument("--scenarios", type=int, help="futures per MC-MPC decision")
    p.add_argument("--days-of-week", choices=["all", "weekdays", "weekends"])
    p.add_argument("--shard", type=_shard, help="run only tasks I, I+N, I+2N, ... (I/N)")
    p.add_argument("--merge", nargs="+", metavar="DIR",
                   help="join these sweeps' runs.csv instead of running tasks")
    p.add_argument("--plot-format", choices=["svg", "png"], default="svg")
    p.add_argument("--out", required=True)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    failures: List[Dict[str, Any]] = []
    if args.merge:
        rows = _read_runs(args.merge)
    else:
        missing = [f for f in ("sessions", "building", "policies") if getattr(args, f) is None]
        if missing:
            print(f"evmech.sweep: --{missing[0]} is required (or --merge)", file=sys.stderr)
            return 2
        options = {"days": args.days, "tariff": args.tariff, "site": args.site,
                   "scenarios": args.scenarios, "days_of_week": args.days_of_week, "threads": 1}
        policies = [p.strip() for p in args.policies.split(",") if p.strip()]
        todo = tasks(args.sessions, policies, args.seeds, args.building, options)
        if args.shard:
            i, n = args.shard
            todo = [t for t in todo if t.index % n == i]
        done = lambda k, n: print(f"\rtasks {k}/{n}", end="", file=sys.stderr, flush=True)
        rows, failures = run_sweep(todo, args.engine, args.address, args.workers, done)
        print(file=sys.stderr)
    _write_csv(os.path.join(args.out, "runs.csv"), rows, _columns(rows))
    summary = summarize(rows)
    _write_csv(os.path.join(args.out, "summary.csv"), summary, _columns_of(summary))
    if rows:
        try:
            plot(rows, os.path.join(args.out, f"bills.{args.plot_format}"))
        except ImportError:
            print("evmech.sweep: no plot (matplotlib is missing: pip install 'evmech[plot]'); "
                  "runs.csv and summary.csv are written", file=sys.stderr)
    if failures:
        _write_csv(os.path.join(args.out, "failures.csv"), failures,
                   ["sessions", "policy", "seed", "attempts", "error"])
        for f in failures:
            print(f"evmech.sweep: task {f['sessions']} {f['policy']} seed {f['seed']} failed "
                  f"twice: {f['error']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except InputError as e:
        print(f"evmech.sweep: {e}", file=sys.stderr)
        sys.exit(2)
