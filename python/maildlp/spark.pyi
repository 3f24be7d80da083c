from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

from pyspark.sql import DataFrame, SparkSession

_Text = Union[str, bytes]
_Row = Tuple[
    str, str, Optional[str], Optional[str], Optional[str], Optional[str], Optional[str],
    Optional[str], Optional[str], Optional[str], List[str],
]

SCHEMA: str
"""The columns of the DataFrame ``audit`` returns (a Spark DDL string)."""
COLUMNS: List[str]
"""The names of its columns."""

def audit(
    spark: SparkSession,
    paths: Union[str, Sequence[str]],
    protected: _Text,
    policy: Optional[_Text] = None,
    key: Optional[_Text] = None,
    read: Literal["auto", "spark"] = "auto",
) -> DataFrame:
    """Scans every message under ``paths``: a DataFrame of ``SCHEMA``, a row per finding and
    one per message allowed clean. Needs PyArrow and pandas on the driver and the workers."""

def write_audit(
    spark: SparkSession,
    paths: Union[str, Sequence[str]],
    protected: _Text,
    out: str,
    policy: Optional[_Text] = None,
    key: Optional[_Text] = None,
    read: Literal["auto", "spark"] = "auto",
    mode: Literal["error", "errorifexists", "overwrite"] = "errorifexists",
) -> int:
    """Writes ``audit``'s rows as a Parquet dataset at ``out`` (a local path or a URI PyArrow
    opens; others are written by Spark), each task's file by its Python worker with PyArrow;
    returns the number of rows. Raises FileExistsError when ``out`` holds something, unless
    ``mode="overwrite"``."""

def arrow_schema(pa: Any) -> Any:
    """The Arrow schema of the audit's record batches and files (``pa``: the pyarrow module)."""

def local_path(uri: str) -> str:
    """A path as ``maildlp scan`` names it: a ``file:`` URI without its scheme."""

def rows_of(source: str, report: Dict[str, Any], details: Optional[Dict[str, Any]] = None) -> List[_Row]:
    """The rows of one message's report: one per finding, or one with no rule when it has none."""

def local_files(path: str) -> List[str]:
    """The files under a local ``path`` in the order ``maildlp scan`` reads them."""
