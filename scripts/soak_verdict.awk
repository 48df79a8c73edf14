# The soak's verdict from its soak.csv (scripts/soak.sh; docs/long_runs.md):
#   awk -F, -v minutes=M -v cap_mb=C -v keep=K -v status=S -f scripts/soak_verdict.awk soak.csv
# RSS is sampled once a minute at whatever the conversation is doing (a song, or a dream, which
# takes tens of MB more), so one sample is no baseline: the peak of the five minutes after the
# first eighth of the run (15 min of 2 h) is compared with the peak of every later minute.
NR == 1 { next }
{
  # The WAVs' own bytes where the run recorded them (column 10), else the songs folder's disk.
  wavs = NF >= 10 ? $10 : $5
  m = $1; rss[m] = $2; files[m] = $3; if (wavs > songs_kb) songs_kb = wavs; if ($9 > snaps) snaps = $9
  sidecars_kb = NF >= 11 ? $11 : -1
  last_session = $4; last_agents = $7; sung = $8; n = m
}
END {
  settle = int(minutes / 8); if (settle < 1) settle = 1
  window = int(minutes / 24); if (window < 1) window = 1
  base = 0; top_files = files[settle]
  for (m = settle; m < settle + window && m <= n; m++) if (rss[m] > base) base = rss[m]
  top = base
  for (m = settle; m <= n; m++) { if (rss[m] > top) top = rss[m]; if (files[m] > top_files) top_files = files[m] }
  growth = top / base - 1
  single = top / rss[settle] - 1
  songs_mb = songs_kb * 1024 / 1e6
  fail = 0
  fail += check(status == 0, "exit status after SIGTERM", status)
  what = sprintf("%+.1f %% (peak of minutes %d-%d %d MB -> peak after %d MB)", 100 * growth, settle,
                 settle + window - 1, base / 1024, top / 1024)
  # A run of a few minutes is all warm-up: its memory is shown, not judged.
  if (minutes < 8) printf "info  RSS growth after minute %d (not judged under 8 minutes): %s\n", settle, what
  else fail += check(growth <= 0.10, "RSS growth after minute " settle, what)
  printf "info  against the single sample of minute %d (%d MB): %+.1f %%\n", settle, rss[settle] / 1024, 100 * single
  fail += check(top_files <= files[settle] + 4, "open files", files[settle] " -> max " top_files)
  fail += check(songs_mb <= cap_mb + 5, "songs' WAVs under their cap (+ 5 MB for the round under way)",
                sprintf("max %.1f MB, cap %d", songs_mb, cap_mb))
  if (sidecars_kb >= 0) printf "info  sidecars (kept, not capped): %.1f MB at the end\n", sidecars_kb * 1024 / 1e6
  fail += check(snaps <= keep + 2, "dream snapshots kept per agent",
                "max " snaps " dreams, keep " keep " (+ the emancipation dream's + a dream under way)")
  printf "songs sung: %d, session %d MB, agents %d MB\n", sung, last_session / 1024, last_agents / 1024
  exit fail > 0
}
function check(ok, name, what) { printf "%s  %s: %s\n", ok ? "pass" : "FAIL", name, what; return ok ? 0 : 1 }
