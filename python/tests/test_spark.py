"""``maildlp.spark.audit`` on a real local Spark (``local[2]``) against the command line.

A generated archive of 20,000 messages (mbox, Maildir and ``.eml``) with the repository's
Outlook-made PST files beside them (tests/archive.py) is audited on Spark; the DataFrame must hold exactly
the rows ``maildlp scan --format json`` gives for the same files, turned into rows the same way.
Needs pyspark and Java; under CI=true a missing one fails rather than skips.
"""

import json
import os
import subprocess

import pytest

import maildlp
from maildlp import _native

from archive import ROOT, write_archive

if os.environ.get("CI") != "true":
    pyspark = pytest.importorskip("pyspark")
    pa = pytest.importorskip("pyarrow")
else:
    import pyarrow as pa
    import pyspark  # noqa: F401

import pyarrow.parquet  # noqa: E402, F401  (pa.parquet)

import maildlp.spark  # noqa: E402  (after pyspark: the module is only for Spark users)

EXAMPLES = os.path.join(ROOT, "examples")
CLI = os.path.join(ROOT, "target", "release", "maildlp")
COUNT = 20_000


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("maildlp-audit-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("archive") / "mail")
    write_archive(root, COUNT)
    return root


def cli_rows(*args):
    if not os.path.exists(CLI):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CLI} is missing: run the README's first command")
        pytest.skip(f"{CLI} is missing")
    out = subprocess.run([CLI, "scan", "--format", "json", "--details", *args], capture_output=True, check=False)
    assert out.returncode in (0, 1), out.stderr.decode()
    rows = []
    for line in out.stdout.decode().splitlines():
        obj = json.loads(line)
        rows += maildlp.spark.rows_of(obj.pop("source"), obj, obj)
    return rows


@pytest.mark.parametrize("read", ["auto", "spark"])
def test_audit_holds_exactly_the_command_lines_findings(spark, archive, read, tmp_path):
    protected = os.path.join(EXAMPLES, "protected.csv")
    policy = os.path.join(EXAMPLES, "policy.toml")
    with open(protected, "rb") as f:
        protected_bytes = f.read()
    with open(policy) as f:
        policy_text = f.read()
    # "auto": the workers read the local files; "spark": the bytes come from binaryFile, as
    # for files on HDFS or S3.
    df = maildlp.spark.audit(spark, archive, protected_bytes, policy=policy_text, read=read)
    assert df.columns == [
        "source", "verdict", "rule", "severity", "record", "field", "location",
        "date", "sender", "subject", "domains",
    ]
    got = sorted((tuple(r) for r in df.collect()), key=repr)
    want = sorted((tuple(r) for r in cli_rows("--protected", protected, "--policy", policy, archive)), key=repr)
    if read == "spark":
        # binaryFile names local files file:PATH; the rows name them as maildlp scan does.
        assert all(not r[0].startswith("file:") for r in got)
    assert got == want
    # The archive is what it claims to be: every message read, every kind of finding there.
    sources = {r[0] for r in got}
    assert len([s for s in sources if ".pst#" not in s]) == COUNT
    assert any(".mbox#" in s for s in sources)
    # The 18 messages of the seven Outlook-made PST files, read on the workers.
    assert len([s for s in sources if ".pst#" in s]) == 18
    assert any("/maildir/cur/" in s for s in sources) and any("/maildir/new/" in s for s in sources)
    rules = {r[2] for r in got}
    assert {"protected-identifier", "protected-recipient-exposed", "visible-recipients", None} <= rules
    verdicts = {r[1] for r in got}
    assert verdicts == {"allow", "warn", "block"}
    # Every message has its date and sender; subjects naming a protected person are masked.
    assert all(r[7] and r[7].startswith("2024-") and r[8] for r in got if ".pst#" not in r[0])
    assert any(r[9].startswith("About ") and "*" in r[9] for r in got)
    assert not any("Jane Doe" in (r[9] or "") for r in got)
    assert any("paper.example" in r[10] for r in got)
    # write_audit writes the same rows, with the DataFrame's schema, a file per task.
    out = str(tmp_path / "audit.parquet")
    assert maildlp.spark.write_audit(spark, archive, protected_bytes, out, policy=policy_text, read=read) == len(want)
    written = spark.read.parquet(out)
    assert written.schema == df.schema
    assert sorted((tuple(r) for r in written.collect()), key=repr) == want
    assert sorted(os.listdir(out)) == ["_SUCCESS", "part-00000.parquet", "part-00001.parquet"]


