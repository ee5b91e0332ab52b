#!/usr/bin/env python3
"""Cost of following a large log while it grows (issue: follow mode).

A generated chain of ENTRIES entries is followed, by `auditui follow` (CLI)
and by the browser (`auditui --follow`, in a pseudo-terminal read through
pyte), while RATE entries a second are appended, one at a time, for SECONDS
seconds. Reported per run: the follower's CPU share of one core (utime +
stime from /proc/PID/stat over the measured window) and the latency from
writing an entry to seeing it (the CLI's output line; the browser's banner
count), median and 95th percentile.

    scripts/follow_bench.py [--entries 1000000] [--rate 100] [--seconds 30]
                            [--bin target/release/auditui] [--before OTHER_BIN]
                            [--only cli|tui] [--keys a] [--filter last:1h]
                            [--files 2]

--filter types a filter into the browser's bar once loaded (`last:1h`: a
window that moves as entries arrive, so that rows leave it too).
--files N (browser only) follows N files: the growing log first, then N-1
other logs of 1,000 entries each that do not grow, so that the entries are
appended to a file that is not the last one followed.
--before runs the same with another build (an older one, say) for a
before/after table. The machine is shared: run it more than once and read
medians. Needs pyte (scripts/requirements-bench.txt). Data goes under the
cargo target directory (bench-data/), never committed.
"""
import argparse
import fcntl
import json
import os
import pty
import re
import shutil
import statistics
import struct
import subprocess
import termios
import threading
import time

import pyte

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 (1-based) of the whole line.
    return (int(fields[11]) + int(fields[12])) / TICKS


def prepare(binary, entries, extra, target):
    folder = os.path.join(target, "bench-data", f"follow-{entries}")
    base = os.path.join(folder, "base.jsonl")
    more = os.path.join(folder, "more.jsonl")
    if not os.path.exists(more):
        generated = os.path.join(folder, "generated")
        subprocess.run([binary, "generate", generated, "--entries", str(entries + extra),
                        "--seed", "7", "--force"], check=True, stdout=subprocess.DEVNULL)
        (name,) = [n for n in os.listdir(generated) if n.endswith(".jsonl")]
        with open(os.path.join(generated, name), "rb") as src, \
                open(base, "wb") as b, open(more, "wb") as m:
            for i, line in enumerate(src):
                (b if i < entries else m).write(line)
        shutil.rmtree(generated)
    with open(more, "rb") as f:
        return base, f.read().splitlines(keepends=True)


def append_and_measure(pid, live, lines, rate, seconds, seen, warmup=3.0):
    """Append one line every 1/rate s; measure CPU after `warmup` s."""
    written = []
    start = time.monotonic()
    cpu_from = cpu_at = None
    with open(live, "ab", buffering=0) as f:
        for k, line in enumerate(lines):
            due = start + k / rate
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
            if cpu_from is None and time.monotonic() - start >= warmup:
                cpu_from, cpu_at = cpu_seconds(pid), time.monotonic()
            if time.monotonic() - start >= warmup + seconds:
                break
            f.write(line)
            written.append(time.monotonic())
    share = (cpu_seconds(pid) - cpu_from) / (time.monotonic() - cpu_at)
    time.sleep(3)  # the last entries' latency
    latencies = [seen[k] - t for k, t in enumerate(written) if k in seen]
    return share, latencies, len(written)


