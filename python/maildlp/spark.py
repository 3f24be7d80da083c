"""Audit a whole mail archive on Spark: one row per finding, one per message allowed clean,
each with its message's date, sender, subject and external recipient domains (masked), which
``maildlp report`` draws its months, senders and domains from.

    from pyspark.sql import SparkSession
    import maildlp.spark

    spark = SparkSession.builder.getOrCreate()
    findings = maildlp.spark.audit(spark, ["hdfs:///exports/2024/"], open("protected.csv", "rb").read())
    findings.write.parquet("hdfs:///audits/2024.parquet")

    # The same Parquet, written by the Python workers themselves (faster): returns the row count.
    maildlp.spark.write_audit(spark, ["hdfs:///exports/2024/"], open("protected.csv", "rb").read(),
                              "hdfs:///audits/2024.parquet", mode="overwrite")

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
    rows come back from the workers as Arrow record batches (``mapInArrow``). To write the
    audit to Parquet, ``write_audit`` does it faster.
    """
    plan = _plan(spark, paths, protected, policy, key, read)
    if plan is None:
        return spark.createDataFrame([], SCHEMA)
    files, record_batches = plan
    return files.mapInArrow(record_batches, SCHEMA)


def write_audit(spark, paths, protected, out, policy=None, key=None, read="auto", mode="errorifexists"):
    """Scans every message under ``paths`` as ``audit`` does and writes its rows to a Parquet
    dataset at ``out``; returns the number of rows written.

    ``spark.read.parquet(out)`` gives the schema and the rows of ``audit(...)``. Each task's
    Python worker writes its rows itself, with PyArrow's Parquet writer, from the Arrow record
    batches ``audit`` hands the JVM (which carries back only a count): a file
    ``part-NNNNN.parquet`` per task, written under ``out/_temporary/`` and renamed when whole,
    so a task Spark runs again replaces its file rather than adding one; ``_temporary`` is
    removed and ``_SUCCESS`` written when every task is done.

    ``out`` is a local path, or a URI of any filesystem PyArrow opens
    (``pyarrow.fs.FileSystem.from_uri``: ``file://``, ``hdfs://``, ``s3://``, ``gs://``, ...),
    which the driver and every worker must be able to open (libhdfs, credentials); a path with
    no scheme is on Spark's default filesystem. A URI PyArrow cannot open (``s3a://``, say) is
    written by Spark: ``audit(...).write.mode(mode).parquet(out)``. ``mode``:
    ``"errorifexists"`` (or ``"error"``, the default) refuses an ``out`` that exists and is not
    an empty directory (``FileExistsError``); ``"overwrite"`` removes what is there first.
    The other arguments are ``audit``'s.
    """
    if mode not in ("error", "errorifexists", "overwrite"):
        raise ValueError(f'mode must be "errorifexists" or "overwrite", not {mode!r}')
    # ``read`` (and the list) are checked by ``_plan`` before anything is written.
    uri = _output_uri(spark, out)
    try:
        fs, base = _filesystem(uri)
    except (ValueError, NotImplementedError, OSError):
        # A scheme PyArrow has no filesystem for (or one it cannot load here): Spark's writer.
        return _write_with_spark(spark, paths, protected, out, policy, key, read, mode)
    # The list is checked (and refused with its line) before anything is written or removed.
    plan = _plan(spark, paths, protected, policy, key, read)
    _prepare(fs, base, mode)
    try:
        if plan is None:
            rows = 0
            _write_part(fs, base, 0, 0, iter(()))
        else:
            files, record_batches = plan

            def write(input_batches):
                import pyarrow
                from pyspark import TaskContext

                context = TaskContext.get()
                written = _write_part(
                    *_filesystem(uri), context.partitionId(), context.attemptNumber(), record_batches(input_batches)
                )
                yield pyarrow.RecordBatch.from_arrays([pyarrow.array([written], pyarrow.int64())], names=["rows"])

            rows = sum(r[0] for r in files.mapInArrow(write, "rows long").collect())
        fs.delete_dir(_join(base, _TEMPORARY))
        with fs.open_output_stream(_join(base, "_SUCCESS")):
            pass
    except BaseException:
        # Nothing of a job that failed stays: ``out`` was empty before it.
        fs.delete_dir_contents(base, missing_dir_ok=True)
        raise
    return rows


