"""Lesson 06: a 1000 x 1000 float64 array in a shared-memory segment, scaled in
place by two processes, then the same through pipes; and the seed's
`SharedMemory.create` spelling. Needs numpy for the arrays (skipped without it).
Run it: `python3 shm_numpy.py` (about a second)."""

import importlib.util
import sys
from multiprocessing import shared_memory

# The seed's spelling: `create` is a keyword of the constructor, not a method.
try:
    shared_memory.SharedMemory.create(name="seed", size=16)
except AttributeError as err:
    print(f"SharedMemory.create(...) on Python {sys.version.split()[0]}: AttributeError: {err}")

if importlib.util.find_spec("numpy") is None:
    print("numpy is not installed: the shared-memory and pipe versions are skipped "
          "(pip install numpy to run them)")
    sys.exit(0)

# ANCHOR: shm
import numpy as np
from multiprocessing import Process, shared_memory

def scale_band(name, shape, rows, factor):
    shm = shared_memory.SharedMemory(name=name)     # attach by name
    a = np.ndarray(shape, dtype=np.float64, buffer=shm.buf)
    a[rows] *= factor                               # in place: nothing pickled
    del a                                           # release the buffer first
    shm.close()                                     # unmap; never unlink here

if __name__ == "__main__":
    shape = (1000, 1000)
    shm = shared_memory.SharedMemory(create=True, size=8 * 1000 * 1000)
    try:
        a = np.ndarray(shape, dtype=np.float64, buffer=shm.buf)
        a[:] = np.random.random(shape)              # copy the data in, once
        bands = [slice(0, 500), slice(500, 1000)]
        workers = [Process(target=scale_band, args=(shm.name, shape, b, 2.0))
                   for b in bands]
        for w in workers: w.start()
        for w in workers: w.join()
        print(a[0, :3], [w.exitcode for w in workers])
        del a
    finally:
        shm.close()
        shm.unlink()                                # only the creator removes the name
# ANCHOR_END: shm


# ANCHOR: pipes
from multiprocessing import Pool

def through_pipes(a):
    with Pool(2) as pool:
        bands = [(band, 2.0) for band in np.array_split(a, 2)]
        return np.vstack(pool.starmap(np.multiply, bands))
# ANCHOR_END: pipes


if __name__ == "__main__":
    import time

    shm = shared_memory.SharedMemory(create=True, size=8 * 1000 * 1000)
    try:
        a = np.ndarray(shape, dtype=np.float64, buffer=shm.buf)
        a[:] = np.random.random(shape)
        before = a.copy()
        t = time.perf_counter()
        workers = [Process(target=scale_band, args=(shm.name, shape, b, 2.0)) for b in bands]
        for w in workers: w.start()
        for w in workers: w.join()
        in_place = time.perf_counter() - t
        assert np.array_equal(a, before * 2.0)
        del a
    finally:
        shm.close()
        shm.unlink()
    t = time.perf_counter()
    doubled = through_pipes(before)
    piped = time.perf_counter() - t
    assert np.array_equal(doubled, before * 2.0)
    print(f"both doubled every element: in place {in_place * 1e3:.0f} ms (with process start-up), "
          f"through pipes {piped * 1e3:.0f} ms (with pool start-up)")