def run_cli(binary, base, lines, args, live):
    shutil.copyfile(base, live)
    proc = subprocess.Popen([binary, "follow", live, "--format", "jsonl", "--interval", "1s"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stderr.readline()  # "… following"
    seen = {}
    first_new = args.entries + 1

    def read():
        for raw in proc.stdout:
            seen[json.loads(raw)["line"] - first_new] = time.monotonic()

    threading.Thread(target=read, daemon=True).start()
    try:
        return append_and_measure(proc.pid, live, lines, args.rate, args.seconds, seen)
    finally:
        proc.kill()
        proc.wait()


OTHER_ENTRIES = 1000


def others(binary, folder, count):
    """`count` small logs of their own chains, followed after the growing one."""
    paths = []
    for k in range(count):
        path = os.path.join(folder, f"other-{k}.jsonl")
        if not os.path.exists(path):
            generated = os.path.join(folder, "generated-other")
            subprocess.run([binary, "generate", generated, "--entries", str(OTHER_ENTRIES),
                            "--seed", str(100 + k), "--force"], check=True,
                           stdout=subprocess.DEVNULL)
            (name,) = [n for n in os.listdir(generated) if n.endswith(".jsonl")]
            shutil.move(os.path.join(generated, name), path)
            shutil.rmtree(generated)
        paths.append(path)
    return paths


def run_tui(binary, base, lines, args, live):
    shutil.copyfile(base, live)
    columns, rows = 160, 48
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    followed = [live] + others(binary, os.path.dirname(live), args.files - 1)
    before = args.entries + OTHER_ENTRIES * (args.files - 1)
    proc = subprocess.Popen([binary, "--follow", *followed], stdin=slave, stdout=slave,
                            stderr=slave, env=dict(os.environ, TERM="xterm-256color"),
                            start_new_session=True)
    os.close(slave)
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    seen = {}
    loaded = threading.Event()
    count = re.compile(r"([\d,]+) entries · \d+ files?")
    appended = re.compile(r"new entr(?:y|ies) verified in (\d+) ms")
    timings = []

    def read():
        shown = 0
        while True:
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                return
            if not data:
                return
            stream.feed(data)
            # Not `screen.display`: it trips over some zero-width cells.
            top = "\n".join("".join(screen.buffer[y][x].data for x in range(columns))
                            for y in range(3))
            bottom = "".join(screen.buffer[rows - 1][x].data for x in range(columns))
            took = appended.search(bottom)
            if took and bottom != getattr(read, "last", None):
                read.last = bottom
                timings.append(int(took.group(1)))
            match = count.search(top)
            if match and "INTACT" in top:
                loaded.set()
                now_shown = int(match.group(1).replace(",", "")) - before
                for k in range(shown, now_shown):
                    seen[k] = time.monotonic()
                shown = max(shown, now_shown)

    threading.Thread(target=read, daemon=True).start()
    try:
        if not loaded.wait(600):
            raise SystemExit("the browser did not load the log")
        time.sleep(1)
        if args.filter:
            os.write(master, b"/" + args.filter.encode() + b"\r")
            time.sleep(1)
        os.write(master, b"G")  # the cursor on the newest entry, like tail -f
        if args.keys:
            time.sleep(0.5)
            os.write(master, args.keys.encode())  # `a`: the alerts view open
        result = append_and_measure(proc.pid, live, lines, args.rate, args.seconds, seen)
        if timings:
            print(f"        (status line: appends verified in {statistics.median(timings)} ms "
                  f"median, {max(timings)} ms at most, {len(timings)} seen)", flush=True)
        return result
    finally:
        os.write(master, b"q")
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--bin", default=None)
    parser.add_argument("--before", default=None)
    parser.add_argument("--only", choices=["cli", "tui"], default=None)
    parser.add_argument("--keys", default="",
                        help="keys typed in the browser once loaded (`a`: the alerts view)")
    parser.add_argument("--filter", default="",
                        help="filter typed in the browser's bar once loaded (`last:1h`)")
    parser.add_argument("--files", type=int, default=1,
                        help="files followed by the browser, the growing one first")
    args = parser.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    binary = args.bin or os.path.join(target, "release", "auditui")
    base, lines = prepare(binary, args.entries, args.rate * (args.seconds + 10), target)
    live = os.path.join(os.path.dirname(base), "live.jsonl")
    builds = [("after", binary)] + ([("before", args.before)] if args.before else [])
    print(f"{args.entries} entries, {args.rate} appended a second, {args.seconds} s measured, "
          f"{args.files} file(s) followed")
    print("build   follower  cpu%   latency median   p95   shown/written")
    for mode, run in [("cli", run_cli), ("tui", run_tui)]:
        if (args.only and mode != args.only) or (mode == "cli" and args.files > 1):
            continue
        for name, path in builds:
            share, lat, written = run(path, base, lines, args, live)
            lat.sort()
            median = statistics.median(lat) if lat else float("nan")
            p95 = lat[int(len(lat) * 0.95) - 1] if lat else float("nan")
            print(f"{name:7} {mode:8} {share * 100:5.1f}   {median * 1000:7.0f} ms  "
                  f"{p95 * 1000:6.0f} ms   {len(lat)}/{written}", flush=True)


if __name__ == "__main__":
    main()