def examples_config():
    with open(os.path.join(EXAMPLES, "protected.csv"), "rb") as f:
        protected = f.read()
    with open(os.path.join(EXAMPLES, "policy.toml")) as f:
        policy = f.read()
    return protected, policy


def sorted_rows(df):
    return sorted((tuple(r) for r in df.collect()), key=repr)


def test_write_audit_refuses_an_output_that_holds_something_unless_told_to_overwrite(spark, tmp_path):
    protected, policy = examples_config()
    messages = os.path.join(EXAMPLES, "messages")
    want = sorted_rows(maildlp.spark.audit(spark, messages, protected, policy=policy))
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.parquet").write_bytes(b"not this")
    with pytest.raises(FileExistsError):
        maildlp.spark.write_audit(spark, messages, protected, str(out), policy=policy)
    assert os.listdir(out) == ["old.parquet"]
    # A URI of PyArrow's as well as a path.
    n = maildlp.spark.write_audit(spark, messages, protected, "file://" + str(out), policy=policy, mode="overwrite")
    assert n == len(want)
    assert "old.parquet" not in os.listdir(out) and "_temporary" not in os.listdir(out)
    assert sorted_rows(spark.read.parquet(str(out))) == want
    # A file where the directory would be is refused too; an empty directory is taken.
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(FileExistsError):
        maildlp.spark.write_audit(spark, messages, protected, str(tmp_path / "file"), policy=policy)
    (tmp_path / "empty").mkdir()
    assert maildlp.spark.write_audit(spark, messages, protected, str(tmp_path / "empty"), policy=policy) == n
    with pytest.raises(ValueError, match="mode"):
        maildlp.spark.write_audit(spark, messages, protected, str(tmp_path / "x"), mode="append")
    # A bad list is refused before anything is written or removed.
    with pytest.raises(maildlp.ListError):
        maildlp.spark.write_audit(spark, messages, b"id,kind,value\nR2,planet,Mars\n", str(out), mode="overwrite")
    assert sorted_rows(spark.read.parquet(str(out))) == want


def test_write_audit_of_no_messages_writes_the_schema(spark, tmp_path):
    protected, policy = examples_config()
    (tmp_path / "none").mkdir()
    out = str(tmp_path / "out")
    assert maildlp.spark.write_audit(spark, str(tmp_path / "none"), protected, out, policy=policy) == 0
    written = spark.read.parquet(out)
    assert written.columns == maildlp.spark.COLUMNS and written.count() == 0
    assert written.schema == maildlp.spark.audit(spark, os.path.join(EXAMPLES, "messages"), protected).schema


def test_a_write_audit_that_fails_leaves_its_output_empty(spark, tmp_path, monkeypatch):
    protected, policy = examples_config()
    messages = os.path.join(EXAMPLES, "messages")
    planned = _native.plan_files([messages], 2)
    # A file listed on the driver that a worker cannot open: its task, and so the job, fails.
    planned[1].append(os.fsencode(str(tmp_path / "gone.eml")))
    monkeypatch.setattr(maildlp.spark._native, "plan_files", lambda paths, tasks: planned)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception, match="gone.eml"):
        maildlp.spark.write_audit(spark, messages, protected, str(out), policy=policy)
    assert os.listdir(out) == []


