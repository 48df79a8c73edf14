#!/usr/bin/env python3
"""Makes the inputs of the voice-path quality comparison from one recording.

Writes AUDIO.wav (mono float32 at 44.1 kHz, resampled with scipy's polyphase filter) and
SNIPPETS.npy (N x 128 x 128 float32 normalised mel snippets of preset 2.0_128, cut on the grid
of the reference peer's split_snippets, no silence removal, computed with the peer's own mel
front end). The peer then renders the snippets and measures them against the same wav:

  /usr/bin/python3 make_snippets.py REC.flac AUDIO.wav SNIPPETS.npy --peer PEER_DIR
  /usr/bin/python3 PEER_DIR/peer_invert.py SNIPPETS.npy --out peer.wav --reference AUDIO.wav
  MH_VOICE_SNIPPETS=SNIPPETS.npy MH_VOICE_REFERENCE=AUDIO.wav \
      metahuman_bench --benchmark_filter=VoiceQuality

PEER_DIR is the folder of torch_peer.py (the shared peers folder beside the repository).
"""
import argparse
import sys
from math import gcd

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recording")
    ap.add_argument("audio_out")
    ap.add_argument("snippets_out")
    ap.add_argument("--peer", required=True, help="folder holding torch_peer.py")
    ap.add_argument("--rate", type=int, default=44100)
    a = ap.parse_args()
    sys.path.insert(0, a.peer)
    import torch_peer as tp

    data, sr = sf.read(a.recording, dtype="float64", always_2d=True)
    mono = data.mean(axis=1)
    if sr != a.rate:
        g = gcd(sr, a.rate)
        mono = resample_poly(mono, a.rate // g, sr // g)
    pcm = mono.astype(np.float32)
    sf.write(a.audio_out, pcm, a.rate, subtype="FLOAT")

    cfg = tp.snippet_config("2.0_128", sr=a.rate)
    snippets = tp.split_snippets(pcm, cfg)
    if snippets is None:
        raise SystemExit("recording shorter than one snippet")
    specs = tp.MelFrontEnd(cfg)(snippets)[:, 0].numpy().astype(np.float32)
    np.save(a.snippets_out, specs)
    print(f"{len(pcm) / a.rate:.2f} s -> {specs.shape[0]} snippets {specs.shape[1:]}")


if __name__ == "__main__":
    main()
