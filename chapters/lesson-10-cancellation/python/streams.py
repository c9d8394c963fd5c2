"""asyncio's StreamReader.readexactly under timeouts loses nothing: the
bytes wait in the reader's own buffer, not in the coroutine."""

import asyncio

RECORDS = 20


async def send_split(writer: asyncio.StreamWriter) -> None:
    for seq in range(RECORDS):
        data = seq.to_bytes(8, "big")
        writer.write(data[:4])
        await writer.drain()
        await asyncio.sleep(0.006)  # half a record, then a pause
        writer.write(data[4:])
        await writer.drain()
    writer.close()
    await writer.wait_closed()


# ANCHOR: readexactly
async def read_with_heartbeat(reader: asyncio.StreamReader) -> list[int]:
    records, heartbeats = [], 0
    while True:
        try:
            async with asyncio.timeout(0.002):  # the heartbeat wins often
                data = await reader.readexactly(8)
        except TimeoutError:
            heartbeats += 1  # readexactly was cancelled mid-record...
            continue
        except asyncio.IncompleteReadError:
            break
        records.append(int.from_bytes(data, "big"))  # ...and lost nothing
    print(f"{heartbeats} heartbeats cancelled readexactly()")
    return records
# ANCHOR_END: readexactly


async def main() -> None:
    got: list[int] = []
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got.extend(await read_with_heartbeat(reader))
        writer.close()
        done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    await send_split(writer)
    await asyncio.wait_for(done.wait(), 10)
    server.close()
    intact = sum(1 for i, r in enumerate(got) if r == i)
    print(f"{len(got)} records read, {intact} intact, {RECORDS * 8 - len(got) * 8} bytes lost")


if __name__ == "__main__":
    asyncio.run(main())
