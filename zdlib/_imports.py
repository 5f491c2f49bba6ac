"""Import-time settings for the notebook stack, applied explicitly by whoever loads it.

jsonschema (imported by nbformat and papermill, in the runner and in the kernel) loads the optional
`rfc3987_syntax`, which compiles its grammar at import: 1.2 s of every `zdlib run` on the benchmark machine
(BENCHMARKS.md, workload 5). Notebook schemas use no `iri` format, and jsonschema skips absent checkers.
"""

from __future__ import annotations

import sys


def skip_slow_optional_imports() -> None:
    """Mark `rfc3987_syntax` as absent before jsonschema is first imported (no effect afterwards)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
