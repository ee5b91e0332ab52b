#!/usr/bin/env python3
"""Time the browser while someone holds Down: in a real pseudo-terminal,
wait for the first screen of entries (and the panes about the selected
entry), press j --presses times, --interval ms apart (a key repeat), and
print the milliseconds from the first press until the screen has settled
on the entry moved to: the detail pane names it (--settled, a text such as
`audit.9.jsonl:31`) and nothing says "looking up" any more; and how long
after the last press that was.

    python3 scripts/held_key.py --binary B --settled audit.9.jsonl:31 \\
        --entries '    usr_' --screen 15 clickhouse://HOST:PORT/DB

Uses the terminal model of first_frame.py. Standard library only.
"""
import argparse
import importlib.util
import os
import pty
import select
import sys
import struct
import termios
import time
import fcntl

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location("first_frame", os.path.join(HERE, "first_frame.py"))
FIRST_FRAME = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(FIRST_FRAME)


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every script driving a settled browser takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--binary", default="target/release/auditui")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--entries", required=True, help="text every entry row shows")
    parser.add_argument("--screen", type=int, default=15)
    return parser


class Browser:
    """The browser in a pseudo-terminal, its screen modelled."""

    def __init__(self, binary: str, paths: list) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ,
                        struct.pack("HHHH", FIRST_FRAME.ROWS, FIRST_FRAME.COLUMNS, 0, 0))
            os.environ["TERM"] = "xterm-256color"
            os.execv(binary, [binary, *paths])
        self.screen = FIRST_FRAME.Screen()

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.screen.cells)

    def read(self, wait: float) -> int:
        """Bytes read within `wait` seconds; -1 when the browser is gone."""
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return 0
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return -1
        self.screen.feed(data)
        return len(data)

    def settle(self, entries: str, rows: int, timeout: float) -> bool:
        """Wait for the first screen, with the panes about its entry filled in."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.read(0.05) < 0:
                return False
            shown = self.screen.lines_showing(entries) >= rows
            if shown and "looking up" not in self.text():
                return True
        return False

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def finish(self, code: int) -> int:
        FIRST_FRAME.quit_browser(self.pid, self.fd)
        return code


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--settled", required=True, help="text the detail shows when on the last entry")
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--interval", type=float, default=33.0, help="ms between presses")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    browser = Browser(args.binary, args.paths)
    if not browser.settle(args.entries, args.screen, args.timeout):
        print("the first screen did not settle in time", file=sys.stderr)
        return browser.finish(1)
    first_press = time.perf_counter()
    next_press = first_press
    presses = 0
    settled = None
    while time.perf_counter() - first_press < args.timeout:
        now = time.perf_counter()
        if presses < args.presses and now >= next_press:
            browser.press(b"j")
            presses += 1
            next_press += args.interval / 1000
            last_press = now
        if browser.read(0.005) < 0:
            break
        text = browser.text()
        if presses == args.presses and args.settled in text and "looking up" not in text:
            settled = time.perf_counter()
            break
    if settled is None:
        print("the screen did not settle on the last entry in time", file=sys.stderr)
        return browser.finish(1)
    print(f"presses:     {args.presses}, {args.interval:.0f} ms apart")
    print(f"settled:     {(settled - first_press) * 1000:.0f} ms after the first press")
    print(f"             {(settled - last_press) * 1000:.0f} ms after the last press")
    return browser.finish(0)


if __name__ == "__main__":
    sys.exit(main())
