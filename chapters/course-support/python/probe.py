"""What this Python can run at once: its build, whether the GIL is on,
whether it has subinterpreters, and how it starts processes.

The course's benches run this before their Python side and print what it
finds; run it yourself to see your interpreter's answers.
"""

# ANCHOR: probe
import importlib
import importlib.util
import json
import multiprocessing
import os
import sys
import sysconfig


def facts():
    # The build: 1 on a free-threaded build (python3.13t, python3.14t).
    free_threaded_build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    # The run-time state (3.13+): a free-threaded build turns the GIL back on
    # when it imports a C extension not marked as safe without it, or when
    # started with PYTHON_GIL=1 / -X gil=1. Before 3.13 the GIL is always on.
    is_gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)
    # Subinterpreters, each with its own GIL (3.14: PEP 734, PEP 684).
    interpreters = importlib.util.find_spec("concurrent.interpreters") is not None
    futures = importlib.import_module("concurrent.futures")
    # os.process_cpu_count (3.13) counts the CPUs this process may use; it
    # is the default worker count of the process pools since 3.13.
    usable_cpus = getattr(os, "process_cpu_count", os.cpu_count)()
    return {
        "version": sys.version.split()[0],
        "version_info": list(sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "free_threaded_build": free_threaded_build,
        "gil_enabled": bool(is_gil_enabled()),
        "interpreters": interpreters,
        "interpreter_pool": hasattr(futures, "InterpreterPoolExecutor"),
        "start_method": multiprocessing.get_start_method(),
        "cpu_count": os.cpu_count(),
        "process_cpu_count": usable_cpus,
    }
# ANCHOR_END: probe


if __name__ == "__main__":
    print(json.dumps(facts()))
