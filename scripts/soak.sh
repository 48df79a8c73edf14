#!/usr/bin/env bash
# A long conversation of two small agents, watched from outside: every minute the process's
# resident memory, its open files and the disk of the session and of the agents go to
# OUT/soak.csv. At the end the run is stopped with SIGTERM (as a service manager would) and
# judged (docs/long_runs.md):
#   - it exits 0;
#   - RSS after the first eighth of the run (15 min of a 2-h run) grows by at most 10 % (runs
#     under 8 minutes show it without judging);
#   - the songs folder stays under its cap (songs_max_mb, plus the songs of the round under way)
#     (+ 5 MB) and at most dream_snapshots_keep + 2 dreams' snapshots are kept per agent (the
#     last K, the emancipation dream's, and the one of a dream under way).
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
echo "minute,rss_kb,open_files,session_kb,songs_kb,dreams_kb,agents_kb,songs_sung,snapshot_dreams_max" > "$out/soak.csv"
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
  echo "$m,$rss,$files,$(kb "$session"),$(kb "$session/songs"),$(kb "$session/dreams"),$(kb "$out/Valerio" "$out/Dennis"),$sung,$(snapshot_dreams)" >> "$out/soak.csv"
  printf '\rminute %d/%d  RSS %d MB  open files %d  songs %s' "$m" "$minutes" $((rss / 1024)) "$files" "$sung" >&2
done
echo >&2
kill -TERM "$pid"
status=0
wait "$pid" || status=$?

verdict=0
awk -F, -v minutes="$minutes" -v cap_mb="$songs_cap_mb" -v keep="$keep" -v status="$status" '
  NR == 1 { next }
  {
    m = $1; rss[m] = $2; files[m] = $3; if ($5 > songs_kb) songs_kb = $5; if ($9 > snaps) snaps = $9
    last_session = $4; last_agents = $7; sung = $8; n = m
  }
  END {
    settle = int(minutes / 8); if (settle < 1) settle = 1  # 15 min of a 2-h run
    top = rss[settle]; top_files = files[settle]
    for (m = settle; m <= n; m++) { if (rss[m] > top) top = rss[m]; if (files[m] > top_files) top_files = files[m] }
    growth = top / rss[settle] - 1
    songs_mb = songs_kb * 1024 / 1e6
    fail = 0
    fail += check(status == 0, "exit status after SIGTERM", status)
    what = sprintf("%+.1f %% (%d MB -> %d MB)", 100 * growth, rss[settle] / 1024, top / 1024)
    # A run of a few minutes is all warm-up: its memory is shown, not judged.
    if (minutes < 8) printf "info  RSS growth after minute %d (not judged under 8 minutes): %s\n", settle, what
    else fail += check(growth <= 0.10, "RSS growth after minute " settle, what)
    fail += check(top_files <= files[settle] + 4, "open files", files[settle] " -> max " top_files)
    fail += check(songs_mb <= cap_mb + 5, "songs folder under its cap (+ 5 MB for the round under way)",
                  sprintf("max %.1f MB, cap %d", songs_mb, cap_mb))
    fail += check(snaps <= keep + 2, "dream snapshots kept per agent",
                  "max " snaps " dreams, keep " keep " (+ the emancipation dream'"'"'s + a dream under way)")
    printf "songs sung: %d, session %d MB, agents %d MB\n", sung, last_session / 1024, last_agents / 1024
    exit fail > 0
  }
  function check(ok, name, what) { printf "%s  %s: %s\n", ok ? "pass" : "FAIL", name, what; return ok ? 0 : 1 }
' "$out/soak.csv" || verdict=1
exit $verdict
