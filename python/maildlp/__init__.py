"""maildlp: stop an outgoing email from exposing protected people.

Scan messages as they are sent or as they are stored::

    import maildlp

    scanner = maildlp.Scanner(open("protected.csv").read(), policy=open("policy.toml").read())
    for source, message in maildlp.read_messages("Sent Items.mbox"):
        report = scanner.scan(message)
        if report["verdict"] != "allow":
            print(source, report["verdict"], [f["rule"] for f in report["findings"]])

A report is the object ``maildlp scan --format json`` prints for a message, without
``source``. A ``Scanner`` is built once and shared: a scan releases the GIL, so threads scan
at once. ``maildlp.spark.audit`` runs the same scan over a whole archive on Spark.
"""

from ._native import (
    AddressError,
    InvalidKeyError,
    ListError,
    MaildlpError,
    MessageReader,
    PolicyError,
    Scanner,
    read_messages,
    split_messages,
)


def scan(message, protected, policy=None, key=None, rcpts=()):
    """Scans one message with a list and policy compiled for this call only.

    For more than one message, build a ``Scanner`` once and call its ``scan``.
    """
    return Scanner(protected, policy=policy, key=key).scan(message, list(rcpts))


__all__ = [
    "AddressError",
    "InvalidKeyError",
    "ListError",
    "MaildlpError",
    "MessageReader",
    "PolicyError",
    "Scanner",
    "read_messages",
    "scan",
    "split_messages",
]
