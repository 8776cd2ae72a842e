"""Why a database cannot be opened, in words for the operator: held by another process, damaged,
or (the file being fine) too little memory to open or upgrade it. Each needs different advice."""
from __future__ import annotations


class StoreBusyError(RuntimeError):
    """Another process holds the database file."""


class StoreCorruptError(RuntimeError):
    """The database (or a backup) file cannot be read as a project library."""


class StoreMemoryError(RuntimeError):
    """The database is fine, but opening or upgrading it needs more memory than the limit allows."""


def _out_of_memory(path: str, limit: str) -> StoreMemoryError:
    return StoreMemoryError(
        f"打开数据库 {path} 时内存不足（上限 {limit}）：文件没有损坏。请调高 PORTFOLIO_MEMORY_LIMIT（如 4GB）"
        f"或关闭其他占用内存的程序后重试。"
        f" Opening the database ran out of memory (limit {limit}); the file is not damaged:"
        f" raise PORTFOLIO_MEMORY_LIMIT (e.g. 4GB) or free memory, then try again."
    )


def _corrupt(path: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"数据库文件 {path} 无法打开，可能已损坏。请管理员用 `python -m portfolio restore --list` 查看备份，"
        f"再用 `python -m portfolio restore --backup 文件 --user 管理员` 恢复。"
        f" The database file cannot be opened and may be damaged: restore a backup (python -m portfolio restore)."
    )
