"""Runs examples/python/maildlp.py against the built library (cargo build --release --features ffi)."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import maildlp  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EX = os.path.join(ROOT, "examples")


def read(*parts):
    with open(os.path.join(EX, *parts), "rb") as f:
        return f.read()


class ScannerTest(unittest.TestCase):
    def setUp(self):
        self.scanner = maildlp.Scanner(read("protected.csv"), read("policy.toml"))

    def tearDown(self):
        self.scanner.close()

    def test_incident_is_blocked(self):
        verdict, report = self.scanner.scan(read("messages", "incident-cc.eml"))
        self.assertEqual(verdict, "block")
        rules = [f["rule"] for f in report["findings"]]
        self.assertEqual(rules.count("protected-recipient-exposed"), 18)
        self.assertIn("visible-recipients", rules)
        self.assertNotIn("source", report)

    def test_bcc_twin_is_allowed(self):
        self.assertEqual(self.scanner.scan(read("messages", "incident-bcc.eml")), ("allow", {"verdict": "allow", "findings": []}))

    def test_envelope_recipients(self):
        msg = b"From: a@police.example\r\nSubject: x\r\n\r\nhello\r\n"
        self.assertEqual(self.scanner.scan(msg, ["someone@example.net"])[0], "allow")
        with self.assertRaises(maildlp.MaildlpError) as e:
            self.scanner.scan(msg, ["not an address"])
        self.assertEqual(e.exception.status, maildlp.INVALID_ADDRESS)

    def test_bad_list_names_its_line(self):
        with self.assertRaises(maildlp.MaildlpError) as e:
            maildlp.Scanner("id,kind,value\nV01,name,Jane\nV01,colour,blue\n")
        self.assertEqual(e.exception.status, maildlp.INVALID_LIST)
        self.assertIn("line 3", str(e.exception))

    def test_bad_policy_names_its_key(self):
        with self.assertRaises(maildlp.MaildlpError) as e:
            maildlp.Scanner("id,kind,value\n", "max_visible = 1")
        self.assertEqual(e.exception.status, maildlp.INVALID_POLICY)
        self.assertIn("max_visible", str(e.exception))

    def test_version(self):
        self.assertRegex(maildlp.version(), r"^\d+\.\d+\.\d+")

    def test_command_line(self):
        script = os.path.join(EX, "python", "maildlp.py")
        args = [sys.executable, script, os.path.join(EX, "protected.csv")]
        blocked = subprocess.run(args + [os.path.join(EX, "messages", "incident-cc.eml"), os.path.join(EX, "policy.toml")],
                                 capture_output=True, text=True)
        self.assertEqual(blocked.returncode, 1, blocked.stderr)
        self.assertTrue(blocked.stdout.startswith("verdict: block"))
        allowed = subprocess.run(args + [os.path.join(EX, "messages", "incident-bcc.eml"), os.path.join(EX, "policy.toml")],
                                 capture_output=True, text=True)
        self.assertEqual(allowed.returncode, 0, allowed.stderr)


if __name__ == "__main__":
    unittest.main()
