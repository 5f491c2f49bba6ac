"""What the figures were measured on: CPUs, RAM, Python and package versions."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import psutil

PACKAGES = ("zdlib", "zenpy", "httpx", "requests", "urllib3", "uvicorn", "starlette", "papermill", "psutil")


def describe() -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }
