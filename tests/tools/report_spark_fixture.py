"""Writes tests/report-spark/: the Spark audit of the report's sample messages as Spark writes it.

    python3 tests/tools/report_spark_fixture.py

Runs ``maildlp.spark.audit`` (the installed ``maildlp`` package: ``pip install ./python``) on a
local Spark (``pip install pyspark``, Java) over ``examples/messages`` and ``tests/report`` with
``examples/protected.csv`` and ``examples/policy.toml``, and writes the DataFrame with
``df.write.json``: part files, ``_SUCCESS`` and checksums, as a user hands them to
``maildlp report``. ``tests/report.rs`` checks that the report of these rows has the totals of
the report of ``maildlp scan --format json`` on the same messages.
"""

import os
import shutil

from pyspark.sql import SparkSession

import maildlp.spark

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "report-spark")


def main():
    spark = SparkSession.builder.master("local[2]").appName("maildlp-report-fixture").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    with open(os.path.join(ROOT, "examples", "protected.csv"), "rb") as f:
        protected = f.read()
    with open(os.path.join(ROOT, "examples", "policy.toml"), "rb") as f:
        policy = f.read()
    paths = [os.path.join(ROOT, "examples", "messages"), os.path.join(ROOT, "tests", "report")]
    df = maildlp.spark.audit(spark, paths, protected, policy=policy)
    shutil.rmtree(OUT, ignore_errors=True)
    df.write.json(OUT)
    spark.stop()


if __name__ == "__main__":
    main()
