#!/usr/bin/env python3
"""Time the browser as a user sees it: from start to the first frame, and
to the verdict, in a real pseudo-terminal.

    python3 scripts/first_frame.py [--binary target/release/auditui] PATH...
    python3 scripts/first_frame.py --entries usr_ clickhouse://HOST:PORT/DB

Prints the milliseconds until the first screen was drawn (the loading
screen with its progress bar) and until the banner shows a verdict (INTACT,
BROKEN, WEAK...); with --entries MARKER, also until a screen of entries is
drawn (MARKER, text every entry row shows such as a user id prefix, on
--screen lines of the screen at once: the output is replayed on a model of
the terminal, since the browser redraws only the cells that change and
moves the cursor between them); with --filter TEXT --filtered MARKER,
types the filter TEXT (and Enter) as soon as the first frame is drawn and
also times until MARKER is on the screen, such as the entries pane's
count of what the filter selects ("1,234 of 1,000,000"); the peak RSS and
how much of it is heap (RssAnon) and mapped log pages (RssFile), read
once all of that was seen, and the CPU time used by the verdict and by
then; then quits the browser with q. Standard library only.
"""
import argparse
import codecs
import re
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
ROWS, COLUMNS = 48, 160
# A control sequence (CSI), another escape, or one character.
TOKEN = re.compile(r"\x1b\[([0-9;?]*)([@-~])|\x1b[^\[]|[\s\S]")


class Screen:
    """What the terminal shows: the text of each cell, no colours. Knows
    what the browser sends: cursor moves, clears, text."""

    def __init__(self) -> None:
        self.cells = [[" "] * COLUMNS for _ in range(ROWS)]
        self.row = self.column = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""

    def feed(self, data: bytes) -> None:
        text = self.pending + self.decoder.decode(data)
        # An escape sequence cut at the end waits for the next chunk.
        cut = text.rfind("\x1b")
        if cut >= 0 and TOKEN.match(text, cut).group(0) == "\x1b":
            text, self.pending = text[:cut], text[cut:]
        else:
            self.pending = ""
        for match in TOKEN.finditer(text):
            params, final = match.group(1), match.group(2)
            if final is not None:
                self.control(params, final)
            elif not match.group(0).startswith("\x1b"):
                self.put(match.group(0))

    def control(self, params: str, final: str) -> None:
        numbers = [int(n) if n.isdigit() else 0 for n in params.lstrip("?").split(";")]
        first = numbers[0] or 1
        if final in "Hf":
            row, column = (numbers + [0, 0])[:2]
            self.row, self.column = max(row, 1) - 1, max(column, 1) - 1
        elif final == "A":
            self.row = max(self.row - first, 0)
        elif final == "B":
            self.row = min(self.row + first, ROWS - 1)
        elif final == "C":
            self.column = min(self.column + first, COLUMNS - 1)
        elif final == "D":
            self.column = max(self.column - first, 0)
        elif final == "J" and numbers[0] == 2:
            self.cells = [[" "] * COLUMNS for _ in range(ROWS)]
        elif final == "K":
            self.cells[self.row][self.column:] = [" "] * (COLUMNS - self.column)

    def put(self, char: str) -> None:
        if char == "\r":
            self.column = 0
        elif char == "\n":
            self.row = min(self.row + 1, ROWS - 1)
        elif char >= " ":
            if self.column < COLUMNS:
                self.cells[self.row][self.column] = char
            self.column += 1

    def lines_showing(self, marker: str) -> int:
        return sum(marker in "".join(row) for row in self.cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/auditui")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--entries", help="text every entry row shows")
    parser.add_argument("--screen", type=int, default=30, help="entry rows on a full screen")
    parser.add_argument("--filter", help="a filter to type once the first frame is drawn")
    parser.add_argument("--filtered", help="text on screen once the filter's result shows")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        # A new pseudo-terminal is 0x0: give it a real screen to draw on.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execv(args.binary, [args.binary, *args.paths])
    seen = b""
    first_frame = verdict = entries = filtered = None
    marker = args.entries
    watch_screen = marker or args.filtered
    screen = Screen()
    while time.perf_counter() - started < args.timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        now = (time.perf_counter() - started) * 1000
        if watch_screen:
            screen.feed(chunk)
        seen = (seen + chunk)[-65536:]
        if first_frame is None and b"\x1b[?1049h" in seen and b"verifying" in seen.lower():
            first_frame = now
            if args.filter:
                os.write(fd, b"/" + args.filter.encode() + b"\r")
        if verdict is None and first_frame is not None and any(v in seen for v in VERDICTS):
            verdict = now
            verdict_cpu = cpu_seconds(pid)
        if entries is None and marker and screen.lines_showing(marker) >= args.screen:
            entries = now
        if filtered is None and args.filtered and screen.lines_showing(args.filtered) > 0:
            filtered = now
        if (
            verdict is not None
            and (entries is not None or not marker)
            and (filtered is not None or not args.filtered)
        ):
            break
    memory = read_memory(pid)
    quit_browser(pid, fd)
    if (
        first_frame is None
        or verdict is None
        or (marker and entries is None)
        or (args.filtered and filtered is None)
    ):
        print("did not see the first frame, a verdict (and entries, filtered) in time", file=sys.stderr)
        return 1
    print(f"first frame: {first_frame:.0f} ms")
    print(f"verdict:     {verdict:.0f} ms ({verdict_cpu:.2f} s of CPU by then)")
    if marker:
        print(f"entries:     {entries:.0f} ms")
    if args.filtered:
        print(f"filtered:    {filtered:.0f} ms")
    for key in ("VmHWM", "RssAnon", "RssFile"):
        print(f"{key + ':':<12} {memory.get(key, '?')}")
    print(f"cpu:         {memory['cpu']:.2f} s (user + sys, when all was seen)")
    return 0


def quit_browser(pid: int, fd: int) -> None:
    """Press q, and end the browser if it has not quit half a second later."""
    os.write(fd, b"q")
    time.sleep(0.5)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def read_memory(pid: int) -> dict:
    """Peak RSS, the current heap (anonymous) and mapped-file shares, and
    the CPU time used so far."""
    memory = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "RssAnon", "RssFile"):
                memory[key] = value.strip()
    memory["cpu"] = cpu_seconds(pid)
    return memory


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # utime and stime, fields 14 and 15, after the command's parentheses.
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
