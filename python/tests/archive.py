"""A generated mail archive for the Spark tests and the throughput measurement.

``write_archive(root, count)`` writes ``count`` messages under ``root`` as a real archive is laid
out: mbox files (``mail/*.mbox``, 500 messages each), a Maildir (``maildir/{cur,new}``) and loose
``.eml`` files, a quarter of the messages in each of mbox and Maildir and the rest as ``.eml``,
plus the Outlook data files of ``tests/pst`` (real PST files made by Outlook: their sources
are in tests/pst/SOURCES.md). The messages vary as outgoing mail does: names and addresses of
the sample list (examples/protected.csv) in bodies, subjects and To/Cc, too many visible external recipients,
quoted-printable and base64 bodies, HTML parts, attachments, and clean mail. Deterministic:
the same ``count`` writes the same bytes.
"""

import base64
import os
import random
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

NAMES = ["Jane Doe", "Ravi Patel", "Amara Okafor", "Tomasz Nowak", "Siobhán Kelly", "Li Wei"]
EMAILS = ["jane.doe@example.net", "ravi.patel@example.com", "amara.okafor@example.org"]
PHONES = ["+44 20 7946 0001", "020 7946 0002", "(020) 7946-0005"]
WORDS = (
    "the case review meeting on Tuesday officers statement report update rota training budget "
    "please find attached notes from yesterday thanks regards we will follow up next week"
).split()


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def message(n):
    """The bytes of message ``n`` (CRLF line ends, as they travel)."""
    rng = random.Random(n)
    kind = n % 10
    to = [f"press{n % 7}@paper.example"]
    cc = []
    subject = f"Update {n}: " + _text(rng, 4)
    body = _text(rng, 40) + "\n"
    if kind == 0:
        body += f"Witness {rng.choice(NAMES)} called again.\n"
    elif kind == 1:
        cc = [f"person{n}_{i}@outside{i}.example" for i in range(12)]
    elif kind == 2:
        to.append(rng.choice(EMAILS))
        cc = [rng.choice(EMAILS)]
    elif kind == 3:
        body += f"Call her back on {rng.choice(PHONES)} today.\n"
    elif kind == 4:
        subject = f"About {rng.choice(NAMES)}"
    lines = [
        f"From: officer{n % 13}@police.example",
        "To: " + ", ".join(to),
    ]
    if cc:
        lines.append("Cc: " + ", ".join(cc))
    lines += [
        f"Subject: {subject}" if subject.isascii() else "Subject: =?utf-8?b?"
        + base64.b64encode(subject.encode()).decode() + "?=",
        f"Date: Tue, {1 + n % 28:02d} {['Jan', 'Mar', 'Jun', 'Nov'][n % 4]} 2024 09:{n % 60:02d}:00 +0000",
        f"Message-ID: <{n}@police.example>",
        "MIME-Version: 1.0",
    ]
    variant = (n // 10) % 4
    if variant == 0:
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body]
    elif variant == 1:
        encoded = base64.encodebytes(body.encode()).decode()
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", encoded]
    elif variant == 2:
        html = "<html><body><p>" + body.replace(" ", " <b></b>", 3) + "</p></body></html>"
        lines += [
            'Content-Type: multipart/alternative; boundary="alt"',
            "",
            "--alt",
            "Content-Type: text/plain; charset=utf-8",
            "",
            body,
            "--alt",
            "Content-Type: text/html; charset=utf-8",
            "",
            html,
            "--alt--",
        ]
    else:
        csv = "id,name\n1," + (rng.choice(NAMES) if n % 3 == 0 else "Sam Reid") + "\n"
        lines += [
            'Content-Type: multipart/mixed; boundary="mix"',
            "",
            "--mix",
            "Content-Type: text/plain; charset=utf-8",
            "",
            body,
            "--mix",
            'Content-Type: text/csv; name="list.csv"',
            'Content-Disposition: attachment; filename="list.csv"',
            "Content-Transfer-Encoding: base64",
            "",
            base64.encodebytes(csv.encode()).decode(),
            "--mix--",
        ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _mbox_entry(n, raw):
    # mboxrd: a body line starting with ">*From " gains one more ">".
    out = [f"From officer@police.example Tue Jan  2 09:00:{n % 60:02d} 2024"]
    for line in raw.decode().split("\r\n"):
        stripped = line.lstrip(">")
        out.append(">" + line if stripped.startswith("From ") else line)
    return ("\n".join(out) + "\n").encode()


def write_archive(root, count):
    """Writes the archive; returns the number of messages written outside PST files."""
    if os.path.exists(root):
        shutil.rmtree(root)
    quarter = count // 4
    os.makedirs(os.path.join(root, "mail"))
    for start in range(0, quarter, 500):
        with open(os.path.join(root, "mail", f"box{start // 500:03d}.mbox"), "wb") as f:
            for n in range(start, min(start + 500, quarter)):
                f.write(_mbox_entry(n, message(n)))
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, "maildir", sub))
    for n in range(quarter, 2 * quarter):
        sub = "cur" if n % 2 else "new"
        name = f"{1700000000 + n}.M{n}P1.host" + (":2,S" if sub == "cur" else "")
        with open(os.path.join(root, "maildir", sub, name), "wb") as f:
            f.write(message(n))
    os.makedirs(os.path.join(root, "eml"))
    for n in range(2 * quarter, count):
        with open(os.path.join(root, "eml", f"{n:06d}.eml"), "wb") as f:
            f.write(message(n))
    pst = os.path.join(ROOT, "tests", "pst")
    if os.path.isdir(pst):
        os.makedirs(os.path.join(root, "pst"))
        for name in sorted(os.listdir(pst)):
            if name.lower().endswith((".pst", ".ost")):
                shutil.copy(os.path.join(pst, name), os.path.join(root, "pst", name))
    return count
