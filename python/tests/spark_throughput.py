"""Throughput of ``maildlp.spark.audit`` and ``maildlp.spark.write_audit`` on ``local[2]``
against ``maildlp scan --threads 2``.

    python3 python/tests/spark_throughput.py [MESSAGES] [DIR]

Writes the generated archive of tests/archive.py (default 100,000 messages) under DIR (default
/dev/shm/maildlp-spark), scans it with target/release/maildlp on two threads (as it is, and with
``--details``, which reads the date, sender, subject and domains the audit's rows carry too),
then audits it on a local Spark with two cores, writing Parquet as a user would, and once more
to Spark's ``noop`` sink (the rows made, nothing written: what Parquet costs is the
difference), then writes it with ``write_audit`` (Parquet written by the Python workers). The
Spark session is started, and each job run WARMUP times to warm the JVM and the Python workers
up, before the clock: the JVM compiles Spark's and Parquet's code over the
first few jobs (its CPU time on a job falls by half or more from the first job to the fourth),
and the figure is the job's steady throughput, as on a cluster that has run a while, not the
JVM's start; the JVM's CPU time on each warm-up job is printed. Each run is taken three times,
in turn with the others (the command line's too, so that another process busy for a while slows
them alike), and the fastest kept; so is the audit of a single message, the cost of a job however few its
messages. Prints, for each, the wall time, the CPU time of every process it ran on (the
command line; the JVM and its Python workers), messages per second, the time the driver takes
to list the files before a job over local files starts, and the ratios of the audit's
throughput to the command line's.
"""

import os
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from archive import ROOT, write_archive  # noqa: E402

RUNS = 3
WARMUP = 3


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(root):
    """CPU seconds of process ``root``'s descendants now alive, with the children they reaped,
    by program name (``java``, ``python3``)."""
    parents = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                name, fields = f.read().split("(", 1)[1].rsplit(")", 1)
        except OSError:
            continue
        fields = fields.split()
        parents[int(pid)] = (int(fields[1]), name, sum(int(x) for x in fields[11:15]))
    total, stack = {}, [root]
    while stack:
        parent = stack.pop()
        for pid, (ppid, name, ticks) in parents.items():
            if ppid == parent:
                total[name] = total.get(name, 0) + ticks / os.sysconf("SC_CLK_TCK")
                stack.append(pid)
    return total


