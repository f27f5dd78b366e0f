#!/usr/bin/env python3
"""The study's startup timer as a listener, for bench/beacon_vs_python.

Nickoloff's method: a listener thread blocks on a UDP socket and records
time.time() when the workload's datagram arrives; a launcher thread
recorded time.time() before subprocess.Popen. In this paired bench lvperf
launches the command and the beacon sends each datagram to lvperf's port
and (--also) to this socket, so both timers see the same start; only the
listener half of the study's timer runs here, unchanged: one thread, a
blocking receive, time.time() (a float: ~240 ns steps at today's epoch).

For each beacon process (one source port) the first datagram is kept with
its arrival time.time(), the sender's attempt number and the
CLOCK_MONOTONIC ns it read just before sendto (the beacon's "seq" body;
its TSC read follows it by a few tens of ns). The method's error for that
event is arrival - send: time.time() is mapped to CLOCK_MONOTONIC by the
offset realtime - monotonic, taken as the narrowest of 50 bracketed reads
(monotonic, time, monotonic) at start and at stop. The kernel's own receive
stamp of the datagram (SO_TIMESTAMPNS, CLOCK_REALTIME at the socket's
device receive) splits the error into the kernel's path and the listener's
wake-up; it is why the receive is recvmsg instead of recvfrom.

Usage: beacon_vs_python.py --listen IP [--port 1337] [--ready FILE]
Writes FILE once listening; runs until SIGTERM/SIGINT, then prints one
JSON object: {clock, offset_ns: [start, stop], events: [{sport, seq,
sent_mono_ns, recv_ns, kernel_ns, error_ns, kernel_error_ns}]} (ns of
CLOCK_MONOTONIC). Stdlib only.
"""
import argparse
import json
import signal
import socket
import struct
import threading
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def realtime_minus_monotonic():
    best = None
    for _ in range(50):
        a = time.monotonic_ns()
        r = time.time_ns()
        b = time.monotonic_ns()
        if best is None or b - a < best[0]:
            best = (b - a, r - (a + b) // 2)
    return best[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--port", type=int, default=1337)
    ap.add_argument("--ready")
    a = ap.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    signal.signal(signal.SIGINT, lambda s, f: stop.set())
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.bind((a.listen, a.port))
    off0 = realtime_minus_monotonic()
    raw = []  # (time.time(), sport, payload, kernel realtime ns)
    seen = set()

    def listener():
        while True:
            data, anc, _, src = sock.recvmsg(2048, 64)
            t = time.time()  # the study's clock, read as it did
            if src[1] in seen:
                continue
            seen.add(src[1])
            kns = None
            for lvl, typ, val in anc:
                if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", val[:16])
                    kns = sec * 10**9 + nsec
            raw.append((t, src[1], data, kns))

    threading.Thread(target=listener, daemon=True).start()
    if a.ready:
        open(a.ready, "w").close()
    while not stop.wait(0.2):
        pass
    off1 = realtime_minus_monotonic()
    off = (off0 + off1) / 2
    events = []
    for t, sport, data, kns in list(raw):
        ev = {"sport": sport, "seq": None, "sent_mono_ns": None,
              "recv_ns": t * 1e9 - off, "kernel_ns": None if kns is None else kns - off,
              "error_ns": None, "kernel_error_ns": None}
        if len(data) >= 16 and data[:4] == b"LVPB":
            ev["seq"], ev["sent_mono_ns"] = struct.unpack(">IQ", data[4:16])
            ev["error_ns"] = ev["recv_ns"] - ev["sent_mono_ns"]
            if kns is not None:
                ev["kernel_error_ns"] = ev["kernel_ns"] - ev["sent_mono_ns"]
        events.append(ev)
    json.dump({"clock": "time.time() in a listener thread (study method), mapped to CLOCK_MONOTONIC",
               "offset_ns": [off0, off1], "events": events}, __import__("sys").stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
