#!/usr/bin/env python3
"""Writes the ML1 training data of the reference peer's benchmark as .npy, so that the C++
benchmark trains on exactly the same snippets.

The peer's ML1 figure (bench_peer.py, phase b_train_ml1_seed) trains on its seeded synthetic
60-s test signal cut into normalised mel snippets of preset 2.0_128 (silence removal on: 28
snippets of 128 x 128), tiled to 128 per epoch. This writes those 28 snippets, float32
[28, 128, 128]; metahuman_bench tiles them the same way:

  /usr/bin/python3 ml1_snippets.py OUT.npy --peer PEER_DIR
  MH_ML1_SNIPPETS=OUT.npy metahuman_bench --benchmark_filter=Ml1Epoch

PEER_DIR is the folder of torch_peer.py and bench_peer.py (the shared peers folder beside the
repository).
"""
import argparse
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--peer", required=True, help="folder holding torch_peer.py and bench_peer.py")
    ap.add_argument("--preset", default="2.0_128")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--signal-seed", type=int, default=1234)
    a = ap.parse_args()
    sys.path.insert(0, a.peer)
    import bench_peer as bp
    import torch_peer as tp

    pcm = bp.synth_test_signal(a.seconds, bp.SR, a.signal_seed)
    cfg = tp.snippet_config(a.preset, sr=bp.SR)
    specs = tp.preprocess(pcm, cfg)[:, 0].numpy().astype(np.float32)
    np.save(a.out, specs)
    print(f"{len(pcm) / bp.SR:.0f} s -> {specs.shape[0]} snippets {specs.shape[1:]}")


if __name__ == "__main__":
    main()
