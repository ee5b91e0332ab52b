#!/usr/bin/env python3
"""Time a jump in the browser: in a real pseudo-terminal, wait for the
first screen of entries with its panes filled in, press a key (--key, `n`
by default: the next failure), and print the milliseconds until the
browser drew anything after the press (it answers keys while the jump is
looked up, or it is stuck until the jump is done), and until the status
line shows --done (`failure 1 of` by default).

    python3 scripts/jump_key.py --binary B --entries '    usr_' \\
        --screen 15 clickhouse://HOST:PORT/DB

Uses the terminal model of first_frame.py. Standard library only.
"""
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location("held_key", os.path.join(HERE, "held_key.py"))
HELD_KEY = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(HELD_KEY)


def main() -> int:
    parser = HELD_KEY.arguments(__doc__.splitlines()[0])
    parser.add_argument("--key", default="n")
    parser.add_argument("--done", default="failure 1 of", help="text shown once the jump is done")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    browser = HELD_KEY.Browser(args.binary, args.paths)
    if not browser.settle(args.entries, args.screen, args.timeout):
        print("the first screen did not settle in time", file=sys.stderr)
        return browser.finish(1)
    # Let the last frame's output drain before the press.
    while browser.read(0.2) > 0:
        pass
    pressed = time.perf_counter()
    browser.press(args.key.encode())
    drawn = done = None
    while time.perf_counter() - pressed < args.timeout:
        got = browser.read(0.005)
        if got < 0:
            break
        if got > 0 and drawn is None:
            drawn = time.perf_counter()
        if args.done in browser.text():
            done = time.perf_counter()
            break
    if drawn is None or done is None:
        print("the jump was not shown in time", file=sys.stderr)
        return browser.finish(1)
    print(f"drawn:       {(drawn - pressed) * 1000:.0f} ms after the press")
    print(f"done:        {(done - pressed) * 1000:.0f} ms after the press")
    return browser.finish(0)


if __name__ == "__main__":
    sys.exit(main())
