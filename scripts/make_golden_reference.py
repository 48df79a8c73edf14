#!/usr/bin/python3
"""Cut the committed golden DSP reference set (tests/fixtures/golden/) out of the full one.

The full reference set lives beside the project (../shared/reference, see its README.md); it is
33 MB and not part of the repository. The golden set is a few hundred KB subset of it, so that
the DSP parity tests also run in a clean clone. Nothing here is computed anew by the project's
own code: every expected value is a verbatim copy or a crop of an array made by an independent
implementation.

Where each file comes from (paths relative to the reference folder):

* librosa_testdata/power_to_db_cases.json, mel_conversions.json: copied whole. librosa's test
  suite (test_power_to_db*, test_filters.py) and its MATLAB-made hz<->mel data.
* librosa_testdata/melfb-001.npy, melfb-002.npy, melfbnorm-002.npy: copied whole (sr 8000,
  n_fft 256, 20 mels, Slaney/HTK, norm slaney/None); their entries of melfb_cases.json are
  kept. The MATLAB reference filterbanks (Dan Ellis's fft2melmx.m) from librosa's tests.
* librosa_testdata/stft_input_test1_22050_mono.npy: the first samples only, as many as the
  kept STFT frames need. librosa's tests/data/test1_22050.wav, mono-mixed.
* librosa_testdata/stft-NNN.npy: the first frames only (center=False, so a frame depends on
  its own samples alone and a cropped input reproduces it exactly). MATLAB pvoc stft.m.
* librosa_0.11.0/<signal>_sr<sr>_n<n_fft>_h<hop>_mel_*.npy: some frames only, of a signal
  cropped to a stretch that starts on a frame (signals/<signal>_sr<sr>_crop.npy). With centred
  frames padded by zeros, a frame of the cropped signal equals the full signal's frame at the
  same place as long as its window lies inside the crop, or runs over an end that the crop
  shares with the full signal; only those frames are kept. A dB case is kept only when the
  80 dB floor (taken over the whole array) is the same for the cropped signal, which this
  script checks with its own NumPy mel power; librosa 0.11.0 made the arrays.

Each cropped entry records what was kept in a "golden" object: the source file, the frames in
the source, the first frame of the source kept, and the first frame of the cropped signal that
matches it ("first_frame", so the tests compare frames first_frame, first_frame + 1, ...).

Usage: scripts/make_golden_reference.py [REFERENCE_DIR] [OUT_DIR]
  defaults: ../shared/reference and tests/fixtures/golden, relative to the project root.
"""
import json
import pathlib
import shutil
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference"
OUT = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "tests" / "fixtures" / "golden"

# STFT cases (file, frames kept): enough frames to cover every window shape and hop.
STFT_CASES = {"stft-018.npy": 4, "stft-008.npy": 8, "stft-007.npy": 8, "stft-004.npy": 8}
MELFB_FILES = ["melfb-001.npy", "melfb-002.npy", "melfbnorm-002.npy"]
# Front-end cases: (signal, sr, first sample, samples or None for "to the end", [(n_fft, hop,
# quantity)]). The seed setting (1380/690 at 44.1 kHz, a mixed-radix FFT), Slaney and HTK
# scales, both sample rates, and both ends of a signal. The crops hold each dB case's loudest
# frame (the cello's is its last).
MEL_CASES = [
    ("cello", 44100, 112 * 690, None, [(1380, 690, "mel_slaney_power"), (1380, 690, "mel_slaney_db")]),
    ("chirp", 22050, 0, 4608, [(1024, 256, "mel_slaney_power"), (1024, 256, "mel_slaney_db")]),
    ("amen", 22050, 0, 4096, [(1024, 256, "mel_htk_power")]),
]


def save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.ascontiguousarray(array))


def copy(rel):
    (OUT / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SRC / rel, OUT / rel)


