"""Benchmarks of cleaning, incremental builds, parallel variants and a national batch on Dask.

    .venv/bin/python -m benchmarks                    # everything (several minutes)
    .venv/bin/python -m benchmarks --quick            # 8 municipalities, smaller extract
    .venv/bin/python -m benchmarks --only clean,build # a selection: clean, build, variants, dask

Figures are printed, never asserted (the machine may be busy). Work happens in a
temporary folder (``--workdir`` to keep it). Each measurement that needs a clean
process (peak memory, a cold build) runs in a child process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BENCH_KEY = "benchmark-noegle-" + "0" * 40


def _env(**extra) -> dict:
    env = {**os.environ, "ANALYSE_PSEUDONYM_KEY": BENCH_KEY, **extra}
    env.pop("ANALYSE_TABLES_DIR", None)
    return env


def _child(code: str, **env) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    done = subprocess.run([PYTHON, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=ROOT, env=_env(**env))
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _analyse(*args, **env) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "analyse", *args], capture_output=True, text=True, cwd=ROOT,
                          env=_env(**env))
    return time.perf_counter() - started, done


def heading(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


# --- 1. the 1M-row clean ----------------------------------------------------------------------

FLOOR = """
    import json, sys, time
    import pandas as pd
    path = sys.argv[1] if len(sys.argv) > 1 else {path!r}
    times = []
    for _ in range(2):
        started = time.perf_counter()
        pd.read_csv(path, sep=";", encoding="cp1252")
        times.append(time.perf_counter() - started)
    print(json.dumps({{"floor": min(times)}}))
"""

# What the 2.5× budget leaves for cleaning: the same bare read, written straight to Parquet
# (strings as read, nothing checked), and the indicators, which the clean also computes.
SKELETON = """
    import json, sys, time
    import pandas as pd
    times = []
    for _ in range(2):
        started = time.perf_counter()
        pd.read_csv({path!r}, sep=";", encoding="cp1252").to_parquet({out!r}, index=False)
        times.append(time.perf_counter() - started)
    print(json.dumps({{"skeleton": min(times)}}))
