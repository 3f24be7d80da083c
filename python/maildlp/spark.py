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
from maildlp import _native

#: The columns of the DataFrame ``audit`` returns.
SCHEMA = (
    "source string, verdict string, rule string, severity string, record string, "
    "field string, location string, date string, sender string, subject string, "
    "domains array<string>"
)

#: The names of its columns.
COLUMNS = [c.split(" ", 1)[0] for c in SCHEMA.split(", ")]

# Tasks per core of the cluster (``defaultParallelism``): every task costs the JVM a Parquet
# writer and its pages (measured: 0.4-0.8 CPU-s more for 100,000 messages on four tasks than on
# two), and files dealt by size keep the cores about equally busy.
_TASKS_PER_CORE = 1
# Rows of one Arrow record batch sent back to the JVM, about: the JVM's cost a row falls as
# batches grow (a batch of 65,536 rows is about 20 MB of buffers).
_ROWS_PER_BATCH = 65536
# Bytes of files read through ``binaryFile`` handed to the scanner at once, about.
_BYTES_PER_CALL = 16 << 20

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

    Needs PyArrow and pandas on the driver and the workers (``pip install pyspark[sql]``): the
    rows come back from the workers as Arrow record batches (``mapInArrow``).
    """
    if read not in ("auto", "spark"):
        raise ValueError(f'read must be "auto" or "spark", not {read!r}')
    protected, policy, key = _bytes(protected), _bytes(policy), _bytes(key)
    # Refused here, on the driver, with the list's line, rather than on every executor.
    maildlp.Scanner(protected, policy=policy, key=key)
    if isinstance(paths, str):
        paths = [paths]
    paths = list(paths)
    # One task per core: each costs far more than scanning a small file, and files dealt into
    # lists of about equal size keep the cores busy to the end.
    tasks = _TASKS_PER_CORE * spark.sparkContext.defaultParallelism
    rows_per_batch = _ROWS_PER_BATCH
    if read == "auto" and all(_is_local(spark, p) for p in paths):
        # Local files: listed here as ``maildlp scan`` lists them and read by the workers
        # themselves (the bytes never pass through the JVM, and Hadoop's listing, slow for many
        # small files, is not needed). One row per task: the names of its files, as bytes
        # (a name need not be UTF-8).
        lists = _native.plan_files([local_path(p) for p in paths], tasks)
        if not lists:
            return spark.createDataFrame([], SCHEMA)
        rows = spark.sparkContext.parallelize([(names,) for names in lists], len(lists))
        files = spark.createDataFrame(rows, "paths array<binary>", verifySchema=False)

        def batches(scanner, batch):
            for names in batch.column(0).to_pylist():
                yield _native.audit_files(scanner, [os.fsdecode(n) for n in names], rows_per_batch)

    else:
        files = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(paths)
            .select("path", "content")
        )
        # Spark makes a partition of every few small files (an .eml or Maildir message each),
        # and a task costs far more than scanning its files: one partition per core.
        if files.rdd.getNumPartitions() > tasks:
            files = files.coalesce(tasks)

        def batches(scanner, batch):
            # Files handed to the scanner a few MiB at a time: a batch of Spark's may hold
            # thousands of whole files.
            sources = batch.column(0).to_pylist()
            contents = batch.column(1)
            group, size = [], 0
            for i, source in enumerate(sources):
                content = contents[i].as_py()
                group.append((local_path(source), content))
                size += len(content)
                if size >= _BYTES_PER_CALL:
                    yield _native.audit_contents(scanner, group, rows_per_batch)
                    group, size = [], 0
            if group:
                yield _native.audit_contents(scanner, group, rows_per_batch)

    def scan(input_batches):
        import pyarrow

        scanner = _scanner(protected, policy, key)
        for batch in input_batches:
            for native in batches(scanner, batch):
                for columns in native:
                    yield _record_batch(pyarrow, columns)

    return files.mapInArrow(scan, SCHEMA)


def _record_batch(pa, columns):
    """The Arrow record batch of the buffers ``_native.AuditBatches`` hands out."""
    rows, strings, (domain_offsets, domains) = columns
    arrays = [_strings(pa, column) for column in strings]
    arrays.append(
        pa.Array.from_buffers(
            pa.list_(pa.string()), rows, [None, pa.py_buffer(domain_offsets)], children=[_strings(pa, domains)]
        )
    )
    return pa.RecordBatch.from_arrays(arrays, names=COLUMNS)


def _strings(pa, column):
    length, valid, offsets, data = column
    buffers = [None if valid is None else pa.py_buffer(valid), pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), length, buffers)


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
