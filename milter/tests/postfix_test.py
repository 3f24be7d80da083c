#!/usr/bin/env python3
"""maildlp-milter in front of a real Postfix, on loopback.

A throwaway Postfix instance (its own configuration, queue and data directories under a
temporary directory, smtpd on 127.0.0.1, `smtpd_milters` pointing at the milter,
`milter_default_action = tempfail`) relays everything it accepts to an SMTP sink on 127.0.0.1
(aiosmtpd, in this process), which records what arrived. Python's smtplib sends:

- the incident replica: rejected, 550 5.7.1, no identifier in the reply;
- its Bcc twin: delivered to every recipient;
- a spreadsheet naming victims: rejected;
- a warning (many outsiders, nobody protected): delivered with X-Maildlp-Verdict;
- with `-b bcc`, the incident: delivered to all 18 victims and the officer, no victim's
  address visible in what arrived.

Needs root (Postfix's master runs as root), Debian's postfix package and aiosmtpd.

    python3 milter/tests/postfix_test.py
"""

import io
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from email import message_from_bytes

from aiosmtpd.controller import Controller

HERE = os.path.dirname(os.path.abspath(__file__))
MILTER_DIR = os.path.dirname(HERE)
ROOT = os.path.dirname(MILTER_DIR)
EXAMPLES = os.path.join(ROOT, "examples")
MSGS = os.path.join(EXAMPLES, "messages")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Records every message Postfix relays: envelope and data."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def wait(self, n, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.1)
        with self.lock:
            return list(self.messages)

    def clear(self):
        with self.lock:
            self.messages.clear()


