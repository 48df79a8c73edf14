#!/usr/bin/env bash
# Kills a conversation with SIGKILL at random moments and resumes it each time, then checks that
# nothing was lost: the songs, the agents' datasets and what the agents' final models sing are
# bit-identical to those of an uninterrupted run with the same seed (docs/long_runs.md).
#
#   scripts/random_kills.sh BUILD_DIR OUT [KILLS=20] [SEED=1] [ROUNDS=4] [CORPUS=data/default_corpus]
#
# Each resumed process is killed a random (seeded) moment after it logged a new song, listen or
# dream-start event, the three in turn: up to 150 ms after a song (its listener is hearing it), a
# sixtieth of the uninterrupted run after a listen, a twelfth after a dream start (training and
# the save that ends it). So every kill finds the run further on. OUT/kills.csv lists the kills;
# the summary names what each killed process was making (the event after its last one in the
# finished log). Exits 0 when everything matches, 1 when something differs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR OUT [KILLS] [SEED] [ROUNDS] [CORPUS]" >&2; exit 2; }
bin=$(cd "$1" && pwd)/metahuman
out=$2
kills=${3:-20}
seed=${4:-1}
rounds=${5:-4}
corpus=${6:-$here/data/default_corpus}
[ -x "$bin" ] || { echo "no metahuman in $1" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
# shellcheck source=scripts/small_agents.sh
source "$here/scripts/small_agents.sh"
make_small_agents "$bin" "$corpus" "$out"
cat > "$out/conversation.toml" <<TOML
rounds = $rounds
dream_every = 1
excerpt_min_s = 3
excerpt_max_s = 6
machine_song_s = 4
seed = 7
[a]
dream_ml1_epochs = 1
dream_ml2_epochs = 1
[b]
dream_ml1_epochs = 1
dream_ml2_epochs = 1
TOML

fresh_copy() {  # fresh copies of the two agents in $1
  rm -rf "$1"
  mkdir -p "$1"
  cp -r "$out/Valerio" "$out/Dennis" "$1/"
}
converse() {  # $1: run folder; the rest: extra arguments. exec: a background call's $! is the program itself
  local run=$1
  shift
  exec "$bin" converse --session "$run/session" --agents "$run/Valerio" "$run/Dennis" --settings "$out/conversation.toml" "$@"
}

events_in() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
fresh_copy "$out/whole"
t0=$(date +%s.%N)
(converse "$out/whole") > "$out/whole.log" 2>&1
whole_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f", b - a}')
echo "uninterrupted run: $whole_s s" >&2

fresh_copy "$out/killed"
RANDOM=$seed
echo "kill,after_event,wait_s,events_logged" > "$out/kills.csv"
log=$out/killed/session/events.jsonl
targets=(song listen dream_start)
for ((k = 1; k <= kills; k++)); do
  before=$(events_in "$log")
  converse "$out/killed" --resume > "$out/killed_$k.log" 2>&1 &
  pid=$!
  # Each kill waits for a new event of the next type in turn, then a random moment: after a song
  # the listener is hearing it, after a listen the next song or a dream begins, after a dream's
  # start it trains and saves.
  target=${targets[$(((k - 1) % 3))]}
  for ((w = 0; w < 3000; w++)); do
    found=$(tail -n +"$((before + 1))" "$log" 2>/dev/null | grep -c "\"type\":\"$target\"" || true)
    [ "${found:-0}" -gt 0 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  # A small agent hears a song in a fraction of a second: a listen is only caught at once.
  wait_ms=$((RANDOM % ($(awk -v s="$whole_s" -v t="$target" 'BEGIN {printf "%d", t == "song" ? 150 : s * 1000 / (t == "dream_start" ? 12 : 60)}') + 1)))
  sleep "$(awk -v ms="$wait_ms" 'BEGIN {printf "%.3f", ms / 1000}')"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" || true
    echo "the run ended before kill $k; $((k - 1)) kills made" >&2
    break
  fi
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  events=$(events_in "$log")
  echo "$k,$target,$(awk -v ms="$wait_ms" 'BEGIN {printf "%.3f", ms / 1000}'),$events" >> "$out/kills.csv"
  printf '\rkill %d/%d, %5d ms after a %-11s event, %d events logged' "$k" "$kills" "$wait_ms" "$target" "$events" >&2
done
echo >&2
(converse "$out/killed" --resume) > "$out/killed_final.log" 2>&1

status=0
differ() { echo "DIFFERS: $*"; status=1; }
# Songs: every WAV and sidecar, byte for byte.
(cd "$out/whole/session/songs" && find . -type f | sort) > "$out/whole_songs.txt"
(cd "$out/killed/session/songs" && find . -type f | sort) > "$out/killed_songs.txt"
cmp -s "$out/whole_songs.txt" "$out/killed_songs.txt" || differ "the list of song files"
while read -r f; do
  case "$f" in *.json) continue ;; esac  # sidecars carry the wall-clock time they were written
  cmp -s "$out/whole/session/songs/$f" "$out/killed/session/songs/$f" || differ "song $f"
done < "$out/whole_songs.txt"
for name in Valerio Dennis; do
  # The datasets: every snippet the agent heard, in order.
  cmp -s "$out/whole/$name/dataset/snippets.bin" "$out/killed/$name/dataset/snippets.bin" || differ "$name's snippets"
  # The models: checkpoints hold training times, so compare what they sing.
  for run in whole killed; do
    "$bin" compose --agent "$out/$run/$name" --seconds 3 --seed 5 --out "$out/${run}_${name}_composed.wav" > /dev/null 2>&1
  done
  cmp -s "$out/whole_${name}_composed.wav" "$out/killed_${name}_composed.wav" || differ "$name's composed song"
done
songs=$(grep -c . "$out/whole_songs.txt")
made=$(($(wc -l < "$out/kills.csv") - 1))
echo "kills: $made; song files compared: $songs; killed while making (the next event of the finished log):"
# The event after the last one a killed process logged is the one it was making when killed.
tail -n +2 "$out/kills.csv" | cut -d, -f4 | while read -r n; do
  sed -n "$((n + 1))p" "$out/killed/session/events.jsonl" | grep -o '"type":"[a-z_]*"' | cut -d'"' -f4
done | sed 's/^song$/song (singing)/; s/^listen$/listen (hearing and remembering)/; s/^dream_end$/dream (training and saving)/' |
  sort | uniq -c
[ $status = 0 ] && echo "pass: the songs, datasets and models are bit-identical to the uninterrupted run" ||
  echo "FAIL: see above"
exit $status