def centred_mel_power(x, n_fft, hop, fbank):
    """librosa's melspectrogram: periodic Hann, centred frames, zero padding, power 2."""
    pad = np.pad(x.astype(np.float64), n_fft // 2)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    frames = 1 + len(x) // hop
    spec = np.stack([np.fft.rfft(pad[t * hop:t * hop + n_fft] * window) for t in range(frames)], axis=1)
    return fbank.astype(np.float64) @ (np.abs(spec) ** 2)


def stft_set():
    cases = json.loads((SRC / "librosa_testdata/stft_cases.json").read_text())
    kept, need = [], 0
    for case in cases["cases"]:
        frames = STFT_CASES.get(case["file"])
        if frames is None:
            continue
        source = np.load(SRC / "librosa_testdata" / case["file"])
        save(OUT / "librosa_testdata" / case["file"], source[:, :frames, :])
        need = max(need, (frames - 1) * case["hop_length"] + case["n_fft"])
        case = dict(case, frames_kept=frames, shape=[source.shape[0], frames, 2])
        case["golden"] = {"source_file": case["file"], "frames_in_source": int(source.shape[1])}
        kept.append(case)
    signal = np.load(SRC / "librosa_testdata" / cases["input"]["file"])
    save(OUT / "librosa_testdata" / cases["input"]["file"], signal[:need])
    cases["input"] = dict(cases["input"], samples_kept=need)
    cases["cases"] = kept
    (OUT / "librosa_testdata/stft_cases.json").write_text(json.dumps(cases, indent=1) + "\n")


def melfb_set():
    cases = json.loads((SRC / "librosa_testdata/melfb_cases.json").read_text())
    cases["cases"] = [c for c in cases["cases"] if c["file"] in MELFB_FILES]
    assert len(cases["cases"]) == len(MELFB_FILES)
    for f in MELFB_FILES:
        copy("librosa_testdata/" + f)
    (OUT / "librosa_testdata/melfb_cases.json").write_text(json.dumps(cases, indent=1) + "\n")


def kept_frames(start, samples, full_samples, n_fft, hop):
    """Frames [lo, hi) of the cropped signal that equal the full signal's frames start/hop + t."""
    assert start % hop == 0
    lo = 0 if start == 0 else -(-(n_fft // 2) // hop)
    hi = 1 + samples // hop if start + samples == full_samples else (samples - n_fft // 2) // hop + 1
    return lo, hi


def mel_set():
    index = json.loads((SRC / "librosa_0.11.0/index.json").read_text())
    by_file = {f["file"]: f for f in index["files"]}
    kept = []
    for signal, sr, start, samples, quantities in MEL_CASES:
        full_x = np.load(SRC / f"signals/{signal}_sr{sr}.npy")
        x = full_x[start:] if samples is None else full_x[start:start + samples]
        crop = f"signals/{signal}_sr{sr}_crop.npy"
        save(OUT / crop, x)
        for n_fft, hop, quantity in quantities:
            name = f"{signal}_sr{sr}_n{n_fft}_h{hop}_{quantity}.npy"
            entry = dict(by_file[name])
            full = np.load(SRC / "librosa_0.11.0" / name)
            lo, hi = kept_frames(start, len(x), len(full_x), n_fft, hop)
            first = start // hop + lo
            if quantity.endswith("_db"):
                check_db_floor(entry, name, x, n_fft, hop, (lo, hi), first, by_file)
            save(OUT / "librosa_0.11.0" / name, full[:, first:first + hi - lo])
            entry.update(signal=crop, shape=[full.shape[0], hi - lo])
            entry["golden"] = {"source_file": name, "frames_in_source": int(full.shape[1]),
                               "first_source_frame": first, "first_frame": lo,
                               "signal_first_sample": start, "signal_samples": len(x)}
            kept.append(entry)
    index["files"] = kept
    index["golden"] = "a subset of the full librosa_0.11.0/index.json; see scripts/make_golden_reference.py"
    (OUT / "librosa_0.11.0/index.json").write_text(json.dumps(index, indent=1) + "\n")


def check_db_floor(entry, name, x, n_fft, hop, frames, first, by_file):
    """The floor is max - 80 dB over the whole array: the crop must keep the same maximum."""
    power_name = name.replace("_db.npy", "_power.npy")
    full_power = np.load(SRC / "librosa_0.11.0" / power_name).astype(np.float64)
    fbank_name = f"fbank_sr{entry['sr']}_n{n_fft}_slaney_normslaney.npy"
    fbank = np.load(SRC / "librosa_0.11.0" / fbank_name) if fbank_name in by_file else \
        np.load(SRC / "torchaudio" / fbank_name)
    cropped = centred_mel_power(x, n_fft, hop, fbank)
    lo, hi = frames
    assert np.allclose(cropped[:, lo:hi], full_power[:, first:first + hi - lo], rtol=0,
                       atol=1e-4 * full_power.max()), name
    if not np.isclose(cropped.max(), full_power.max(), rtol=1e-4):
        raise SystemExit(f"{name}: the crop changes the array maximum ({cropped.max()} vs {full_power.max()}); "
                         "choose another crop")


def main():
    if not (SRC / "README.md").exists():
        raise SystemExit(f"no reference set at {SRC}")
    if OUT.exists():
        shutil.rmtree(OUT)
    copy("librosa_testdata/power_to_db_cases.json")
    copy("librosa_testdata/mel_conversions.json")
    melfb_set()
    stft_set()
    mel_set()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"{OUT}: {sum(1 for p in OUT.rglob('*') if p.is_file())} files, {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
