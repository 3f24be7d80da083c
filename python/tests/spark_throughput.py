"""Throughput of ``maildlp.spark.audit`` on ``local[2]`` against ``maildlp scan --threads 2``.

    python3 python/tests/spark_throughput.py [MESSAGES] [DIR]

Writes the generated archive of tests/archive.py (default 100,000 messages) under DIR (default
/dev/shm/maildlp-spark), scans it with target/release/maildlp on two threads, then audits it on
a local Spark with two cores, writing Parquet as a user would; the Spark session is started
before the clock, so the figure is the job's, not the JVM's start. Prints messages per second
of each and their ratio. Each run is taken twice and the faster kept.
"""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from archive import ROOT, write_archive  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    base = sys.argv[2] if len(sys.argv) > 2 else "/dev/shm/maildlp-spark"
    archive = os.path.join(base, "mail")
    write_archive(archive, count)
    protected = os.path.join(ROOT, "examples", "protected.csv")
    policy = os.path.join(ROOT, "examples", "policy.toml")
    cli = os.path.join(ROOT, "target", "release", "maildlp")

    def run_cli():
        with open(os.path.join(base, "cli.json"), "wb") as out:
            t = time.perf_counter()
            subprocess.run(
                [cli, "scan", "--threads", "2", "--format", "json", "--protected", protected,
                 "--policy", policy, archive],
                stdout=out, check=False,
            )
            return time.perf_counter() - t

    cli_time = min(run_cli() for _ in range(2))

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

    def run_spark():
        out = os.path.join(base, "audit.parquet")
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        df = maildlp.spark.audit(spark, archive, protected_bytes, policy=policy_text)
        df.write.parquet(out)
        return time.perf_counter() - t

    spark_time = min(run_spark() for _ in range(2))
    spark.stop()
    print(f"messages: {count}")
    print(f"maildlp scan --threads 2: {cli_time:.2f} s, {count / cli_time:,.0f} messages/s")
    print(f"spark audit local[2] to Parquet: {spark_time:.2f} s, {count / spark_time:,.0f} messages/s")
    print(f"spark / scan throughput: {cli_time / spark_time:.2f}x")


if __name__ == "__main__":
    main()
