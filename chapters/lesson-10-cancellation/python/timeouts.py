"""asyncio.timeout (3.11): a timeout per step vs one deadline for the whole."""

import asyncio


async def step() -> None:
    await asyncio.sleep(0.06)


# ANCHOR: per_step
async def timeout_each(steps: int, limit: float) -> int:
    done = 0
    for _ in range(steps):
        async with asyncio.timeout(limit):  # bounds this step only
            await step()
        done += 1
    return done
# ANCHOR_END: per_step


# ANCHOR: deadline
async def deadline_for_all(steps: int, limit: float) -> int:
    done = 0
    when = asyncio.get_running_loop().time() + limit  # one deadline
    try:
        for _ in range(steps):
            async with asyncio.timeout_at(when):  # every step checks the same instant
                await step()
            done += 1
    except TimeoutError:
        pass
    return done
# ANCHOR_END: deadline


async def main() -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    done = await timeout_each(5, 0.1)
    print(f"timeout per step: {done}/5 steps in {(loop.time() - start) * 1e3:.0f} ms")
    start = loop.time()
    done = await deadline_for_all(5, 0.1)
    print(f"one deadline:     {done}/5 steps in {(loop.time() - start) * 1e3:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