def test_write_audit_falls_back_to_sparks_writer_where_pyarrow_has_no_filesystem(spark, tmp_path, monkeypatch):
    protected, policy = examples_config()
    messages = os.path.join(EXAMPLES, "messages")
    want = sorted_rows(maildlp.spark.audit(spark, messages, protected, policy=policy))

    def unknown(uri):
        raise pa.ArrowInvalid(f"Unrecognized filesystem type in URI: {uri}")

    monkeypatch.setattr(maildlp.spark, "_filesystem", unknown)
    out = str(tmp_path / "out")
    assert maildlp.spark.write_audit(spark, messages, protected, out, policy=policy) == len(want)
    assert sorted_rows(spark.read.parquet(out)) == want
    # Written by Spark's own writer, which refuses an existing output as Spark does.
    assert any(name.endswith(".snappy.parquet") for name in os.listdir(out))
    with pytest.raises(Exception, match="already exists|PATH_ALREADY_EXISTS"):
        maildlp.spark.write_audit(spark, messages, protected, out, policy=policy)
    assert maildlp.spark.write_audit(spark, messages, protected, out, policy=policy, mode="overwrite") == len(want)


def test_a_task_run_again_replaces_its_file_and_one_that_fails_leaves_none(tmp_path):
    import pyarrow.fs

    scanner = scanner_of_examples()
    files = maildlp.spark.local_files(os.path.join(EXAMPLES, "messages"))
    batches = list(maildlp.spark._record_batch(pa, c) for c in _native.audit_files(scanner, files, 7))
    rows = sum(b.num_rows for b in batches)
    fs, base = pyarrow.fs.LocalFileSystem(), str(tmp_path)
    assert maildlp.spark._write_part(fs, base, 3, 0, iter(batches)) == rows
    # Spark runs the task again (its first attempt was lost after the rename, say).
    assert maildlp.spark._write_part(fs, base, 3, 1, iter(batches)) == rows

    def failing():
        yield batches[0]
        raise OSError("the worker's disk is full")

    with pytest.raises(OSError, match="disk is full"):
        maildlp.spark._write_part(fs, base, 4, 0, failing())
    assert sorted(os.listdir(base)) == ["_temporary", "part-00003.parquet"]
    assert os.listdir(tmp_path / "_temporary") == []
    table = pa.parquet.read_table(str(tmp_path / "part-00003.parquet"))
    assert table.schema == maildlp.spark.arrow_schema(pa) and table.num_rows == rows
    assert table.to_batches() and pa.Table.from_batches(batches).equals(table)


def test_a_bad_list_is_refused_on_the_driver_with_its_line(spark, archive):
    with pytest.raises(maildlp.ListError) as e:
        maildlp.spark.audit(spark, archive, b"id,kind,value\nR1,name,Jane Doe\nR2,planet,Mars\n")
    assert e.value.line == 3


# A message whose findings have locations with an attachment's name outside ASCII, quotes and
# a tab in it (the location column is JSON text written as Python's json.dumps writes it), and
# messages with no date, sender or external domain (null and empty cells).
ODD = [
    (
        "From: desk@police.example\r\nTo: a@paper.example, b@other.example\r\n"
        "Subject: =?utf-8?b?w5xiZXJzaWNodCBKYW5lIERvZQ==?=\r\nDate: Tue, 2 Jan 2024 09:00:00 +0100\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nRavi Patel again \u2013 see the list.\r\n"
        "--b\r\nContent-Type: text/csv\r\n"
        "Content-Disposition: attachment; filename*=utf-8''%C3%9Cbersicht%20%22Q1%22%09%F0%9F%93%8E.csv\r\n\r\n"
        "id,name\r\n1,Jane Doe\r\n--b--\r\n"
    ).encode(),
    b"Subject: nothing\r\n\r\nNo headers to speak of.\r\n",
    b"To: x@police.example\r\nSubject: Amara Okafor\r\n\r\nInternal only.\r\n",
]