"""

CLEAN = """
    import json, resource, time
    from pathlib import Path
    started = time.perf_counter()
    from analyse.pipeline import clean_all
    imported = time.perf_counter()
    summary = clean_all(Path({raw!r}), Path({out!r}), mappings_dir=Path({raw!r}) / "ingen")
    cleaned = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Once more in the same process: what the first run paid for warming up (caches, lazily
    # loaded code, memory the process had not touched yet) shows as the difference.
    clean_all(Path({raw!r}), Path({out!r}), mappings_dir=Path({raw!r}) / "ingen")
    repeated = time.perf_counter() - cleaned
    import pandas as pd
    from analyse.indicators import indicators_by_source
    table = pd.read_parquet(Path({out!r}) / "as2007.parquet")
    t0 = time.perf_counter()
    indicators_by_source({{"as2007": table}})
    t1 = time.perf_counter()
    q = summary.results["as2007"].quality
    print(json.dumps({{"clean": cleaned - imported, "repeated": repeated, "import": imported - started, "peak_mb": peak,
                      "indicators": t1 - t0, "rows": q["rows_in"], "clean_rows": q["rows_clean"],
                      "parquet_mb": (Path({out!r}) / "as2007.parquet").stat().st_size / 1e6}}))
"""


def bench_clean(work: Path, rows: int) -> None:
    heading(f"Rensning af et AS2007-udtræk med {rows:,} rækker".replace(",", "."))
    raw = work / "big" / "raw"
    path = raw / "as2007" / "big.csv"
    if not path.exists():
        started = time.perf_counter()
        subprocess.run([PYTHON, str(ROOT / "benchmarks" / "make_large_extract.py"), str(path), str(rows)],
                       check=True, cwd=ROOT, env=_env(PYTHONPATH=str(ROOT)))
        print(f"  (udtræk genereret på {time.perf_counter() - started:.1f} s, {path.stat().st_size / 1e6:.0f} MB)")
    out = work / "big" / "processed"
    floor_before = _child(FLOOR.format(path=str(path)))["floor"]
    # Like the floor (best of four reads), the clean is the best of three fresh processes:
    # on a shared two-core machine single runs vary by ±15 %.
    runs = [_child(CLEAN.format(raw=str(raw), out=str(out))) for _ in range(3)]
    floor_after = _child(FLOOR.format(path=str(path)))["floor"]
    floor = min(floor_before, floor_after)
    skeleton = _child(SKELETON.format(path=str(path), out=str(work / "big" / "skelet.parquet")))["skeleton"]
    result = min(runs, key=lambda r: r["clean"])
    clean = result["clean"]
    slowest = max(r["clean"] for r in runs)
    repeated = min(r["repeated"] for r in runs)
    print(f"  bar pd.read_csv (gulv, bedste af 4):   {floor:6.2f} s")
    print(f"  rensning ende til ende (bedste af 3):   {clean:6.2f} s  (læs, valider, pseudonymiser, "
          f"Parquet, indikatorer, kvalitet; langsomste {slowest:.2f} s)")
    print(f"  forhold til gulvet:                     {clean / floor:6.2f} ×   (mål: ≤ 2,5 ×)")
    print(f"  samme rensning gentaget i processen:    {repeated:6.2f} s  "
          f"(forhold {repeated / floor:.2f} ×; forskellen er opvarmning)")
    print(f"  rækker pr. sekund:                      {result['rows'] / clean:,.0f}   (mål: ≥ 300.000)".replace(",", "."))
    print(f"  største hukommelsesforbrug (RSS):       {max(r['peak_mb'] for r in runs):6.0f} MB (mål: < 1.500 MB)")
    print(f"  import af pakken (ikke medregnet):      {result['import']:6.2f} s  (pandas, pyarrow, pandera, …; "
          f"import + rensning {result['import'] + clean:.2f} s)")
    print(f"  indikatorberegning alene:               {result['indicators']:6.2f} s")
    # The target is a ratio; these two lines show how much of it reading and writing alone use.
    print(f"  læs + skriv Parquet, ingen rensning:    {skeleton:6.2f} s  (forhold {skeleton / floor:.2f} ×; "
          f"med indikatorerne {(skeleton + result['indicators']) / floor:.2f} ×)")
    # The clean computes the indicators while pyarrow writes the Parquet file, so at best they
    # cost nothing beyond the write: what 2.5 × leaves after reading and writing is the upper bound.
    print(f"  tilbage af 2,5 × til alle kontroller:   {2.5 * floor - skeleton:6.2f} s  "
          f"(højst, hvis indikatorerne gemmer sig helt bag skrivningen; rensningen bruger "
          f"{clean - skeleton:.2f} s ud over læs + skriv)")
    print(f"  Parquet-fil:                            {result['parquet_mb']:6.1f} MB")


# --- 2. cold build and no-change rebuild of the sample -------------------------------------------


def _split(reports: Path, stdout: str) -> list[dict]:
    """Per report: total, kernel start (+ shutdown), the import cell, the rest of execution, conversion."""
    import nbformat

    totals = {Path(m.group(1)).stem: float(m.group(2))
              for m in re.finditer(r"Rapport: (\S+) \(([\d.]+) s\)", stdout)}
    rows = []
    for stem, total in sorted(totals.items()):
        executed = reports / "notebooks" / f"{stem}.ipynb"
        if not executed.is_file():
            continue
        nb = nbformat.read(executed, as_version=4)
        run = float(nb.metadata.get("papermill", {}).get("duration") or 0)
        cells = [float(c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells if c.cell_type == "code"]
        setup = next((d for c, d in zip([c for c in nb.cells if c.cell_type == "code"], cells)
                      if "import " in c.source and "parameters" not in c.metadata.get("tags", [])), 0.0)
        rows.append({"report": stem, "total": total, "kernel": max(run - sum(cells), 0.0), "imports": setup,
                     "execution": sum(cells) - setup, "conversion": max(total - run, 0.0)})
    return rows


def bench_build(work: Path) -> Path:
    heading("Kold build og build uden ændringer af eksempelrapporterne")
    base = work / "sample"
    shutil.rmtree(base, ignore_errors=True)
    raw, processed, reports = base / "raw", base / "processed", base / "reports"
    _, done = _analyse("sample", "--out", str(raw))
    if done.returncode:
        raise RuntimeError(done.stderr)
    args = ("build", "--raw", str(raw), "--processed", str(processed), "--reports", str(reports))
    cold, done = _analyse(*args)
    failed = [line for line in done.stdout.splitlines() if line.startswith("FEJL:")]
    print(f"  kold build (rensning + alle rapporter, én ad gangen): {cold:6.1f} s"
          + (f"  ({len(failed)} rapport(er) fejlede)" if failed else ""))
    for line in failed:
        print(f"    {line[:160]}")
    rows = _split(reports, done.stdout)
    if rows:
        print("  fordeling pr. rapport (s):  i alt  kerne-start  imports  kørsel  HTML-konvertering")
        for row in rows:
            print(f"    {row['report']:<26} {row['total']:5.1f}  {row['kernel']:10.1f}  {row['imports']:7.1f}"
                  f"  {row['execution']:6.1f}  {row['conversion']:8.1f}")
        total = {k: sum(r[k] for r in rows) for k in ("total", "kernel", "imports", "execution", "conversion")}
        print(f"    {'sum':<26} {total['total']:5.1f}  {total['kernel']:10.1f}  {total['imports']:7.1f}"
              f"  {total['execution']:6.1f}  {total['conversion']:8.1f}")
        print("  (konvertering sker i samme proces som kørslen: ingen ny proces pr. rapport)")
    # Other work in the tree (code edits) between the two builds would make the second one
    # rebuild, rightly: build until nothing runs (at most three times), then time the no-change build.
    for _ in range(3):
        _, done = _analyse(*args)
        if "køres (" not in done.stdout and "renses (" not in done.stdout:
            break
    again, done = _analyse(*args)
    skipped = done.stdout.count("uændret, springes over")
    redone = re.findall(r"  (\S+): (?:køres|renses) \(([^)]*)\)", done.stdout)
    print(f"  build uden ændringer:                  {again:6.2f} s  ({skipped} trin sprunget over; mål: < 2 s)")
    for name, why in redone:
        print(f"    alligevel gjort: {name} ({why})")
    # A refreshed extract: one more (duplicate) line at the end of the first AS2007 CSV file.
    extract = next(p for p in sorted((raw / "as2007").iterdir()) if p.suffix == ".csv")
    data = extract.read_bytes().rstrip(b"\r\n")
    extract.write_bytes(data + b"\n" + data.splitlines()[-1] + b"\n")
    changed, done = _analyse(*args)
    ran = re.findall(r"  (\S+): køres \(([^)]*)\)", done.stdout)
    recleaned = ", ".join(re.findall(r"  (\S+): renses", done.stdout)) or "intet"
    rerun = ", ".join(name for name, _ in ran) or "intet"
    print(f"  build efter ændret AS2007-udtræk:      {changed:6.1f} s  (renset: {recleaned}; kørt: {rerun})")
    return processed


# --- 3. variants one at a time vs --jobs 2 ------------------------------------------------------


def _variant_file(work: Path, notebook: str, count: int) -> Path:
    lines = ["varianter:"]
    for i in range(count):
        lines += [f"  v{i + 1}:", f"    notebooks: [{notebook}]",
                  f"    parametre: {{suppression_threshold: {5 + i}}}"]
    path = work / "varianter.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_variants(work: Path, processed: Path, notebook: str, count: int) -> None:
    heading(f"{count} rapportvarianter af {notebook}: én ad gangen mod --jobs 2")
    params = _variant_file(work, notebook, count)
    times = {}
    for jobs in (1, 2):
        reports = work / f"variants_{jobs}"
        shutil.rmtree(reports, ignore_errors=True)
        seconds, done = _analyse("run", "--params", str(params), "--jobs", str(jobs), "--processed",
                                 str(processed), "--reports", str(reports))
        times[jobs] = seconds
        status = "" if done.returncode == 0 else f"  (fejl: {done.stderr.strip()[:120]})"
        print(f"  --jobs {jobs}: {seconds:6.1f} s{status}")
    print(f"  hastighedsforøgelse: {times[1] / times[2]:.2f} ×   (mål: ≥ 1,7 ×)")
    inner = _child(f"""
        import json, time
        from pathlib import Path
        from analyse.build import report_jobs
        from analyse.batch import execute_jobs
        if __name__ == "__main__":
            jobs = report_jobs({str(params)!r}, Path({str(processed)!r}))
            out = {{}}
            for name, workers, executor in (("seq", 1, "local"), ("threads", 2, "local"), ("processes", 2, "processes")):
                started = time.perf_counter()
                results = execute_jobs(jobs, Path({str(work)!r}) / ("inner_" + name), workers=workers,
                                       executor=executor, progress=False)
                out[name] = time.perf_counter() - started
            print(json.dumps(out))
    """)
    print("  uden CLI-opstart og validering (i én proces):")
    print(f"    én ad gangen {inner['seq']:5.1f} s; 2 samtidig: tråde (standard) {inner['threads']:5.1f} s "
          f"= {inner['seq'] / inner['threads']:.2f} ×, arbejdsprocesser {inner['processes']:5.1f} s "
          f"= {inner['seq'] / inner['processes']:.2f} ×")


# --- 4. a national batch on a local Dask cluster ------------------------------------------------


def bench_dask(work: Path, processed: Path, notebook: str, municipalities: int, workers: int) -> None:
    heading(f"Landsdækkende kørsel: {municipalities} kommuner på en lokal Dask-klynge med {workers} workers")
    from distributed import LocalCluster

    from analyse.batch import execute_jobs
    from analyse.params import ReportJob

    batch = work / "national"
    shutil.rmtree(batch, ignore_errors=True)
    # Synthetic extracts of a few "municipalities" (other seeds), reused in turn for the rest.
    seeds = min(municipalities, 3)
    cleaned = []
    for seed in range(seeds):
        raw, out = batch / f"raw_{seed}", batch / f"processed_{seed}"
        if seed == 0:
            shutil.copytree(processed, out)
        else:
            _analyse("sample", "--out", str(raw), "--seed", str(2019 + seed))
            _analyse("clean", "--raw", str(raw), "--out", str(out))
        cleaned.append(out)
    notebook_path = ROOT / "notebooks" / f"{notebook}.ipynb"
    jobs = []
    for i in range(municipalities):
        folder = batch / "kommuner" / f"k{i + 1:03d}"
        shutil.copytree(cleaned[i % seeds], folder / "processed")
        jobs.append(ReportJob(notebook_path, {"processed_dir": str(folder / "processed")}, f"k{i + 1:03d}"))
    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40) as cluster:
        up = time.perf_counter()
        results = execute_jobs(jobs, batch / "reports", executor="dask", scheduler=cluster.scheduler_address,
                               progress=False)
        finished = time.perf_counter()
    ok = sum(r.ok for r in results)
    wall = finished - up
    per_report = sum(r.seconds for r in results) / len(results)
    print(f"  klynge startet på {up - started:.1f} s; {ok}/{len(results)} rapporter på {wall:.1f} s")
    print(f"  tid pr. rapport (i en worker): {per_report:.1f} s; gennemløb: {wall / len(results):.2f} s pr. rapport")
    efficiency = per_report * len(results) / (wall * workers)
    print(f"  udnyttelse af {workers} workers: {efficiency:.0%}")
    print("  fremskrivning til 98 kommuner (samme tid pr. rapport og udnyttelse, én kerne pr. worker):")
    for n in (1, 2, 8, 16, 32, 98):
        print(f"    {n:3d} workers: {per_report * 98 / (n * efficiency) / 60:6.1f} min")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="mindre udtræk og færre kommuner")
    parser.add_argument("--rows", type=int, default=None, help="rækker i AS2007-udtrækket (standard 1.000.000)")
    parser.add_argument("--municipalities", type=int, default=None, help="kommuner i landskørslen (standard 98)")
    parser.add_argument("--workers", type=int, default=2, help="Dask-workers (standard 2)")
    parser.add_argument("--variants", type=int, default=4, help="rapportvarianter (standard 4)")
    parser.add_argument("--notebook", default="02_psykiatriens_hus", help="notebook til varianter og landskørsel")
    parser.add_argument("--only", default="clean,build,variants,dask", help="kommasepareret udvalg")
    parser.add_argument("--workdir", default=None, help="arbejdsmappe (beholdes); standard: midlertidig")
    args = parser.parse_args(argv)
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    municipalities = args.municipalities or (8 if args.quick else 98)
    only = set(args.only.split(","))
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="analyse-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"Arbejdsmappe: {work}  (Python {sys.version.split()[0]}, {os.cpu_count()} kerner)")
    try:
        if "clean" in only:
            bench_clean(work, rows)
        processed = None
        if only & {"build", "variants", "dask"}:
            processed = bench_build(work) if "build" in only else _prepare_sample(work)
        if "variants" in only:
            bench_variants(work, processed, args.notebook, args.variants)
        if "dask" in only:
            bench_dask(work, processed, args.notebook, municipalities, args.workers)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _prepare_sample(work: Path) -> Path:
    raw, processed = work / "sample" / "raw", work / "sample" / "processed"
    if not (processed / "indikatorer.csv").exists():
        _analyse("sample", "--out", str(raw))
        _analyse("clean", "--raw", str(raw), "--out", str(processed))
    return processed


if __name__ == "__main__":
    sys.exit(main())
