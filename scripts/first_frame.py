#!/usr/bin/env python3
"""Time the browser as a user sees it: from start to the first frame, and
to the verdict, in a real pseudo-terminal.

    python3 scripts/first_frame.py [--binary target/release/auditui] PATH...
    python3 scripts/first_frame.py --entries usr_ clickhouse://HOST:PORT/DB

Prints the milliseconds until the first screen was drawn (the loading
screen with its progress bar) and until the banner shows a verdict (INTACT,
BROKEN, WEAK...); with --entries MARKER, also until a screen of entries is
drawn (MARKER, text every entry row shows such as a user id prefix, seen
--screen times since start); the peak RSS and how much of it is heap (RssAnon) and
mapped log pages (RssFile), then quits the browser with q. Standard
library only.
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

VERDICTS = (b"INTACT", b"BROKEN", b"WEAK", b"UNCHAINED", b"ERROR")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/auditui")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--entries", help="text every entry row shows")
    parser.add_argument("--screen", type=int, default=30, help="rows in a screen")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        # A new pseudo-terminal is 0x0: give it a real screen to draw on.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execv(args.binary, [args.binary, *args.paths])
    seen = b""
    first_frame = verdict = entries = None
    marker = args.entries.encode() if args.entries else None
    rows = 0
    while time.perf_counter() - started < args.timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        now = (time.perf_counter() - started) * 1000
        if marker:
            # Across chunk boundaries: count in the tail plus the new chunk.
            tail = seen[-(len(marker) - 1):] if len(marker) > 1 else b""
            rows += (tail + chunk).count(marker)
        seen = (seen + chunk)[-65536:]
        if first_frame is None and b"\x1b[?1049h" in seen and b"verifying" in seen.lower():
            first_frame = now
        if verdict is None and first_frame is not None and any(v in seen for v in VERDICTS):
            verdict = now
        if entries is None and marker and rows >= args.screen:
            entries = now
        if verdict is not None and (entries is not None or not marker):
            break
    memory = read_memory(pid)
    os.write(fd, b"q")
    time.sleep(0.5)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    if first_frame is None or verdict is None or (marker and entries is None):
        print("did not see the first frame, a verdict (and entries) in time", file=sys.stderr)
        return 1
    print(f"first frame: {first_frame:.0f} ms")
    print(f"verdict:     {verdict:.0f} ms")
    if marker:
        print(f"entries:     {entries:.0f} ms")
    for key in ("VmHWM", "RssAnon", "RssFile"):
        print(f"{key + ':':<12} {memory.get(key, '?')}")
    return 0


def read_memory(pid: int) -> dict:
    """Peak RSS, and the current heap (anonymous) and mapped-file shares."""
    memory = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "RssAnon", "RssFile"):
                memory[key] = value.strip()
    return memory


if __name__ == "__main__":
    sys.exit(main())