def timed(f):
    """Wall seconds ``f()`` takes."""
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def best(*runs):
    """The fastest of RUNS runs of each of ``runs`` (each returns wall and CPU seconds, and what
    else it measured), taken in turn (one of each, then again) so that another process busy for
    a while slows them alike."""
    results = [[] for _ in runs]
    for _ in range(RUNS):
        for run, result in zip(runs, results):
            result.append(run())
    return [min(result, key=lambda r: r[0]) for result in results]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    base = sys.argv[2] if len(sys.argv) > 2 else "/dev/shm/maildlp-spark"
    archive = os.path.join(base, "mail")
    write_archive(archive, count)
    load = os.getloadavg()
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(archive) for f in fs)
    protected = os.path.join(ROOT, "examples", "protected.csv")
    policy = os.path.join(ROOT, "examples", "policy.toml")
    cli = os.path.join(ROOT, "target", "release", "maildlp")

    def run_cli(*extra):
        def run():
            with open(os.path.join(base, "cli.json"), "wb") as out:
                cpu, t = children_cpu(), time.perf_counter()
                subprocess.run(
                    [cli, "scan", "--threads", "2", "--format", "json", *extra, "--protected", protected,
                     "--policy", policy, archive],
                    stdout=out, check=False,
                )
                return time.perf_counter() - t, children_cpu() - cpu, {}

        return run


    from pyspark.sql import SparkSession

    import maildlp.spark

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    with open(protected, "rb") as f:
        protected_bytes = f.read()
    with open(policy) as f:
        policy_text = f.read()

    def run_spark(paths=archive, sink="parquet"):
        def run():
            out = os.path.join(base, "audit.parquet")
            shutil.rmtree(out, ignore_errors=True)
            cpu, t = tree_cpu(os.getpid()), time.perf_counter()
            start = time.process_time()
            if sink == "write_audit":
                maildlp.spark.write_audit(spark, paths, protected_bytes, out, policy=policy_text)
            else:
                df = maildlp.spark.audit(spark, paths, protected_bytes, policy=policy_text)
            if sink == "parquet":
                df.write.parquet(out)
            elif sink == "noop":
                df.write.format("noop").mode("overwrite").save()
            wall = time.perf_counter() - t
            after = tree_cpu(os.getpid())
            split = {name: after[name] - cpu.get(name, 0) for name in after}
            split["driver"] = time.process_time() - start
            return wall, sum(split.values()), split

        return run

    # The JVM's code compiled and the Python workers started: not timed.
    warmup = [run_spark()()[2].get("java", 0) for _ in range(WARMUP)]
    for _ in range(WARMUP):
        run_spark(sink="write_audit")()
    (
        (cli_time, cli_cpu, _),
        (details_time, details_cpu, _),
        (spark_time, spark_cpu, spark_split),
        (noop_time, noop_cpu, noop_split),
        (write_time, write_cpu, write_split),
    ) = best(run_cli(), run_cli("--details"), run_spark(), run_spark(sink="noop"), run_spark(sink="write_audit"))
    # What any audit costs however few its messages: the job over a single message.
    one = os.path.join(ROOT, "examples", "messages", "incident-bcc.eml")
    (floor_time, floor_cpu, floor_split), (write_floor_time, write_floor_cpu, write_floor_split) = best(
        run_spark(one), run_spark(one, sink="write_audit")
    )
    spark.stop()
    # What the driver does before a job over local files starts: list them and read their sizes.
    from maildlp import _native

    listing = min(timed(lambda: _native.plan_files([archive], 2)) for _ in range(RUNS))

    def line(what, wall, cpu):
        print(f"{what}: {wall:.2f} s ({count / wall:,.0f} messages/s), CPU {cpu:.2f} s ({count / cpu:,.0f} messages/CPU-s)")

    def split(cpu):
        return ", ".join(f"{name} {s:.2f}" for name, s in sorted(cpu.items()) if s >= 0.005)

    print(f"messages: {count} ({size / 1e6:.0f} MB, and the 18 of the PST files)")
    line("maildlp scan --threads 2", cli_time, cli_cpu)
    line("maildlp scan --threads 2 --details", details_time, details_cpu)
    line("spark audit local[2] to Parquet", spark_time, spark_cpu)
    print(f"  CPU by process (s): {split(spark_split)}")
    print(f"  JVM CPU of the {WARMUP} warm-up jobs before (s): " + ", ".join(f"{s:.2f}" for s in warmup))
    line("spark audit local[2] to noop (rows made, not written)", noop_time, noop_cpu)
    print(f"  CPU by process (s): {split(noop_split)}")
    line("spark write_audit local[2] (Parquet written by the workers)", write_time, write_cpu)
    print(f"  CPU by process (s): {split(write_split)}")
    print(f"driver listing (the files and their sizes, before the job): {listing:.2f} s")
    print(f"spark audit of one message (the job's fixed cost): {floor_time:.2f} s, CPU {floor_cpu:.2f} s ({split(floor_split)})")
    print(f"spark write_audit of one message: {write_floor_time:.2f} s, CPU {write_floor_cpu:.2f} s ({split(write_floor_split)})")
    print(f"spark / scan throughput: {cli_time / spark_time:.2f}x (CPU: {cli_cpu / spark_cpu:.2f}x)")
    print(f"spark / scan --details throughput: {details_time / spark_time:.2f}x (CPU: {details_cpu / spark_cpu:.2f}x)")
    print(f"write_audit / scan throughput: {cli_time / write_time:.2f}x (CPU: {cli_cpu / write_cpu:.2f}x)")
    print(f"write_audit / scan --details throughput: {details_time / write_time:.2f}x (CPU: {details_cpu / write_cpu:.2f}x)")
    print("load average before and after: " + ", ".join(f"{x:.2f}" for x in load) + " / "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
