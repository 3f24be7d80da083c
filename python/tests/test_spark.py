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

from archive import ROOT, write_archive

pyspark = pytest.importorskip("pyspark") if os.environ.get("CI") != "true" else __import__("pyspark")

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
def test_audit_holds_exactly_the_command_lines_findings(spark, archive, read):
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


def test_a_bad_list_is_refused_on_the_driver_with_its_line(spark, archive):
    with pytest.raises(maildlp.ListError) as e:
        maildlp.spark.audit(spark, archive, b"id,kind,value\nR1,name,Jane Doe\nR2,planet,Mars\n")
    assert e.value.line == 3
