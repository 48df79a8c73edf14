#!/usr/bin/env bash
# Builds Meta Human's built-in default corpus from human-composed music shipped by Debian:
# the MIDI songs of openttd-openmsx (GPL-2), rendered with fluidsynth and the FluidR3 GM
# soundfont (MIT). The songs are split in two halves, one per agent, each played by a single
# instrument so that the two agents learn different timbres:
#   OUT_DIR/valerio/  every other song (1st, 3rd, ...) with every melodic part on cello
#   OUT_DIR/dennis/   the remaining songs with every melodic part on acoustic grand piano
# Drums are removed. Each file holds the first SECONDS of the song (from its first note), mono,
# 44.1 kHz, 16-bit FLAC, peak-normalised to -1 dBFS, with short fades at both ends.
#
# Usage: scripts/make_default_corpus.sh OUT_DIR
#   METAHUMAN_CORPUS_JOBS  parallel renders (default: number of cores)
# Re-runs do nothing when OUT_DIR/corpus.stamp matches this script (its version and a checksum
# of its text), the package versions and the MIDI files, and every file is present.
# Output is deterministic: the same packages give byte-identical files.
set -euo pipefail

readonly kVersion=2
readonly kSeconds=40
readonly kRateHz=44100
readonly kValerioProgram=42  # GM 43: Cello
readonly kDennisProgram=0    # GM 1: Acoustic Grand Piano
readonly kMidiDir=/usr/share/games/openttd/baseset/openmsx
readonly kSoundfont=/usr/share/sounds/sf2/FluidR3_GM.sf2
readonly kPackages=(openttd-openmsx fluidsynth fluid-soundfont-gm midicsv sox)

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out_dir=$1
jobs=${METAHUMAN_CORPUS_JOBS:-$(nproc)}

install_missing() {
  local missing=()
  for p in "${kPackages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" != 0 ]; then
      echo "error: missing Debian packages (${missing[*]}) and not root: run as root or install them" >&2
      exit 1
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

package_versions() {
  for p in "${kPackages[@]}"; do
    printf '%s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p")"
  done
}

