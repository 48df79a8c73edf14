#!/usr/bin/env bash
# ML1 quality per second of training, judged by the notes (docs/notes.md) and by the validation
# MSE: the default (`notes`) and `seed` presets of this program and the reference peer's VAE, each
# trained for the same wall-clock budgets on the same recordings, in one run, then made to imitate
# music none of them heard. From here on, speed work is judged as quality per second.
#
#   bench/ml1_notes_per_second.sh BUILD_DIR OUT_DIR [BUDGET_S ...]     (default budgets: 60 300 600)
#
# Training: cello suites 1-5, held out: the first two movements of suite 6
# (../shared/corpora/cello; MH_NOTES_TRAIN and MH_NOTES_VAL override the globs). The C++ agents
# are made by `ingest` and trained by `train` stopped with SIGINT at the budget (it saves after
# the batch in progress, as Ctrl-C does), then measured by `evaluate`. The peer
# (`bench/peer/ml1_budget.py`, needs python3-torch) trains until the budget in whole epochs, sings
# the same recordings as the original sings, and its answers are measured by `metahuman notes`.
# Prints one table and writes OUT_DIR/summary.json; a second run skips the models already measured.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR OUT_DIR [BUDGET_S ...]}" && pwd)
out=${2:?usage: $0 BUILD_DIR OUT_DIR [BUDGET_S ...]}
shift 2
budgets=("$@")
[ ${#budgets[@]} -gt 0 ] || budgets=(60 300 600)
shared=${MH_SHARED_DIR:-$here/../shared}
cello=$shared/corpora/cello
# shellcheck disable=SC2206  # the globs are meant to expand
train=(${MH_NOTES_TRAIN:-$cello/cs[1-5]-*.flac})
# shellcheck disable=SC2206
val=(${MH_NOTES_VAL:-$cello/cs6-1pre.flac $cello/cs6-2all.flac})
mh=$build/metahuman
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"

for budget in "${budgets[@]}"; do
  for preset in notes seed; do
    agent=$out/${preset}_$budget
    if [ ! -f "$agent/evaluate.json" ]; then
      rm -rf "$agent"
      mkdir -p "$agent"
      printf '[ml1]\npreset = "%s"\nepochs = 100000\nlr_decay_epochs = 0\n' "$preset" >"$out/${preset}.toml"
      "$mh" ingest --agent "$agent" --settings "$out/${preset}.toml" "${train[@]}" >"$agent.ingest.log" 2>&1
      start=$(date +%s.%N)
      timeout -s INT "$budget" "$mh" train --agent "$agent" --stage ml1 >"$agent.train.log" 2>&1 || true
      echo "{\"train_seconds\": $(echo "$(date +%s.%N) - $start" | bc)}" >"$agent/budget.json"
      "$mh" evaluate --agent "$agent" "${val[@]}" --json "$agent/evaluate.json" --seed 0 >"$agent.evaluate.log" 2>&1
    fi
    echo "$preset ${budget} s: done"
  done
  peer=$out/peer_$budget
  if [ ! -f "$peer/notes.json" ]; then
    "$py" "$here/bench/peer/ml1_budget.py" --peer "$shared/peers" --budget "$budget" --out "$peer" \
      --train "${train[@]}" --val "${val[@]}" >"$peer.log" 2>&1
    names=()
    for f in "${val[@]}"; do names+=("$(basename "${f%.*}")"); done
    n=${#val[@]}
    for i in $(seq 0 $((n - 1))); do
      next=$(((i + 1) % n))
      "$mh" notes "${val[$i]}" "$peer/answer_${names[$i]}.wav" --json "$peer/answer_$i.json" >/dev/null
      "$mh" notes "${val[$i]}" "$peer/voice_${names[$i]}.wav" --json "$peer/voice_$i.json" >/dev/null
      "$mh" notes "${val[$i]}" "$peer/answer_${names[$next]}.wav" --json "$peer/chance_$i.json" >/dev/null
    done
    touch "$peer/notes.json"
  fi
  echo "peer ${budget} s: done"
done

"$py" - "$out" "${budgets[@]}" <<'PY'
import glob, json, os, sys
out, budgets = sys.argv[1], sys.argv[2:]

def pooled(files):
    frames = sum(json.load(open(f))["frames"] for f in files)
    agree = sum(json.load(open(f))["pitch_agreement"] * json.load(open(f))["frames"] for f in files)
    return agree / frames if frames else float("nan")

def kept(agent, chance, voice):
    return (agent - chance) / (voice - chance)

rows = []
for b in budgets:
    for preset in ("notes", "seed"):
        d = os.path.join(out, f"{preset}_{b}")
        e = json.load(open(os.path.join(d, "evaluate.json")))
        hist = [json.loads(l) for l in open(os.path.join(d, "ml1_history.jsonl")) if l.strip()]
        n = e["notes"]
        r = e["reconstruction"]
        rows.append({"model": preset, "budget_s": int(b), "epochs": len(hist),
                     "train_seconds": json.load(open(os.path.join(d, "budget.json")))["train_seconds"],
                     "pitch": n["answer"]["pitch_agreement"], "chance": n["chance"]["pitch_agreement"],
                     "voice": n["voice_only"]["pitch_agreement"], "notes_kept": n["notes_kept"],
                     "val_mse": r["mse"], "mse_over_time_flat": r["mse"] / r["mse_time_flat"],
                     "mse_over_mean_snippet": r["mse"] / r["mse_mean_snippet"]})
    d = os.path.join(out, f"peer_{b}")
    f = json.load(open(os.path.join(d, "figures.json")))
    p, c, v = (pooled(sorted(glob.glob(os.path.join(d, f"{k}_*.json")))) for k in ("answer", "chance", "voice"))
    rows.append({"model": "peer (original VAE)", "budget_s": int(b), "epochs": f["epochs"],
                 "train_seconds": f["train_seconds"], "pitch": p, "chance": c, "voice": v,
                 "notes_kept": kept(p, c, v), "val_mse": f["val_mse"],
                 "mse_over_time_flat": f["val_mse"] / f["val_time_flat"], "mse_over_mean_snippet": None})
json.dump(rows, open(os.path.join(out, "summary.json"), "w"), indent=1)
print(f"{'model':<20} {'budget':>6} {'epochs':>6} {'pitch':>6} {'chance':>6} {'voice':>6} {'kept':>6} {'MSE/flat':>8}")
for r in rows:
    print(f"{r['model']:<20} {r['budget_s']:>6} {r['epochs']:>6} {100*r['pitch']:>5.0f}% {100*r['chance']:>5.0f}% "
          f"{100*r['voice']:>5.0f}% {100*r['notes_kept']:>5.0f}% {r['mse_over_time_flat']:>8.2f}")
PY
