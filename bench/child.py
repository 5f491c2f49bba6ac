"""The child process a client runs in: `python -m bench.child MODULE:FUNCTION` with JSON on stdin.

It measures the function's wall time, CPU time and the process's peak RSS, and prints one JSON line.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
import traceback


def peak_rss_mb() -> float:
    """This process's RSS high-water mark (VmHWM). Not ru_maxrss: Linux keeps that across exec, so a
    child would inherit the peak of the process that forked it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    target, payload = sys.argv[1], json.loads(sys.stdin.read())
    module_name, _, function_name = target.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    baseline_mb = peak_rss_mb()
    cpu0, started = time.process_time(), time.perf_counter()
    result: dict = {}
    try:
        result = function(payload["env"], payload.get("params", {}))
    except Exception as error:  # a client that crashes is a result, not a harness failure
        result = {
            "crashed": f"{type(error).__name__}: {str(error)[:300]}",
            "traceback": traceback.format_exc()[-1500:],
        }
    result["wall_s"] = round(time.perf_counter() - started, 3)
    result["cpu_s"] = round(time.process_time() - cpu0, 3)
    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_after_imports_mb"] = baseline_mb
    print("BENCH-RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
