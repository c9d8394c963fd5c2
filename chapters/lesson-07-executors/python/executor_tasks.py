"""The tasks lesson 07's bench gives Python's executors. A module of its
own: worker processes and worker interpreters import a task by name."""

from primes import count_block  # noqa: F401  (the CPU-bound task)


def echo(x):
    """The do-nothing task: what is left is the executor's own cost."""
    return x
