#!/usr/bin/env python3
"""A session folder as a week of conversation leaves it, made from a short one: its songs'
events and sidecars repeated, renumbered, to N songs, each WAV a hard link to one of the
source's WAVs (no disk). For measuring what reads a session (report, serve) at that size.

    scripts/make_week_session.py SOURCE_SESSION OUT_SESSION [N=20000]
"""
import json
import os
import shutil
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    if os.path.exists(dst):
        sys.exit(f"{dst} exists")
    events = [json.loads(line) for line in open(os.path.join(src, "events.jsonl")) if line.strip()]
    start = next(e for e in events if e["type"] == "session_start")
    songs = [e for e in events if e["type"] == "song"]
    if not songs:
        sys.exit(f"{src} has no songs")
    os.makedirs(os.path.join(dst, "songs"))
    seq = 0
    with open(os.path.join(dst, "events.jsonl"), "w") as out:
        def write(event):
            nonlocal seq
            event = dict(event, seq=seq)
            seq += 1
            out.write(json.dumps(event) + "\n")

        write(start)
        for n in range(count):
            model = songs[n % len(songs)]
            rest = os.path.basename(model["wav"]).split("_", 1)[1][: -len(".wav")]
            base = f"songs/{n:04d}_{rest}"
            song = dict(model, song=n, wav=base + ".wav", sidecar=base + ".json")
            if song.get("parent") is not None:
                song["parent"] = n - 1
            write(song)
            sidecar = json.load(open(os.path.join(src, model["sidecar"])))
            sidecar["song"] = n
            if "parent" in song:
                sidecar["parent"] = song["parent"]
            with open(os.path.join(dst, base + ".json"), "w") as f:
                json.dump(sidecar, f, indent=1)
            os.link(os.path.join(src, model["wav"]), os.path.join(dst, base + ".wav"))
    for name in ("map.json", "measures.jsonl", "session.toml"):
        if os.path.exists(os.path.join(src, name)):
            shutil.copy(os.path.join(src, name), os.path.join(dst, name))


if __name__ == "__main__":
    main()
