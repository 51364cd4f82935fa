#!/usr/bin/env python3
"""Holds many connections open against an HTTP server, for bench/server/crowd.sh.

  hold.py idle HOST PORT PATH N SECONDS
      N keep-alive connections, each sends one GET for PATH and reads the whole answer, then stays
      idle; every 40 s (under signet's 60 s idle timeout) each sends one more GET, as a registry's
      mostly idle clients do. Reconnects when the server closes one.
  hold.py slowloris HOST PORT PATH N SECONDS
      N connections, each sending a request head one byte every 5 s and never finishing it;
      reconnects whenever the server cuts one.

Prints one status line to stderr when all N are first open ("open N"), and at the end one line
on stdout: `opened=… open_now=… answered=… status=<counts> cut=…` (cut = connections the server
closed), and every 5 s a line `t=… open=…` to stderr. With HOLD_TLS_CA=<ca file> the
connections are TLS, verified against that CA. Loopback only; nothing is written to disk.
"""
import asyncio
import collections
import os
import signal
import ssl
import sys
import time

MODE, HOST, PORT, PATH, N, SECONDS = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
REQUEST = f"GET {PATH} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n\r\n".encode()
stats = collections.Counter()
statuses = collections.Counter()
open_now = 0
TLS = None
if os.environ.get("HOLD_TLS_CA"):
    TLS = ssl.create_default_context(cafile=os.environ["HOLD_TLS_CA"])


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    statuses[lines[0].split(" ")[1]] += 1
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    stats["answered"] += 1


async def one(deadline, ready):
    global open_now
    first = True
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT, ssl=TLS)
        except OSError:
            stats["connect_errors"] += 1
            await asyncio.sleep(0.5)
            continue
        stats["opened"] += 1
        open_now += 1
        if first:
            ready.release()
            first = False
        try:
            if MODE == "idle":
                while time.monotonic() < deadline:
                    writer.write(REQUEST)
                    await writer.drain()
                    await read_response(reader)
                    await asyncio.sleep(min(40, max(0, deadline - time.monotonic())))
            else:
                for byte in REQUEST[:-2]:  # never the final CRLF
                    if time.monotonic() >= deadline:
                        break
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(5)
                    if reader.at_eof():
                        break
                # The server cut us, or the head ran out: read what it said, then reconnect.
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=0.1)
                    if data.startswith(b"HTTP/1.1 "):
                        statuses[data.split(b" ")[1].decode()] += 1
                except asyncio.TimeoutError:
                    pass
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        open_now -= 1
        if time.monotonic() < deadline:
            stats["cut"] += 1
        writer.close()


async def report(deadline):
    start = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(5)
        print(f"t={time.monotonic() - start:.0f} open={open_now} cut={stats['cut']}", file=sys.stderr, flush=True)


async def main():
    deadline = time.monotonic() + SECONDS
    asyncio.create_task(report(deadline))
    ready = asyncio.Semaphore(0)
    tasks = []
    for _ in range(N):
        tasks.append(asyncio.create_task(one(deadline, ready)))
        if len(tasks) % 200 == 0:
            await asyncio.sleep(0.05)  # do not flood the accept queue
    for _ in range(N):
        await ready.acquire()
    print(f"open {open_now}", file=sys.stderr, flush=True)
    await asyncio.gather(*tasks)


def stop(*_):
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, stop)  # bench_hold_stop (a background job ignores SIGINT)
try:
    asyncio.run(main())
except KeyboardInterrupt:  # the summary still counts
    pass
print(f"opened={stats['opened']} answered={stats['answered']} cut={stats['cut']} connect_errors={stats['connect_errors']} "
      f"status={dict(statuses)}")
