"""Audit a whole mail archive on Spark: one row per finding, one per message allowed clean.

    from pyspark.sql import SparkSession
    import maildlp.spark

    spark = SparkSession.builder.getOrCreate()
    findings = maildlp.spark.audit(spark, ["hdfs:///exports/2024/"], open("protected.csv", "rb").read())
    findings.write.parquet("hdfs:///audits/2024.parquet")

Files are read with Spark's ``binaryFile`` source from any Hadoop-compatible path (directories
read recursively: ``.eml`` files, Maildir folders, mbox files), split into messages on the
executors (an mbox's messages are ``PATH#N``, as ``maildlp scan`` names them), and scanned
there. The list, policy and key travel to the executors as bytes; each Python worker compiles
one scanner and keeps it for every partition it is given.
"""

import json

import maildlp

#: The columns of the DataFrame ``audit`` returns.
SCHEMA = (
    "source string, verdict string, rule string, severity string, record string, "
    "field string, location string"
)

# One compiled scanner per Python worker process, by the bytes it was compiled from.
_SCANNERS = {}


def _bytes(value):
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return bytes(value)


def _scanner(protected, policy, key):
    config = (protected, policy, key)
    scanner = _SCANNERS.get(config)
    if scanner is None:
        _SCANNERS.clear()
        scanner = maildlp.Scanner(protected, policy=policy, key=key)
        _SCANNERS[config] = scanner
    return scanner


def local_path(uri):
    """A path as ``maildlp scan`` names it: a ``file:`` URI without its scheme."""
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if uri.startswith("file:"):
        return uri[len("file:"):]
    return uri


def rows_of(source, report):
    """The rows of one message's report: one per finding, or one with no rule when it has none."""
    findings = report.get("findings") or []
    if not findings:
        return [(source, report["verdict"], None, None, None, None, None)]
    return [
        (
            source,
            report["verdict"],
            f.get("rule"),
            f.get("severity"),
            f.get("record"),
            f.get("field"),
            json.dumps(f["location"], sort_keys=True) if "location" in f else None,
        )
        for f in findings
    ]


def audit(spark, paths, protected, policy=None, key=None):
    """Scans every message under ``paths`` and returns a DataFrame of ``SCHEMA``.

    ``protected`` is the list file's content (CSV, or a sealed list with ``key``), ``policy``
    TOML text or None; each as str or bytes. ``paths`` is a path or a list of them.
    """
    protected, policy, key = _bytes(protected), _bytes(policy), _bytes(key)
    # Refused here, on the driver, with the list's line, rather than on every executor.
    maildlp.Scanner(protected, policy=policy, key=key)
    if isinstance(paths, str):
        paths = [paths]
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(list(paths))
        .select("path", "content")
    )

    def scan_partition(rows):
        scanner = _scanner(protected, policy, key)
        for row in rows:
            for source, message in maildlp.split_messages(local_path(row.path), bytes(row.content)):
                yield from rows_of(source, scanner.scan(message))

    return files.rdd.mapPartitions(scan_partition).toDF(SCHEMA)
