#!/usr/bin/env bash
# A long conversation of two small agents, watched from outside: every minute the process's
# resident memory, its open files and the disk of the session and of the agents go to
# OUT/soak.csv. At the end the run is stopped with SIGTERM (as a service manager would) and
# judged (docs/long_runs.md):
#   - it exits 0;
#   - RSS after the first eighth of the run (15 min of a 2-h run) grows by at most 10 %: the peak
#     of any later minute against the peak of the five minutes after it (scripts/soak_verdict.awk;
#     runs under 8 minutes show it without judging);
#   - the songs' WAVs stay under their cap (songs_max_mb, plus the songs of the round under way)
#     (+ 5 MB); the sidecars, the record, are kept and their size is reported;
#   - at most dream_snapshots_keep + 2 dreams' snapshots are kept per agent (the last K, the
#     emancipation dream's, and the one of a dream under way).
#
#   scripts/soak.sh BUILD_DIR OUT [MINUTES=120] [CORPUS=data/default_corpus]
#
# Exits 0 when every check passes, 1 when one fails, 2 on a usage error.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR OUT [MINUTES] [CORPUS]" >&2; exit 2; }
bin=$(cd "$1" && pwd)/metahuman
out=$2
minutes=${3:-120}
corpus=${4:-$here/data/default_corpus}
songs_cap_mb=20
keep=2
[ -x "$bin" ] || { echo "no metahuman in $1" >&2; exit 2; }
[ -d "$corpus/valerio" ] && [ -d "$corpus/dennis" ] || { echo "$corpus has no valerio/ and dennis/ parts" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
# shellcheck source=scripts/small_agents.sh
source "$here/scripts/small_agents.sh"

cat > "$out/conversation.toml" <<TOML
dream_every = 1
excerpt_min_s = 4
excerpt_max_s = 8
machine_song_s = 6
seed = 11
dream_snapshots_keep = $keep
songs_max_mb = $songs_cap_mb
[a]
dream_ml1_epochs = 1
dream_ml2_epochs = 1
dream_max_items = 200
[b]
dream_ml1_epochs = 1
dream_ml2_epochs = 1
dream_max_items = 200
TOML
make_small_agents "$bin" "$corpus" "$out"

session=$out/session
rm -rf "$session"
"$bin" converse --session "$session" --agents "$out/Valerio" "$out/Dennis" --settings "$out/conversation.toml" \
  --forever > "$out/converse.log" 2>&1 &
pid=$!
echo "minute,rss_kb,open_files,session_kb,songs_kb,dreams_kb,agents_kb,songs_sung,snapshot_dreams_max,wavs_kb,sidecars_kb" > "$out/soak.csv"
bytes_kb() {  # apparent size of the files matching $2 in folder $1, in kB
  find "$1" -maxdepth 1 -name "$2" -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print int(s / 1024)}'
}
snapshot_dreams() {  # the most dreams' snapshots any agent has
  for n in Valerio Dennis; do
    find "$session/dreams" -maxdepth 1 -name "${n}_*_before.ckpt" 2>/dev/null | sed -E "s|.*/${n}_([0-9]+)_.*|\\1|" | sort -u | wc -l
  done | sort -n | tail -n 1
}
for ((m = 1; m <= minutes; m++)); do
  sleep 60
  kill -0 "$pid" 2>/dev/null || { echo "the conversation ended early:"; tail -n 5 "$out/converse.log"; exit 1; }
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  files=$(ls "/proc/$pid/fd" | wc -l)
  kb() { du -sk "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
  sung=$(grep -c '"type":"song"' "$session/events.jsonl" 2>/dev/null || true)
  echo "$m,$rss,$files,$(kb "$session"),$(kb "$session/songs"),$(kb "$session/dreams"),$(kb "$out/Valerio" "$out/Dennis"),$sung,$(snapshot_dreams),$(bytes_kb "$session/songs" '*.wav'),$(bytes_kb "$session/songs" '*.json')" >> "$out/soak.csv"
  printf '\rminute %d/%d  RSS %d MB  open files %d  songs %s' "$m" "$minutes" $((rss / 1024)) "$files" "$sung" >&2
done
echo >&2
kill -TERM "$pid"
status=0
wait "$pid" || status=$?

verdict=0
awk -F, -v minutes="$minutes" -v cap_mb="$songs_cap_mb" -v keep="$keep" -v status="$status" \
  -f "$here/scripts/soak_verdict.awk" "$out/soak.csv" || verdict=1
exit $verdict
