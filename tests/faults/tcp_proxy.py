#!/usr/bin/env python3
"""A byte-level TCP proxy whose behaviour the fault drill switches at run time (tests/faults).

It forwards bytes without looking at them, so TLS and HTTP/2 pass through unchanged.

    tcp_proxy.py --listen 127.0.0.1:53151 --target 127.0.0.1:53051 --control 127.0.0.1:53152

The control port takes one command per line and answers one JSON line:

    pass          forward at once (the default)
    delay MS      hold every chunk that comes back from the target MS milliseconds before the
                  client gets it (a slow dependency: each round trip takes MS longer; the
                  client's own bytes go out at once, in order)
    blackhole     forward nothing in either direction: new connections are accepted and then
                  neither read nor answered, existing ones stop moving (a network partition
                  without resets). Nothing is read, so the kernel's buffers apply backpressure.
    drop          close every connection open now (the next ones follow the current mode)
    strand        pass for new connections; those open now stay stalled for ever (a peer that
                  vanished without a reset)
    status        the mode and the connections open now

`pass` after `blackhole` lets the stalled connections move again; `drop` first resets them.
"""
import argparse
import os
import asyncio
import json
import signal
import sys
import time

CHUNK = 65536


class Proxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.mode = "pass"
        self.delay = 0.0
        # Set unless the mode is blackhole. Each connection keeps the one current when it was
        # accepted, so `strand` can leave the stalled ones behind.
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.connections = set()  # the tasks of open connections
        self.accepted = 0

    def set_mode(self, mode: str, delay_ms: int = 0) -> None:
        self.mode = mode
        self.delay = delay_ms / 1000.0
        if mode == "blackhole":
            self.flowing.clear()
        else:
            self.flowing.set()

    def strand(self) -> None:
        self.flowing = asyncio.Event()
        self.set_mode("pass")

    def drop(self) -> int:
        tasks = list(self.connections)
        for task in tasks:
            task.cancel()
        return len(tasks)

    async def handle(self, client_reader, client_writer):
        self.accepted += 1
        task = asyncio.current_task()
        self.connections.add(task)
        upstream_writer = None
        gate = self.flowing
        try:
            await gate.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            await asyncio.gather(self.pump(client_reader, upstream_writer, gate, delayed=False),
                                 self.pump(upstream_reader, client_writer, gate, delayed=True))
        except (OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # `drop`: reset rather than close politely, as a dying peer would.
            for writer in (client_writer, upstream_writer):
                if writer is not None and writer.transport is not None:
                    writer.transport.abort()
        finally:
            self.connections.discard(task)
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    writer.close()

    async def pump(self, reader, writer, gate: asyncio.Event, delayed: bool):
        """Copies one direction. In the delayed direction a reader stamps each chunk with its
        release time and a writer sends it then, so chunks keep their order and a busy
        connection's round trips overlap (each is MS longer, not MS times the queue)."""
        chunks = asyncio.Queue(maxsize=256)  # at most 16 MiB held per connection

        async def read():
            while True:
                await gate.wait()
                try:
                    data = await reader.read(CHUNK)
                except OSError:
                    data = b""  # a reset ends this direction like an end of stream
                await chunks.put((time.monotonic() + (self.delay if delayed else 0.0), data))
                if not data:
                    return

        async def write():
            while True:
                release, data = await chunks.get()
                wait = release - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                await gate.wait()
                writer.write(data)
                await writer.drain()

        reading = asyncio.ensure_future(read())
        try:
            await write()
        finally:
            reading.cancel()

    async def control(self, reader, writer):
        try:
            while line := await reader.readline():
                words = line.decode("ascii", "replace").split()
                answer = {"ok": True}
                if words == ["pass"]:
                    self.set_mode("pass")
                elif len(words) == 2 and words[0] == "delay" and words[1].isdigit():
                    self.set_mode("delay", int(words[1]))
                elif words == ["blackhole"]:
                    self.set_mode("blackhole")
                elif words == ["strand"]:
                    self.strand()
                elif words == ["drop"]:
                    answer["dropped"] = self.drop()
                elif words == ["status"]:
                    pass
                else:
                    answer = {"ok": False, "error": f"unknown command {line!r}"}
                answer.update(mode=self.mode, delay_ms=int(self.delay * 1000),
                              open=len(self.connections), accepted=self.accepted)
                writer.write((json.dumps(answer) + "\n").encode())
                await writer.drain()
        finally:
            writer.close()


def address(text: str):
    host, _, port = text.rpartition(":")
    return host, int(port)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, type=address)
    parser.add_argument("--target", required=True, type=address)
    parser.add_argument("--control", required=True, type=address)
    parser.add_argument("--ports-file", help="where to write the listen and control ports, once "
                        "bound, as one line 'LISTEN CONTROL' (port 0 picks a free port)")
    args = parser.parse_args()
    proxy = Proxy(*args.target)
    server = await asyncio.start_server(proxy.handle, *args.listen, reuse_address=True)
    control = await asyncio.start_server(proxy.control, *args.control, reuse_address=True)
    listen_port = server.sockets[0].getsockname()[1]
    control_port = control.sockets[0].getsockname()[1]
    if args.ports_file:
        with open(args.ports_file + ".new", "w") as out:
            out.write(f"{listen_port} {control_port}\n")
        os.replace(args.ports_file + ".new", args.ports_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    print(f"tcp_proxy: {args.listen[0]}:{listen_port} -> {args.target[0]}:{args.target[1]}, "
          f"control on {args.control[0]}:{control_port}", flush=True)
    async with server, control:
        await stop.wait()
    proxy.drop()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except OSError as error:
        print(f"tcp_proxy: {error}", file=sys.stderr)
        sys.exit(1)
