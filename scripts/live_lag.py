#!/usr/bin/env python3
"""How long a song takes to reach the live page: appends K song events (copies of the session's
last one, each with a hard-linked WAV) to SESSION's log while `metahuman serve` follows it on
PORT, and prints, for each, the seconds until /live/data.json carries it and the server's RSS.

    scripts/live_lag.py SESSION PORT [K=10]
"""
import json
import os
import subprocess
import sys
import time
import urllib.request


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    session, port = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    log = os.path.join(session, "events.jsonl")
    last = json.loads(open(log).read().splitlines()[-1])
    if last.get("type") != "song":
        sys.exit(f"{log}: the last event is not a song")
    pid = subprocess.check_output(["pgrep", "-f", f"serve --session {session}"]).split()[0].decode()

    def seq():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/live/data.json") as r:
            return json.load(r)["seq"]

    for k in range(1, count + 1):
        before = seq()
        n = last["song"] + k
        base = f"songs/{n:04d}_" + os.path.basename(last["wav"]).split("_", 1)[1][: -len(".wav")]
        os.link(os.path.join(session, last["wav"]), os.path.join(session, base + ".wav"))
        song = dict(last, song=n, seq=last["seq"] + k, parent=n - 1, wav=base + ".wav", sidecar=base + ".json")
        started = time.time()
        with open(log, "a") as f:
            f.write(json.dumps(song) + "\n")
        while seq() == before:
            time.sleep(0.05)
        rss = next(line for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS")).split()[1]
        print(f"song {n}: on the page after {time.time() - started:.2f} s, server RSS {int(rss) // 1024} MB")


if __name__ == "__main__":
    main()
