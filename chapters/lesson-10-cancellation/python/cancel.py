"""task.cancel(), CancelledError and finally; asyncio.shield."""

import asyncio

log: list[str] = []


# ANCHOR: work
async def work(name: str, seconds: float) -> None:
    try:
        log.append(f"{name} started")
        await asyncio.sleep(seconds)  # a cancel raises CancelledError here
        log.append(f"{name} reached its end")
    except asyncio.CancelledError:
        log.append(f"{name} got CancelledError")
        raise  # swallowing it would un-cancel the task: don't
    finally:
        log.append(f"{name} cleaned up")
# ANCHOR_END: work


# ANCHOR: cancel
async def cancel_a_task() -> None:
    task = asyncio.create_task(work("task", 0.2))
    await asyncio.sleep(0.02)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        log.append("awaiting it raised CancelledError")
# ANCHOR_END: cancel


# ANCHOR: shield
async def shielded_save() -> None:
    save = asyncio.ensure_future(work("save", 0.06))
    try:
        async with asyncio.timeout(0.02):
            await asyncio.shield(save)  # the caller is cancelled, the save is not
    except TimeoutError:
        log.append("the caller timed out")
    await save  # it finishes anyway
# ANCHOR_END: shield


async def main() -> None:
    await cancel_a_task()
    await shielded_save()
    for line in log:
        print(line)


if __name__ == "__main__":
    asyncio.run(main())
