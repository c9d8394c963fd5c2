"""Lesson 08: a blocking call in a coroutine holds the event loop; an await
gives it back. Run it: `python3 blocking.py` (under a second)."""

import asyncio
import time

# ANCHOR: blocking
async def blocks():
    time.sleep(0.05)           # holds the loop: ten of these take 0.5 s

async def waits():
    await asyncio.sleep(0.05)  # gives the loop back: ten of these take 0.05 s
# ANCHOR_END: blocking


async def ten(coroutine):
    started = time.perf_counter()
    await asyncio.gather(*(coroutine() for _ in range(10)))
    return time.perf_counter() - started


async def main():
    held, given_back = await ten(blocks), await ten(waits)
    print(f"ten blocks() at once: {held:.2f} s; ten waits() at once: {given_back:.2f} s")
    assert held >= 0.5 and given_back < held


if __name__ == "__main__":
    asyncio.run(main())