def scanner_of_examples():
    with open(os.path.join(EXAMPLES, "protected.csv"), "rb") as f:
        protected = f.read()
    with open(os.path.join(EXAMPLES, "policy.toml")) as f:
        policy = f.read()
    return maildlp.Scanner(protected, policy=policy)


def rows_of_batches(native):
    rows = []
    for columns in native:
        batch = maildlp.spark._record_batch(pa, columns)
        assert batch.schema.names == maildlp.spark.COLUMNS
        rows += [tuple(r.values()) for r in batch.to_pylist()]
    return rows


def test_record_batches_hold_the_rows_of_each_report(tmp_path):
    for n, raw in enumerate(ODD):
        (tmp_path / f"odd{n}.eml").write_bytes(raw)
    scanner = scanner_of_examples()
    want = []
    for source, raw in list(maildlp.read_messages(os.path.join(EXAMPLES, "messages"))) + list(
        maildlp.read_messages(str(tmp_path))
    ):
        want += maildlp.spark.rows_of(source, scanner.scan(raw), scanner.details(raw))
    paths = [os.path.join(EXAMPLES, "messages"), str(tmp_path)]
    files = [f for p in paths for f in maildlp.spark.local_files(p)]
    # Batches of three rows: rows of one message may straddle two batches' worth.
    got = rows_of_batches(_native.audit_files(scanner, files, 3))
    assert got == want
    contents = [
        (f"{p}/{name}", open(os.path.join(p, name), "rb").read()) for p in paths for name in sorted(os.listdir(p))
    ]
    assert rows_of_batches(_native.audit_contents(scanner, contents, 1000)) == want
    # What the odd messages are there for.
    locations = [json.loads(r[6]) for r in got if r[6]]
    assert any(loc.get("name", "").startswith("\u00dc") and '"' in loc["name"] for loc in locations)
    assert any(r[7] is None and r[8] is None and r[10] == [] for r in got)
    assert len({r[0] for r in got}) == len(os.listdir(os.path.join(EXAMPLES, "messages"))) + len(ODD)


def test_an_unreadable_file_is_named(tmp_path):
    scanner = scanner_of_examples()
    with pytest.raises(OSError, match="missing.eml"):
        list(_native.audit_files(scanner, [str(tmp_path / "missing.eml")]))


def test_files_are_listed_as_maildlp_scan_reads_them(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.eml").write_bytes(b"To: a@b.example\r\n\r\nx\r\n")
    (tmp_path / "b" / ".hidden.eml").write_bytes(b"x")
    (tmp_path / "a.eml").write_bytes(b"x" * 10)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "to-file.eml").symlink_to(tmp_path / "a.eml")
    (tmp_path / "c" / "to-dir").symlink_to(tmp_path / "b")
    (tmp_path / "c" / "dangling").symlink_to(tmp_path / "nothing")
    lists = _native.plan_files([str(tmp_path)], 1)
    assert [os.fsdecode(n) for n in lists[0]] == maildlp.spark.local_files(str(tmp_path))
    assert [os.fsdecode(n) for n in lists[0]] == [
        str(tmp_path / "a.eml"),
        str(tmp_path / "b" / "z.eml"),
        str(tmp_path / "c" / "to-file.eml"),
    ]


def test_files_are_dealt_into_lists_of_about_equal_size(archive):
    lists = _native.plan_files([archive], 8)
    assert len(lists) == 8
    lists = [[os.fsdecode(n) for n in names] for names in lists]
    files = maildlp.spark.local_files(archive)
    # Every file once, each list in the order maildlp scan reads them.
    assert sorted(n for names in lists for n in names) == sorted(files)
    order = {name: i for i, name in enumerate(files)}
    assert all([order[n] for n in names] == sorted(order[n] for n in names) for names in lists)
    sizes = [sum(os.path.getsize(n) for n in names) for names in lists]
    largest = max(os.path.getsize(n) for n in files)
    assert max(sizes) - min(sizes) <= largest
    with pytest.raises(FileNotFoundError):
        _native.plan_files([os.path.join(archive, "nothing-here")], 8)
