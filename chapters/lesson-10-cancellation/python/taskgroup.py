"""asyncio.TaskGroup (3.11): the first error cancels the rest; and
gather(return_exceptions=True), which keeps every result and error."""

import asyncio


async def job(i: int, ms: int, fails: bool) -> int:
    await asyncio.sleep(ms / 1000)
    if fails:
        raise RuntimeError(f"job {i} failed")
    return i * 10


JOBS = [(0, 40, False), (1, 50, True), (2, 120, False), (3, 160, False), (4, 200, False)]


# ANCHOR: task_group
async def task_group() -> None:
    tasks = []
    try:
        async with asyncio.TaskGroup() as tg:  # the scope: all joined at its end
            for i, ms, fails in JOBS:
                tasks.append(tg.create_task(job(i, ms, fails)))
    except* RuntimeError as group:  # errors come out as an ExceptionGroup
        print("TaskGroup raised:", [str(e) for e in group.exceptions])
    for t in tasks:  # every task has ended here: done or cancelled
        print("  ", "cancelled" if t.cancelled() else t.exception() or t.result())
# ANCHOR_END: task_group


# ANCHOR: gather
async def gather_all() -> None:
    results = await asyncio.gather(
        *(job(i, ms, fails) for i, ms, fails in JOBS), return_exceptions=True
    )
    print("gather(return_exceptions=True):", results)  # in order; errors as values
# ANCHOR_END: gather


async def main() -> None:
    await task_group()
    await gather_all()


if __name__ == "__main__":
    asyncio.run(main())
