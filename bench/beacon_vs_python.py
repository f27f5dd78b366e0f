#!/usr/bin/env python3
"""Startup timer re-creating the study's method, for bench/beacon_vs_python.

Nickoloff's method: a listener thread blocks on a UDP socket and records
time.time() when the workload's first datagram arrives; a launcher thread
records time.time() and then starts the command with subprocess.Popen. The
startup time is the difference. Wall-clock time.time() and the race between
the two threads are kept on purpose: this is the reference being measured
against, not how lvperf measures (BENCHMARKS.md, "Startup").

After the first datagram the command is stopped by its PID (SIGTERM, then
reaped), the socket is drained, and the next run starts.

Usage: beacon_vs_python.py --listen IP [--port 1337] [--repeat 30]
                           [--timeout 30] -- COMMAND ARGS...
Prints one JSON object on stdout, shaped like lvperf beacon --json:
  runs: [{run, first_beacon_ns (int or null), beacon_src}],
  summary: {first_beacon_ns: {n, mean, sd, min, p50, max}}, clock.
Runs that time out have first_beacon_ns null; exit status is still 0.
Stdlib only.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


CHILD = []  # the command being timed, so a signal can stop it by PID


def on_signal(signum, frame):
    # No Popen.wait() here: the interrupted frame may hold its lock. The
    # child gets SIGTERM by PID (only if not yet reaped, so the PID is
    # still its own) and is reaped by init once we are gone.
    for proc in CHILD:
        if proc.returncode is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    sys.stdout.flush()
    os._exit(128 + signum)


def summarize(xs):
    if not xs:
        return {"n": 0, "mean": None, "sd": None, "min": None, "p50": None,
                "max": None}
    return {"n": len(xs), "mean": statistics.fmean(xs),
            "sd": statistics.stdev(xs) if len(xs) > 1 else 0.0,
            "min": min(xs), "p50": statistics.median(xs), "max": max(xs)}


def drain(sock):
    sock.setblocking(False)
    try:
        while True:
            sock.recvfrom(2048)
    except BlockingIOError:
        pass
    finally:
        sock.setblocking(True)


def one_run(sock, cmd, timeout):
    got = {}

    def listener():
        try:
            _, src = sock.recvfrom(2048)
        except socket.timeout:
            return
        got["t1"] = time.time()
        got["src"] = "%s:%d" % src

    def launcher():
        got["t0"] = time.time()
        got["proc"] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        CHILD.append(got["proc"])

    sock.settimeout(timeout)
    lt = threading.Thread(target=listener, daemon=True)
    lt.start()
    st = threading.Thread(target=launcher, daemon=True)
    st.start()
    st.join()
    lt.join()
    proc = got["proc"]
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    CHILD.remove(proc)
    time.sleep(0.005)  # let datagrams already on the veth land, then drop
    drain(sock)
    if "t1" not in got:
        return None, None
    return int(round((got["t1"] - got["t0"]) * 1e9)), got["src"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--port", type=int, default=1337)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd or a.repeat < 1:
        ap.error("need --repeat >= 1 and a command after --")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((a.listen, a.port))
    runs, xs = [], []
    for i in range(a.repeat):
        ns, src = one_run(sock, cmd, a.timeout)
        runs.append({"run": i, "first_beacon_ns": ns, "beacon_src": src})
        if ns is not None:
            xs.append(ns)
    sock.close()
    json.dump({"runs": runs,
               "summary": {"first_beacon_ns": summarize(xs)},
               "clock": "time.time() in two Python threads (study method)"},
              sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
