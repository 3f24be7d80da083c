from typing import Any, Dict, Iterator, Literal, Optional, Sequence, Tuple, Union

_Text = Union[str, bytes]
Report = Dict[str, Any]

class MaildlpError(Exception):
    """Something maildlp was given was refused."""

class ListError(MaildlpError):
    """The protected list was refused; nothing of it was loaded."""

    line: int
    """The 1-based line of the offending row, 0 when the problem is not tied to a line."""

class PolicyError(MaildlpError):
    """The policy was refused."""

class InvalidKeyError(MaildlpError):
    """A sealed list's key is malformed, or not the list's key."""

class AddressError(MaildlpError):
    """An envelope recipient is not an email address."""

class Scanner:
    """A protected list compiled with a policy; thread-safe, build it once."""

    def __init__(self, protected: _Text, policy: Optional[_Text] = None, key: Optional[_Text] = None) -> None: ...
    def scan(self, message: bytes, rcpts: Sequence[str] = ...) -> Report:
        """The report of one message: {"verdict": ..., "findings": [...]}. Releases the GIL."""
    def details(self, message: bytes) -> Dict[str, Any]:
        """{"date", "from", "subject", "domains"} of a message, masked (as `maildlp scan --details`). Releases the GIL."""
    def fix_bcc(self, message: bytes) -> bytes:
        """The message with external recipients moved from To/Cc to Bcc (as `maildlp fix --bcc`)."""

class MessageReader(Iterator[Tuple[str, bytes]]):
    def __iter__(self) -> "MessageReader": ...
    def __next__(self) -> Tuple[str, bytes]: ...

def read_messages(path: Union[str, "os.PathLike[str]"], errors: Literal["raise", "skip"] = "raise") -> MessageReader:
    """(source, bytes) for every message under path, as `maildlp scan` reads them."""

def split_messages(source: str, content: bytes) -> list[Tuple[str, bytes]]:
    """The messages of one file's content: itself as `source`, an mbox's as `source#N`, or an
    Outlook data file's (PST, OST) as `source#FOLDER/N`."""

def scan(
    message: bytes,
    protected: _Text,
    policy: Optional[_Text] = None,
    key: Optional[_Text] = None,
    rcpts: Sequence[str] = (),
) -> Report: ...

import os
