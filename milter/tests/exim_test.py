#!/usr/bin/env python3
"""exim-maildlp.so inside a real Exim, through ${dlfunc}, on loopback.

A throwaway Exim daemon (Debian's exim4-daemon-heavy binary, which has Expand_dlfunc) runs
without privilege on 127.0.0.1 with a configuration of its own: every address is local and
delivered to one Maildir, and acl_smtp_data includes the ACL lines the package ships
(milter/exim-acl-data.conf, /usr/share/maildlp/exim-acl-data.conf when installed). Python's
smtplib sends:

- the incident replica: refused with 550, no identifier in the reply;
- its Bcc twin: delivered to every recipient;
- a message naming another victim: refused;
- a warning (many outsiders, nobody protected): delivered with X-Maildlp-Verdict;
- with the list out of place: deferred (451), and delivered again once it is back;
- a new list: taken by the next connection, no signal needed;
- 1,000 messages over 8 concurrent SMTP sessions: each delivered or refused as expected.

The binaries: MAILDLP_EXIM (default: target/exim/usr/sbin/exim4, which .ci/run unpacks from
Debian's package, or exim4 on the PATH) and MAILDLP_EXIM_SO (default: milter/exim-maildlp.so).
Run as root, Exim runs as Debian-exim (which Debian's binary needs to exist); else as the
caller.

    python3 milter/tests/exim_test.py
"""

import os
import pwd
import shutil
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from email import message_from_bytes

from postfix_test import MSGS, EXAMPLES, MILTER_DIR, ROOT, Checks, envelope, free_port, warn_message

EXIM = os.environ.get("MAILDLP_EXIM") or next(
    (p for p in (os.path.join(ROOT, "target", "exim", "usr", "sbin", "exim4"), shutil.which("exim4")) if p and os.path.exists(p)),
    None)
SO = os.environ.get("MAILDLP_EXIM_SO") or os.path.join(MILTER_DIR, "exim-maildlp.so")
ACL = os.environ.get("MAILDLP_EXIM_ACL") or os.path.join(MILTER_DIR, "exim-acl-data.conf")

CONFIG = """\
# A throwaway Exim: loopback only, every address local, one Maildir.
primary_hostname = maildlp.test
exim_path = {exim}
exim_user = {user}
exim_group = {group}
spool_directory = {tmp}/spool
log_file_path = {tmp}/log/%slog
daemon_smtp_ports = {port}
local_interfaces = 127.0.0.1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
smtp_accept_queue_per_connection = 0
smtp_accept_max = 50
domainlist local_domains = *
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data

MAILDLP_SO = {tmp}/exim-maildlp.so
MAILDLP_LIST = {tmp}/protected.csv
MAILDLP_KEY =
MAILDLP_POLICY = {tmp}/policy.toml

begin acl

acl_check_rcpt:
  accept

acl_check_data:
.include {acl}
  accept

begin routers

sink:
  driver = accept
  transport = sink

begin transports

sink:
  driver = appendfile
  directory = {tmp}/mail
  maildir_format
  envelope_to_add
"""


def protected_values():
    """Every identifier of the example list (names, addresses, phones), for 'never in a reply'."""
    values = []
    for line in open(os.path.join(EXAMPLES, "protected.csv"), encoding="utf-8").read().splitlines()[1:]:
        parts = line.split(",", 2)
        if len(parts) == 3 and parts[1] in ("name", "email", "phone", "term"):
            values.append(parts[2].strip().lower())
    return values


def delivered(tmp):
    """Every message in the Maildir: (Envelope-to, parsed message)."""
    out = []
    new = os.path.join(tmp, "mail", "new")
    for name in sorted(os.listdir(new)) if os.path.isdir(new) else []:
        m = message_from_bytes(open(os.path.join(new, name), "rb").read())
        out.append((m.get("Envelope-to", "").strip(" <>"), m))
    return out


def send_on(s, data, sender, rcpts):
    """(code, reply) on an open session: 250 when accepted."""
    try:
        s.sendmail(sender, rcpts, data)
        return 250, ""
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error.decode("utf-8", "replace")