install_missing
mapfile -t songs < <(cd "$kMidiDir" && LC_ALL=C ls -1 -- *.mid)
if ((${#songs[@]} < 2)); then
  echo "error: no MIDI songs found in $kMidiDir" >&2
  exit 1
fi

# Everything the output depends on. A matching stamp means the corpus is complete and current.
stamp_text=$(
  printf 'meta-human default corpus v%s\nseconds %s\nrate_hz %s\nvalerio_program %s\ndennis_program %s\n' \
    "$kVersion" "$kSeconds" "$kRateHz" "$kValerioProgram" "$kDennisProgram"
  printf 'script %s\n' "$(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)"
  package_versions
  (cd "$kMidiDir" && sha256sum -- "${songs[@]}")
)
complete() {
  [ -f "$out_dir/corpus.stamp" ] && [ "$(cat "$out_dir/corpus.stamp")" == "$stamp_text" ] &&
    [ -f "$out_dir/PROVENANCE.md" ] &&
    [ "$(find "$out_dir/valerio" "$out_dir/dennis" -maxdepth 1 -name '*.flac' 2>/dev/null | wc -l)" -eq "${#songs[@]}" ] &&
    [ "$(find "$out_dir/library" -maxdepth 1 -name '*.flac' 2>/dev/null | wc -l)" -eq "${#songs[@]}" ]
}
if complete; then
  echo "default corpus in $out_dir is up to date"
  exit 0
fi

mkdir -p "$out_dir"
staging=$(mktemp -d "$out_dir/.building.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/valerio" "$staging/dennis" "$staging/library"

# One song: MIDI → CSV, rewritten (instrument forced, drums and bank selects removed, cut a
# little after SECONDS of music) → MIDI → float WAV (fluidsynth) → mono FLAC (sox).
render_song() {
  set -euo pipefail
  local song=$1 program=$2 dest=$3 work
  work=$(mktemp -d "$staging/song.XXXXXX")
  midicsv "$kMidiDir/$song" >"$work/in.csv"
  awk -F', ' -v program="$program" -v seconds="$kSeconds" '
    # Pass 1: the tempo map, the pulses per quarter note and the first melodic note.
    NR == FNR {
      if ($3 == "Header") division = $6
      if ($3 == "Tempo") { n++; tempo_tick[n] = $2 + 0; tempo_us[n] = $4 + 0 }
      if ($3 == "Note_on_c" && $4 != 9 && $6 > 0 && (first == "" || $2 + 0 < first)) first = $2 + 0
      next
    }
    FNR == 1 {
      # Tempo events sorted by tick (insertion sort: a song holds few of them).
      for (i = 2; i <= n; i++) {
        t = tempo_tick[i]; u = tempo_us[i]
        for (j = i - 1; j >= 1 && tempo_tick[j] > t; j--) { tempo_tick[j + 1] = tempo_tick[j]; tempo_us[j + 1] = tempo_us[j] }
        tempo_tick[j + 1] = t; tempo_us[j + 1] = u
      }
      cutoff = tick_at(seconds_at(first + 0) + seconds + 2)
    }
    function seconds_at(tick,   s, last_tick, us, i) {
      s = 0; last_tick = 0; us = 500000
      for (i = 1; i <= n && tempo_tick[i] <= tick; i++) {
        s += (tempo_tick[i] - last_tick) * us / (division * 1e6); last_tick = tempo_tick[i]; us = tempo_us[i]
      }
      return s + (tick - last_tick) * us / (division * 1e6)
    }
    function tick_at(target,   s, last_tick, us, i, span) {
      s = 0; last_tick = 0; us = 500000
      for (i = 1; i <= n; i++) {
        span = (tempo_tick[i] - last_tick) * us / (division * 1e6)
        if (s + span >= target) break
        s += span; last_tick = tempo_tick[i]; us = tempo_us[i]
      }
      return int(last_tick + (target - s) * division * 1e6 / us) + 1
    }
    # Pass 2: rewrite.
    # The first track silences every channel half a beat after the cutoff, and every track ends
    # a beat after it: the renderer runs until no voice sounds, and a cut-off note on a
    # sustaining instrument would never stop. The gap keeps the silencing after the last note
    # even where the player handles several tracks in one step.
    $3 == "End_track" {
      if (!silenced) {
        for (c = 0; c < 16; c++) {
          print $1 ", " cutoff + int(division / 2) ", Control_c, " c ", 64, 0"
          print $1 ", " cutoff + int(division / 2) ", Control_c, " c ", 120, 0"
          print $1 ", " cutoff + int(division / 2) ", Control_c, " c ", 123, 0"
        }
        silenced = 1
      }
      print $1 ", " cutoff + division ", End_track"
      next
    }
    $1 + 0 > 0 && $2 + 0 > cutoff { next }
    ($3 == "Note_on_c" || $3 == "Note_off_c") && $4 == 9 { next }
    $3 == "Control_c" && ($5 == 0 || $5 == 32) { next }
    $3 == "Program_c" && $4 != 9 { print $1 ", " $2 ", Program_c, " $4 ", " program; next }
    { print }
    # Channels that never change program would keep the default (piano): set every one.
    $3 == "Start_track" && !programs_set {
      for (c = 0; c < 16; c++) if (c != 9) print $1 ", 0, Program_c, " c ", " program
      programs_set = 1
    }
  ' "$work/in.csv" "$work/in.csv" >"$work/out.csv"
  csvmidi "$work/out.csv" "$work/out.mid"
  # The time limit only guards against a file the rewrite above did not tame.
  timeout 120 fluidsynth -ni -q -o synth.dynamic-sample-loading=1 -C 0 -R 1 -g 0.2 -r "$kRateHz" -O float -T wav -F "$work/out.wav" "$kSoundfont" \
    "$work/out.mid" >/dev/null
  # -R: repeatable, -D: no dither (random); silence: start at the first note; norm: peak -1 dBFS.
  sox -V1 -R -D "$work/out.wav" -b 16 "$dest" channels 1 silence 1 0.01 0.05% trim 0 "$kSeconds" \
    fade t 0.01 "$kSeconds" 0.5 norm -1
  rm -rf "$work"
}
export -f render_song
export kMidiDir kSoundfont kSeconds kRateHz staging

start_s=$SECONDS
for i in "${!songs[@]}"; do
  name=${songs[$i]%.mid}
  # Each song also in the other part's instrument, in library/: a crawl through the whole corpus
  # then has more songs to choose from than an agent takes (docs/crawl.md).
  if ((i % 2 == 0)); then
    printf '%s\0%s\0%s\0' "${songs[$i]}" "$kValerioProgram" "$staging/valerio/$name.flac"
    printf '%s\0%s\0%s\0' "${songs[$i]}" "$kDennisProgram" "$staging/library/${name}_piano.flac"
  else
    printf '%s\0%s\0%s\0' "${songs[$i]}" "$kDennisProgram" "$staging/dennis/$name.flac"
    printf '%s\0%s\0%s\0' "${songs[$i]}" "$kValerioProgram" "$staging/library/${name}_cello.flac"
  fi
done | xargs -0 -n 3 -P "$jobs" bash -c 'render_song "$@"' _

list_part() {
  local part=$1 f
  for f in "$staging/$part"/*.flac; do
    printf -- '- `%s/%s` — %s s\n' "$part" "$(basename "$f")" "$(soxi -D "$f")"
  done
}

cat >"$staging/PROVENANCE.md" <<PROVENANCE
# Meta Human default corpus

Made by \`scripts/make_default_corpus.sh\` (corpus version $kVersion).

## Sources

- **Music**: the MIDI songs of OpenMSX $(dpkg-query -W -f='${Version}' openttd-openmsx), the free base music
  set of OpenTTD, human-composed by several authors (see \`$kMidiDir/readme.txt.gz\`),
  Debian package \`openttd-openmsx\`. Licence: GNU GPL version 2
  (\`/usr/share/doc/openttd-openmsx/copyright\`; full text in \`/usr/share/common-licenses/GPL-2\`).
  The rendered audio is a derived work of these songs and is distributed under the same licence.
- **Instruments**: the Fluid (R3) General MIDI SoundFont by Frank Wen and contributors, Debian
  package \`fluid-soundfont-gm\` $(dpkg-query -W -f='${Version}' fluid-soundfont-gm), file \`$kSoundfont\`.
  Licence: MIT (\`/usr/share/doc/fluid-soundfont-gm/copyright\`).
- **Tools**: $(package_versions | grep -v -e openttd-openmsx -e fluid-soundfont-gm | tr '\n' ',' | sed 's/,$//; s/,/, /g').

## Parts

The ${#songs[@]} songs, in byte order of their file names, alternate between the two agents.

- \`valerio/\`: songs 1, 3, 5, …; every melodic channel forced to GM program $((kValerioProgram + 1)) (Cello).
- \`dennis/\`: songs 2, 4, 6, …; every melodic channel forced to GM program $((kDennisProgram + 1)) (Acoustic Grand Piano).
- \`library/\`: every song once more in the other part's instrument (\`NAME_piano.flac\` for the
  songs of \`valerio/\`, \`NAME_cello.flac\` for those of \`dennis/\`). The demo's agents learn from
  songs that a crawl through the whole corpus chooses (\`docs/crawl.md\`); these give it a
  library twice the size of what the two agents take.

Drums (channel 10) are removed: one instrument per agent gives homogeneous material that
trains far better than a mixed band.

## How each file is made

1. \`midicsv SONG.mid\`, then an awk program (in the script) that: sets every channel except 10
   to the agent's program at time 0 and replaces every program change with it; removes the
   drum notes and the bank selects (controllers 0 and 32, so that the General MIDI bank is
   used); drops every event later than $kSeconds s + 2 s after the first melodic note
   (following the song's tempo map) and silences every channel there (sustain off, all
   sound off, all notes off); then \`csvmidi\`.
2. \`fluidsynth -ni -q -o synth.dynamic-sample-loading=1 -C 0 -R 1 -g 0.2 -r $kRateHz -O float -T wav -F out.wav FluidR3_GM.sf2 out.mid\`
   (only the samples used are loaded, chorus off, reverb on, 32-bit float so nothing clips).
3. \`sox -V1 -R -D out.wav -b 16 NAME.flac channels 1 silence 1 0.01 0.05% trim 0 $kSeconds fade t 0.01 $kSeconds 0.5 norm -1\`:
   mono (mean of the channels), leading silence removed, first $kSeconds s, 10 ms fade-in and 0.5 s
   fade-out, peak-normalised to -1 dBFS, 16-bit FLAC at $kRateHz Hz, no dither.

## Files

$(list_part valerio)
$(list_part dennis)
$(list_part library)
PROVENANCE

# Replace only what this script owns, then write the stamp last: an interrupted run leaves no
# stamp and is redone.
rm -f "$out_dir/corpus.stamp"
rm -rf "$out_dir/valerio" "$out_dir/dennis" "$out_dir/library"
mv "$staging/valerio" "$staging/dennis" "$staging/library" "$out_dir/"
mv "$staging/PROVENANCE.md" "$out_dir/PROVENANCE.md"
printf '%s\n' "$stamp_text" >"$out_dir/corpus.stamp.tmp"
mv "$out_dir/corpus.stamp.tmp" "$out_dir/corpus.stamp"

for part in valerio dennis library; do
  total=$(for f in "$out_dir/$part"/*.flac; do soxi -D "$f"; done | awk '{s += $1} END {printf "%.1f", s}')
  count=$(find "$out_dir/$part" -name '*.flac' | wc -l)
  size=$(du -sh "$out_dir/$part" | cut -f1)
  echo "$part: $count songs, $total s, $size"
done
echo "default corpus written to $out_dir in $((SECONDS - start_s)) s"