def _plan(spark, paths, protected, policy, key, read):
    """The DataFrame of the files to scan, one row per task's worth, and the function turning
    its Arrow record batches into the audit's; None when there are no files."""
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
            return None
        # The lists travel as one broadcast blob (read once per worker), the tasks as their
        # numbers: a DataFrame of the names themselves costs the JVM a row and an object per
        # name.
        shared = spark.sparkContext.broadcast(lists)
        files = spark.range(len(lists), numPartitions=len(lists))

        def batches(scanner, batch):
            for task in batch.column(0).to_pylist():
                yield _native.audit_files(scanner, [os.fsdecode(n) for n in shared.value[task]], rows_per_batch)

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

    def record_batches(input_batches):
        import pyarrow

        scanner = _scanner(protected, policy, key)
        for batch in input_batches:
            for native in batches(scanner, batch):
                for columns in native:
                    yield _record_batch(pyarrow, columns)

    return files, record_batches


# Where tasks write their files until they are whole, under the output directory.
_TEMPORARY = "_temporary"


def _join(base, name):
    return base.rstrip("/") + "/" + name


def _filesystem(uri):
    """PyArrow's filesystem of ``uri`` and the path on it."""
    import pyarrow.fs

    return pyarrow.fs.FileSystem.from_uri(uri)


def _output_uri(spark, out):
    """``out`` as a path or URI PyArrow opens: a local path made absolute, a path with no
    scheme on a default filesystem that is not local qualified with it (as Spark would)."""
    if _is_local(spark, out):
        return os.path.abspath(local_path(out))
    if "://" in out or ":" in out.split("/", 1)[0]:
        return out
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(out)
    return str(path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).makeQualified(path).toString())


def _prepare(fs, base, mode):
    """``out`` made an empty directory, or refused when it holds something (unless
    ``mode="overwrite"``)."""
    import pyarrow.fs

    info = fs.get_file_info(base)
    if info.type == pyarrow.fs.FileType.File:
        if mode != "overwrite":
            raise FileExistsError(f"{base} already exists")
        fs.delete_file(base)
    elif info.type == pyarrow.fs.FileType.Directory:
        if fs.get_file_info(pyarrow.fs.FileSelector(base)):
            if mode != "overwrite":
                raise FileExistsError(f"{base} already exists and is not empty")
            fs.delete_dir_contents(base)
    fs.create_dir(base)


def _write_part(fs, base, partition, attempt, batches):
    """Writes ``batches`` as the task's Parquet file ``part-NNNNN.parquet`` of ``base``, first
    under a name of its own in ``_temporary`` then renamed; returns the number of rows."""
    import uuid

    import pyarrow
    import pyarrow.parquet

    name = f"part-{partition:05d}.parquet"
    temporary = _join(_join(base, _TEMPORARY), f"{partition:05d}-{attempt}-{uuid.uuid4().hex}-{name}")
    fs.create_dir(_join(base, _TEMPORARY))
    rows = 0
    try:
        with fs.open_output_stream(temporary) as stream:
            with pyarrow.parquet.ParquetWriter(stream, arrow_schema(pyarrow)) as writer:
                for batch in batches:
                    writer.write_batch(batch)
                    rows += batch.num_rows
        # Replaces the file of an attempt of the same task that got this far: the same rows.
        fs.move(temporary, _join(base, name))
    except BaseException:
        try:
            fs.delete_file(temporary)
        except OSError:
            pass
        raise
    return rows


def _write_with_spark(spark, paths, protected, out, policy, key, read, mode):
    audit(spark, paths, protected, policy=policy, key=key, read=read).write.mode(
        "overwrite" if mode == "overwrite" else "errorifexists"
    ).parquet(out)
    return spark.read.parquet(out).count()


def arrow_schema(pa):
    """The Arrow schema of the audit's record batches and of the Parquet files ``write_audit``
    writes (``pa`` is the ``pyarrow`` module)."""
    return pa.schema([(c, pa.string()) for c in COLUMNS[:-1]] + [(COLUMNS[-1], pa.list_(pa.string()))])


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