def send(port, data, sender, rcpts):
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
        return send_on(s, data, sender, rcpts)


def wait_for(predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def main():
    if EXIM is None:
        print("no Exim: set MAILDLP_EXIM or unpack exim4-daemon-heavy into target/exim (.ci/run does)", file=sys.stderr)
        return 2
    features = subprocess.run([EXIM, "-bV"], capture_output=True, text=True).stdout
    if "Expand_dlfunc" not in features:
        print(f"{EXIM} has no ${{dlfunc}} support (exim -bV: no Expand_dlfunc)", file=sys.stderr)
        return 2
    check = Checks()

    account = pwd.getpwnam("Debian-exim") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    tmp = tempfile.mkdtemp(prefix="maildlp-exim-")
    os.chmod(tmp, 0o755)
    for d in ("spool", "log", "mail"):
        os.mkdir(os.path.join(tmp, d))
    shutil.copy(SO, os.path.join(tmp, "exim-maildlp.so"))
    list_path = os.path.join(tmp, "protected.csv")
    shutil.copy(os.path.join(EXAMPLES, "protected.csv"), list_path)
    shutil.copy(os.path.join(EXAMPLES, "policy.toml"), os.path.join(tmp, "policy.toml"))
    port = free_port()
    config = os.path.join(tmp, "exim.conf")
    with open(config, "w") as f:
        f.write(CONFIG.format(exim=EXIM, user=account.pw_name, group=account.pw_gid, tmp=tmp, port=port, acl=ACL))
    for dirpath, dirnames, filenames in os.walk(tmp):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), account.pw_uid, account.pw_gid)
    drop = [] if os.getuid() != 0 else ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups"]
    daemon = subprocess.Popen([*drop, EXIM, "-C", config, "-bdf", "-odf"], stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(tmp, "daemon.err"), "w"))
    mainlog = os.path.join(tmp, "log", "mainlog")
    try:
        if not wait_for(lambda: os.path.exists(mainlog) and "daemon started" in open(mainlog).read()):
            print("Exim did not start:", open(os.path.join(tmp, "daemon.err")).read(), file=sys.stderr)
            return 1

        # The incident: refused, the reply names rules and record ids only.
        sender, victims = envelope(os.path.join(MSGS, "incident-cc.eml"))
        incident = open(os.path.join(MSGS, "incident-cc.eml"), "rb").read()
        code, text = send(port, incident, sender, victims)
        check("the incident is refused with 550", code == 550, f"({code} {text})")
        check("the reply says why", "block; rules=protected-recipient-exposed" in text and "records=V01" in text, text)
        leaked = [v for v in protected_values() if v in text.lower()]
        check("no identifier in the reply", not leaked, f"{leaked}")

        # Its Bcc twin: delivered to every recipient.
        code, text = send(port, open(os.path.join(MSGS, "incident-bcc.eml"), "rb").read(), sender, victims)
        check("the Bcc twin is accepted", code == 250, f"({code} {text})")
        ok = wait_for(lambda: sorted(r for r, _ in delivered(tmp)) == sorted(victims))
        check("the Bcc twin reaches every victim", ok, f"{len(delivered(tmp))} of {len(victims)}")
        check("no verdict header on an allowed message", all(m["X-Maildlp-Verdict"] is None for _, m in delivered(tmp)))

        # A message to one victim naming another.
        code, text = send(port, open(os.path.join(MSGS, "names-another-victim.eml"), "rb").read(), sender,
                          ["jane.doe@example.net"])
        check("a message naming another victim is refused", code == 550 and "protected-identifier" in text, text)

        # A warning: delivered, with the verdict in a header.
        data, rcpts = warn_message()
        code, text = send(port, data, sender, rcpts[:1])
        check("a warning is accepted", code == 250, f"({code} {text})")
        ok = wait_for(lambda: any(r == rcpts[0] for r, _ in delivered(tmp)))
        tagged = [m for r, m in delivered(tmp) if r == rcpts[0]]
        check("a warning is delivered with X-Maildlp-Verdict",
              ok and tagged and tagged[0]["X-Maildlp-Verdict"] == "warn; rules=visible-recipients; records=-",
              f"{tagged[0]['X-Maildlp-Verdict'] if tagged else None}")

        # No list: the message is deferred (451), never let through unscanned; the log says why.
        os.rename(list_path, list_path + ".away")
        code, text = send(port, incident, sender, victims)
        check("without its list Exim defers (451)", code == 451, f"({code} {text})")
        check("the reason is logged", "error; cannot read" in open(mainlog).read())
        os.rename(list_path + ".away", list_path)
        code, _ = send(port, incident, sender, victims)
        check("with the list back the incident is refused again", code == 550)

        # A new list: the next connection reads it.
        original = open(list_path, "rb").read()
        with open(list_path + ".new", "w") as f:
            f.write("id,kind,value\nV99,name,Nobody Listed\n")
        os.rename(list_path + ".new", list_path)
        code, text = send(port, open(os.path.join(MSGS, "names-another-victim.eml"), "rb").read(), sender,
                          ["jane.doe@example.net"])
        check("a new list decides from the next connection on", code == 250, f"({code} {text})")
        with open(list_path + ".new", "wb") as f:
            f.write(original)
        os.rename(list_path + ".new", list_path)

        # 1,000 messages over 8 concurrent sessions: the incident (refused), its Bcc twin and a
        # warning (delivered), each numbered so every one is accounted for.
        before = len(delivered(tmp))
        bcc = open(os.path.join(MSGS, "incident-bcc.eml"), "rb").read()
        kinds = [("block", incident), ("allow", bcc), ("warn", data)]
        results = {}
        lock = threading.Lock()

        def session(worker):
            with smtplib.SMTP("127.0.0.1", port, timeout=300) as s:
                for i in range(worker, 1000, 8):
                    kind, body = kinds[i % 3]
                    numbered = f"X-Load: {i}\r\n".encode() + body
                    code, _ = send_on(s, numbered, sender, [f"load{i}@example.org"])
                    with lock:
                        results[i] = code

        started = time.time()
        threads = [threading.Thread(target=session, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - started
        expected_refused = {i for i in range(1000) if kinds[i % 3][0] == "block"}
        refused = {i for i, c in results.items() if c == 550}
        accepted = {i for i, c in results.items() if c == 250}
        check("load: every message answered", len(results) == 1000, f"{len(results)}")
        check("load: the incident refused each time", refused == expected_refused,
              f"{len(refused)} refused, {len(expected_refused)} expected")
        check("load: the others accepted", accepted == set(range(1000)) - expected_refused, f"{len(accepted)}")
        ok = wait_for(lambda: len(delivered(tmp)) - before >= len(accepted), seconds=300)
        arrived = {}
        for r, m in delivered(tmp):
            if m["X-Load"] is not None:
                arrived[int(m["X-Load"])] = m
        check("load: every accepted message delivered once", ok and set(arrived) == accepted,
              f"{len(arrived)} of {len(accepted)}")
        check("load: the warnings carry their header",
              all((m["X-Maildlp-Verdict"] is not None) == (kinds[i % 3][0] == "warn") for i, m in arrived.items()))
        print(f"exim: 1000 messages over 8 sessions in {elapsed:.1f} s ({len(refused)} refused, {len(accepted)} delivered)")
        # Exim says in its panic log that -C costs it privilege (which it never had here);
        # anything else there (a dlopen or dlfunc failure, say) is a failure.
        panic = os.path.join(tmp, "log", "paniclog")
        panics = [line for line in (open(panic).read().splitlines() if os.path.exists(panic) else [])
                  if line.strip() and "lost privilege for using -C option" not in line]
        check("nothing else in Exim's panic log", not panics, f"{panics[:5]}")
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        if check.failed:
            print(open(mainlog).read()[-3000:] if os.path.exists(mainlog) else "", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"exim: {check.passed} passed, {check.failed} failed")
    return 0 if check.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
