"""The tasks interpreter_pool.py sends to its interpreters. They live in a
module of their own: a worker interpreter finds a pickled function by
importing its module, as a worker process does."""

# ANCHOR: tasks
import os
import threading

CALLS = 0


def tally(_):
    global CALLS          # a module global: each interpreter has its own
    CALLS += 1
    return CALLS


def where(_):
    return os.getpid(), threading.current_thread().name


def checksum(text):       # `text` arrived as a pickled copy
    return len(text), sum(text.encode())
# ANCHOR_END: tasks
