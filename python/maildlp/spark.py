"""Audit a whole mail archive on Spark: one row per finding, one per message allowed clean,
each with its message's date, sender, subject and external recipient domains (masked), which
``maildlp report`` draws its months, senders and domains from.

    from pyspark.sql import SparkSession
    import maildlp.spark

    spark = SparkSession.builder.getOrCreate()
    findings = maildlp.spark.audit(spark, ["hdfs:///exports/2024/"], open("protected.csv", "rb").read())
    findings.write.parquet("hdfs:///audits/2024.parquet")

Files are listed with Spark's ``binaryFile`` source on any Hadoop-compatible path (directories
read recursively: ``.eml`` files, Maildir folders, mbox files), split into messages on the
executors (an mbox's messages are ``PATH#N``, as ``maildlp scan`` names them), and scanned
there. Local files (``file:`` paths) are read by the executors themselves; files of other
filesystems come as bytes from ``binaryFile``, which holds a whole file in memory and takes
files under 2 GiB. The list, policy and key travel to the executors as bytes; each Python worker compiles
one scanner and keeps it for every partition it is given.
"""

import json
import os

import maildlp

#: The columns of the DataFrame ``audit`` returns.
SCHEMA = (
    "source string, verdict string, rule string, severity string, record string, "
    "field string, location string, date string, sender string, subject string, "
    "domains array<string>"
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


def rows_of(source, report, details=None):
    """The rows of one message's report: one per finding, or one with no rule when it has none.

    ``details`` is what ``Scanner.details`` gives (or a ``maildlp scan --details`` line, which
    holds the same keys): its date, sender, subject and domains go on every row of the message.
    """
    details = details or {}
    tail = (details.get("date"), details.get("from"), details.get("subject"), list(details.get("domains") or []))
    findings = report.get("findings") or []
    if not findings:
        return [(source, report["verdict"], None, None, None, None, None, *tail)]
    return [
        (
            source,
            report["verdict"],
            f.get("rule"),
            f.get("severity"),
            f.get("record"),
            f.get("field"),
            json.dumps(f["location"], sort_keys=True) if "location" in f else None,
            *tail,
        )
        for f in findings
    ]


def audit(spark, paths, protected, policy=None, key=None, read="auto"):
    """Scans every message under ``paths`` and returns a DataFrame of ``SCHEMA``.

    ``protected`` is the list file's content (CSV, or a sealed list with ``key``), ``policy``
    TOML text or None; each as str or bytes. ``paths`` is a path or a list of them. ``read``:
    ``"auto"`` reads local files on the workers and others through Spark's ``binaryFile``
    source; ``"spark"`` reads every file through ``binaryFile``.
    """
    if read not in ("auto", "spark"):
        raise ValueError(f'read must be "auto" or "spark", not {read!r}')
    protected, policy, key = _bytes(protected), _bytes(policy), _bytes(key)
    # Refused here, on the driver, with the list's line, rather than on every executor.
    maildlp.Scanner(protected, policy=policy, key=key)
    if isinstance(paths, str):
        paths = [paths]
    paths = list(paths)
    tasks = 3 * spark.sparkContext.defaultParallelism
    if read == "auto" and all(_is_local(spark, p) for p in paths):
        # Local files: listed here as ``maildlp scan`` lists them and read by the workers
        # themselves (the bytes never pass through the JVM, and Hadoop's listing, slow for many
        # small files, is not needed).
        names = [name for p in paths for name in local_files(local_path(p))]
        if not names:
            return spark.createDataFrame([], SCHEMA)
        work = spark.sparkContext.parallelize(names, min(tasks, len(names)))

        def messages(name):
            return maildlp.read_messages(name)

    else:
        files = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(paths)
            .select("path", "content")
        )
        # Spark makes a partition of every few small files (an .eml or Maildir message each),
        # and a task costs far more than scanning its files: a few partitions per core.
        if files.rdd.getNumPartitions() > tasks:
            files = files.coalesce(tasks)
        work = files.rdd

        def messages(row):
            return maildlp.split_messages(local_path(row.path), bytes(row.content))

    def scan_partition(items):
        scanner = _scanner(protected, policy, key)
        for item in items:
            for source, message in messages(item):
                yield from rows_of(source, scanner.scan(message), scanner.details(message))

    return spark.createDataFrame(work.mapPartitions(scan_partition), SCHEMA, verifySchema=False)


def local_files(path):
    """The files under a local ``path`` in the order ``maildlp scan`` reads them: names sorted,
    names starting with a dot left out, links to files followed and links to directories not."""
    if not os.path.isdir(path) or os.path.islink(path):
        return [path]
    out = []
    for name in sorted(os.listdir(path)):
        if name.startswith("."):
            continue
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            out.extend(local_files(full))
        elif os.path.isfile(full):
            out.append(full)
    return out


def _is_local(spark, path):
    """Whether ``path`` names the local filesystem (``file:``, or no scheme where the default
    filesystem is the local one)."""
    if path.startswith("file:"):
        return True
    if "://" in path or (":" in path.split("/", 1)[0]):
        return False
    default = spark.sparkContext._jsc.hadoopConfiguration().get("fs.defaultFS") or "file:///"
    return default.startswith("file:")
