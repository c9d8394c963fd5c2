"""What a 1 ms asyncio.sleep really takes (lesson 10, timer resolution).

Run as `python3 timer_resolution.py [WAITS] [WAIT_US]`; prints the mean of
one wait as `mean_us N`, which the lesson's `timer` demo reads.
"""

import asyncio
import sys
import time


# ANCHOR: timer
async def mean_wait(n: int, wait: float) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(wait)  # the loop's epoll_wait timeout: ceil to whole ms
    return (time.perf_counter() - start) / n
# ANCHOR_END: timer


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    wait_us = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    mean = asyncio.run(mean_wait(n, wait_us / 1e6))
    print(f"{n} waits of {wait_us} us with asyncio.sleep")
    print(f"mean_us {mean * 1e6:.0f}")


if __name__ == "__main__":
    main()