class Postfix:
    def __init__(self, tmp, smtpd_port, sink_port, milter_socket):
        self.etc = os.path.join(tmp, "etc")
        self.log = os.path.join(tmp, "postfix.log")
        data = os.path.join(tmp, "data")
        spool = os.path.join(tmp, "spool")
        for d in (self.etc, data, spool):
            os.makedirs(d)
        shutil.chown(data, "postfix")
        os.chmod(tmp, 0o755)
        with open("/etc/postfix/master.cf") as f, open(os.path.join(self.etc, "master.cf"), "w") as out:
            for line in f:
                fields = line.split()
                if line.startswith("#") or line[:1].isspace() or len(fields) < 8:
                    out.write(line)
                    continue
                if fields[0] == "smtp" and fields[1] == "inet":
                    fields[0] = f"127.0.0.1:{smtpd_port}"
                fields[4] = "n"  # no chroot: the milter socket is outside any jail
                out.write("\t".join(fields) + "\n")
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {spool}
data_directory = {data}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.test.example
mydomain = test.example
myorigin = test.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{sink_port}
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_milters = {milter_socket}
milter_default_action = tempfail
maillog_file = /dev/stdout
syslog_name = postfix-test
""")
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(["postfix", "-c", self.etc, "start-fg"], stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", smtpd_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("postfix did not start:\n" + open(self.log).read())

    def stop(self):
        subprocess.run(["postfix", "-c", self.etc, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.logf.close()


class Milter:
    def __init__(self, tmp, name, *options):
        self.socket = f"unix:{os.path.join(tmp, name + '.sock')}"
        self.log = os.path.join(tmp, name + ".log")
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(
            [os.path.join(MILTER_DIR, "maildlp-milter"), "-f", "-s", self.socket,
             "-l", os.path.join(EXAMPLES, "protected.csv"), "-c", os.path.join(EXAMPLES, "policy.toml"), *options],
            stdout=subprocess.DEVNULL, stderr=self.logf)
        path = self.socket[len("unix:"):]
        deadline = time.time() + 10
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.1)
        # The socket must be usable by Postfix's smtpd (user postfix).
        os.chmod(path, 0o666)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.logf.close()


def envelope(path):
    """Sender and every recipient (To, Cc, Bcc) of a message file."""
    msg = message_from_bytes(open(path, "rb").read())
    from email.utils import getaddresses
    rcpts = [a for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("Bcc", [])) if a]
    sender = getaddresses(msg.get_all("From", []))[0][1]
    return sender, rcpts


def send(port, path_or_bytes, sender=None, rcpts=None):
    """Sends; returns (code, reply text) of the refusal, or (250, '') when accepted."""
    data = open(path_or_bytes, "rb").read() if isinstance(path_or_bytes, str) else path_or_bytes
    if sender is None:
        sender, rcpts = envelope(path_or_bytes)
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        try:
            s.sendmail(sender, rcpts, data)
            return 250, ""
        except smtplib.SMTPDataError as e:
            return e.smtp_code, e.smtp_error.decode("utf-8", "replace")
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            return code, text.decode("utf-8", "replace")


def spreadsheet_message():
    """A message to the press with an XLSX listing two victims (inline strings)."""
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>Jane Doe</t></is></c></row>'
             '<row r="3" hidden="1"><c r="A3" t="inlineStr"><is><t>Ravi Patel</t></is></c></row>'
             '</sheetData></worksheet>')
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": '<workbook xmlns:r="r"><sheets><sheet name="Victims" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    from email.message import EmailMessage
    m = EmailMessage()
    m["From"] = "sam.reid@police.example"
    m["To"] = "desk@paper.example"
    m["Subject"] = "Figures"
    m.set_content("Figures attached.")
    m.add_attachment(buf.getvalue(), maintype="application", subtype="octet-stream", filename="figures.xlsx")
    return m.as_bytes()


def warn_message():
    rcpts = [f"p{i}@press.example" for i in range(1, 13)]
    text = (f"From: sam.reid@police.example\r\nTo: {', '.join(rcpts)}\r\nSubject: Press release\r\n\r\n"
            "Our statement.\r\n").encode()
    return text, rcpts


def main():
    if os.geteuid() != 0 or shutil.which("postfix") is None:
        print("postfix tests need root and Debian's postfix package", file=sys.stderr)
        return 2
    passed = failed = 0

    def check(what, ok):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {what}", file=sys.stderr)

    tmp = tempfile.mkdtemp(prefix="maildlp-postfix-")
    sink = Sink()
    sink_port, smtpd_port = free_port(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    controller.start()
    milter = Milter(tmp, "default")
    postfix = Postfix(tmp, smtpd_port, sink_port, milter.socket)
    try:
        code, text = send(smtpd_port, os.path.join(MSGS, "incident-cc.eml"))
        check(f"the incident is rejected with 550 ({code} {text})", code == 550 and "5.7.1" in text)
        check("the reply names rules and records only", "protected-recipient-exposed" in text and "V01" in text
              and "Jane" not in text and "@" not in text)

        sink.clear()
        sender, rcpts = envelope(os.path.join(MSGS, "incident-bcc.eml"))
        code, _ = send(smtpd_port, os.path.join(MSGS, "incident-bcc.eml"))
        got = sink.wait(1)
        delivered = sorted({r for _, rs, _ in got for r in rs})
        check(f"the Bcc twin is accepted ({code})", code == 250)
        check(f"the Bcc twin reaches every recipient ({len(delivered)} of {len(set(rcpts))})",
              delivered == sorted(set(rcpts)))

        code, text = send(smtpd_port, spreadsheet_message(), "sam.reid@police.example", ["desk@paper.example"])
        check(f"a spreadsheet of victims is rejected ({code} {text})", code == 550)

        sink.clear()
        data, rcpts = warn_message()
        code, _ = send(smtpd_port, data, "sam.reid@police.example", rcpts)
        got = sink.wait(1)
        check(f"a warning is delivered ({code})", code == 250 and len(got) >= 1)
        check("tagged with X-Maildlp-Verdict", bool(got) and b"X-Maildlp-Verdict: warn; rules=visible-recipients" in got[0][2])
    finally:
        postfix.stop()
        milter.stop()

    # -b bcc: the incident goes through to everyone, with no victim visible.
    milter = Milter(tmp, "bcc", "-b", "bcc")
    tmp2 = tempfile.mkdtemp(prefix="maildlp-postfix-")
    smtpd_port = free_port()
    postfix = Postfix(tmp2, smtpd_port, sink_port, milter.socket)
    try:
        sink.clear()
        sender, rcpts = envelope(os.path.join(MSGS, "incident-cc.eml"))
        code, text = send(smtpd_port, os.path.join(MSGS, "incident-cc.eml"))
        got = sink.wait(1)
        delivered = sorted({r for _, rs, _ in got for r in rs})
        victims = [r for r in rcpts if not r.endswith("@police.example")]
        check(f"bcc: accepted ({code} {text})", code == 250)
        check(f"bcc: delivered to all {len(set(rcpts))} recipients ({len(delivered)})", delivered == sorted(set(rcpts)))
        check("bcc: 18 victims among them", len(set(victims)) == 18)
        for _, _, data in got:
            head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace").lower()
            shown = [v for v in victims if v.lower() in head]
            check(f"bcc: no victim address in a delivered copy ({shown[:3]})", not shown)
    finally:
        postfix.stop()
        milter.stop()
        controller.stop()
    log = open(os.path.join(tmp, "default.log")).read()
    check("the milter logged a line per message, without identifiers", "verdict=block" in log and "Jane" not in log)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(tmp2, ignore_errors=True)
    print(f"postfix: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
