"""Which CPython build is this, and is the GIL on right now? Two different questions."""

import sys
import sysconfig


# ANCHOR: gil_state
def free_threaded_build():
    """The BUILD: 1 on a free-threaded CPython (python3.13t, python3.14t), else 0 or None."""
    return sysconfig.get_config_var("Py_GIL_DISABLED") == 1


def gil_enabled_now():
    """The RUN TIME: a free-threaded build turns the GIL back on when it imports a C
    extension not marked as free-threading safe (with a warning), or when started
    with PYTHON_GIL=1 or -X gil=1. sys._is_gil_enabled() is new in 3.13."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else is_enabled()  # before 3.13, always on
# ANCHOR_END: gil_state


if __name__ == "__main__":
    print(f"CPython {sys.version.split()[0]}")
    print("build:", "free-threaded" if free_threaded_build() else "default (with a GIL)")
    if hasattr(sys, "_is_gil_enabled"):
        print("GIL right now:", "on" if gil_enabled_now() else "off")
    else:
        print("sys._is_gil_enabled() needs Python 3.13: skipped (before 3.13 the GIL is always on)")
