#!/usr/bin/env python3
"""The reference peer's ML1 (the original's VAE) trained for a wall-clock budget on the same
recordings as the C++ benchmark `bench/ml1_notes_per_second.sh`, then made to imitate the
held-out recordings the way the original sings (encode, decode, the original's inversion).

Writes into OUT: answer_<name>.wav (the VAE's imitation), voice_<name>.wav (the same inversion of
the recording's own snippets: the peer's ceiling) and figures.json (epochs, seconds, validation
MSE next to each snippet's time-averaged spectrum). The notes are measured by `metahuman notes`,
so both programs are judged by one measure.

  /usr/bin/python3 ml1_budget.py --peer PEER_DIR --budget 300 --out OUT \
      --train cs1-*.flac ... --val cs6-*.flac ...
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", required=True, help="folder holding torch_peer.py")
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--val", nargs="+", required=True)
    ap.add_argument("--budget", type=float, required=True, help="training seconds (the epoch in progress ends)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--preset", default="2.0_128")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    sys.path.insert(0, a.peer)
    import torch
    import torch_peer as tp

    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)

    def snippets(path, delete_silent=True):
        pcm, sr = tp.load_audio(path)
        return tp.preprocess(pcm, tp.snippet_config(a.preset, sr=sr), delete_silent=delete_silent), sr

    train = torch.cat([snippets(p)[0] for p in a.train]).float()
    val = torch.cat([snippets(p)[0] for p in a.val]).float()
    model = tp.VAE(tuple(train.shape[1:]), tp.vae_config("seed"))
    opt = tp.make_adam(model, a.lr)
    gen = torch.Generator().manual_seed(a.seed)
    start = time.perf_counter()
    epochs = 0
    while time.perf_counter() - start < a.budget:
        tp.train_vae_epoch(model, opt, train, a.batch_size, gen)
        epochs += 1
    trained_s = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        mse = 0.0
        flat = 0.0
        for s in range(0, val.shape[0], 64):
            xb = val[s:s + 64]
            y, _, _ = model(xb)
            mse += float(((y - xb) ** 2).sum())
            flat += float(((xb.mean(dim=-1, keepdim=True) - xb) ** 2).sum())
    figures = {"epochs": epochs, "train_seconds": trained_s, "train_snippets": int(train.shape[0]),
               "val_snippets": int(val.shape[0]), "val_mse": mse / val.numel(), "val_time_flat": flat / val.numel()}

    # Imitations as the original sings them: every snippet of the recording (silence kept),
    # encoded, decoded and inverted.
    for path in a.val:
        name = os.path.splitext(os.path.basename(path))[0]
        specs, sr = snippets(path, delete_silent=False)
        cfg = tp.snippet_config(a.preset, sr=sr)
        inv = tp.MelInverter(cfg, seed=a.seed)
        with torch.no_grad():
            z, _, _ = model.encode(specs.float())
            mel = model.decode(z)
        tp.write_wav(os.path.join(a.out, f"answer_{name}.wav"), inv(mel), sr)
        tp.write_wav(os.path.join(a.out, f"voice_{name}.wav"), inv(specs.float()), sr)
    with open(os.path.join(a.out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
