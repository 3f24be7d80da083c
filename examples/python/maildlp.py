"""maildlp from Python through its C ABI (ctypes, standard library only).

    cargo build --release --features ffi
    python3 examples/python/maildlp.py examples/protected.csv examples/messages/incident-cc.eml examples/policy.toml

The shared library is looked up in $MAILDLP_LIB, then in target/release/ of this repository.
A Scanner is thread-safe: build it once and share it.
"""

import ctypes
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_DEFAULT_LIB = os.path.join(_HERE, "..", "..", "target", "release",
                            "libmaildlp.dylib" if sys.platform == "darwin" else "libmaildlp.so")

OK, NULL_ARGUMENT, INVALID_UTF8, INVALID_LIST, INVALID_POLICY, INVALID_ADDRESS, PANIC = 0, 1, 2, 3, 4, 5, 100
VERDICTS = ("allow", "warn", "block")


class MaildlpError(Exception):
    """A call to maildlp failed; `status` is the maildlp_status number."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _load(path=None):
    lib = ctypes.CDLL(path or os.environ.get("MAILDLP_LIB") or _DEFAULT_LIB)
    c_char_pp = ctypes.POINTER(ctypes.c_char_p)
    lib.maildlp_scanner_new.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
                                        ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_size_t]
    lib.maildlp_scanner_new.restype = ctypes.c_int
    lib.maildlp_scanner_free.argtypes = [ctypes.c_void_p]
    lib.maildlp_scanner_free.restype = None
    lib.maildlp_scan.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, c_char_pp, ctypes.c_size_t,
                                 ctypes.POINTER(ctypes.c_void_p)]
    lib.maildlp_scan.restype = ctypes.c_int
    lib.maildlp_report_verdict.argtypes = [ctypes.c_void_p]
    lib.maildlp_report_verdict.restype = ctypes.c_int
    lib.maildlp_report_json.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
    lib.maildlp_report_json.restype = ctypes.c_void_p
    lib.maildlp_report_free.argtypes = [ctypes.c_void_p]
    lib.maildlp_report_free.restype = None
    lib.maildlp_status_str.argtypes = [ctypes.c_int]
    lib.maildlp_status_str.restype = ctypes.c_char_p
    lib.maildlp_version.argtypes = []
    lib.maildlp_version.restype = ctypes.c_char_p
    return lib


class Scanner:
    """A compiled protected list (CSV text) and policy (TOML text, or None for the defaults)."""

    def __init__(self, list_csv, policy_toml=None, lib=None):
        self._handle = None  # set first: close() runs from __del__ even when this raises
        self._lib = lib or _load()
        list_bytes = list_csv.encode() if isinstance(list_csv, str) else list_csv
        policy_bytes = policy_toml.encode() if isinstance(policy_toml, str) else policy_toml
        handle = ctypes.c_void_p()
        err = ctypes.create_string_buffer(512)
        status = self._lib.maildlp_scanner_new(list_bytes, len(list_bytes), policy_bytes,
                                               len(policy_bytes) if policy_bytes is not None else 0,
                                               ctypes.byref(handle), err, len(err))
        if status != OK:
            raise MaildlpError(status, err.value.decode("utf-8", "replace"))
        self._handle = handle

    def scan(self, message, rcpts=()):
        """Scans message bytes; returns (verdict, report) with the report as a dict."""
        encoded = [r.encode() if isinstance(r, str) else r for r in rcpts]
        array = (ctypes.c_char_p * len(encoded))(*encoded) if encoded else None
        report = ctypes.c_void_p()
        status = self._lib.maildlp_scan(self._handle, message, len(message), array, len(encoded),
                                        ctypes.byref(report))
        if status != OK:
            raise MaildlpError(status, self._lib.maildlp_status_str(status).decode())
        try:
            length = ctypes.c_size_t()
            ptr = self._lib.maildlp_report_json(report, ctypes.byref(length))
            text = ctypes.string_at(ptr, length.value).decode()
            return VERDICTS[self._lib.maildlp_report_verdict(report)], json.loads(text)
        finally:
            self._lib.maildlp_report_free(report)

    def close(self):
        if self._handle:
            self._lib.maildlp_scanner_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


def version():
    return _load().maildlp_version().decode()


def main(argv):
    if len(argv) < 3:
        print(f"usage: {argv[0]} LIST.csv MESSAGE [POLICY.toml] [RCPT...]", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        list_csv = f.read()
    with open(argv[2], "rb") as f:
        message = f.read()
    policy = None
    if len(argv) > 3:
        with open(argv[3], "rb") as f:
            policy = f.read()
    try:
        with Scanner(list_csv, policy) as scanner:
            verdict, report = scanner.scan(message, argv[4:])
    except MaildlpError as e:
        print(f"maildlp: {e}", file=sys.stderr)
        return 2
    print(f"verdict: {verdict}")
    print(json.dumps(report))
    return 0 if verdict == "allow" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
