# Sourced by the long-run scripts (soak.sh, random_kills.sh): two small agents made from the
# first songs of each part of a corpus, so that hours of conversation fit in hours.
#   make_small_agents METAHUMAN_BINARY CORPUS OUT   → OUT/Valerio and OUT/Dennis (kept if present)
make_small_agents() {
  local bin=$1 corpus=$2 out=$3 part name
  # Quarter-second snippets, an 8-number latent, six songs each.
  cat > "$out/small.toml" <<'TOML'
preset = "0.25_16"
device = "cpu"
[snippet]
silence_window_seconds = 0.25
[voice]
griffin_lim_iterations = 8
[ingest]
validation_fraction = 0.2
reference_fraction = 0.2
[ml1]
preset = "fast"
latent_dim = 8
epochs = 2
batch_size = 16
[ml2]
latent_dim = 4
hidden = 16
max_length = 200
epochs = 2
batch_size = 2
TOML
  for part in valerio dennis; do
    name=$([ "$part" = valerio ] && echo Valerio || echo Dennis)
    [ -f "$out/$name/agent.toml" ] && continue
    mkdir -p "$out/corpus_$part"
    find "$corpus/$part" -maxdepth 1 -type f | sort | head -n 6 | while read -r f; do ln -sf "$f" "$out/corpus_$part/"; done
    "$bin" agent new --agent "$out/$name" --name "$name" --corpus "$out/corpus_$part" --settings "$out/small.toml" \
      --seed 1 > "$out/agent_$name.log" 2>&1 || { echo "agent new failed:"; tail -n 3 "$out/agent_$name.log"; return 1; }
  done
}
