// Draws the session report's charts from MH_DATA (written by the program into the page) with
// Chart.js (embedded above). Everything here must work from file:// with no network, and must
// cope with a session that is still running: any part of MH_DATA may be empty. The live page
// (live.js) calls MH_REPORT.draw again with new data: draw() starts from empty containers.
(function () {
  'use strict';
  const errors = [];
  window.addEventListener('error', (e) => errors.push(String(e.message)));
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;

  const charts = [];
  function draw(D, pinned) {
  for (const chart of charts.splice(0)) chart.destroy();
  for (const id of ['map-charts', 'measure-charts', 'training-charts']) document.getElementById(id).replaceChildren();
  document.querySelectorAll('.map-controls').forEach((controls) => controls.remove());
  const agentColours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
  const agents = [];
  for (const a of (D.agents || []).concat(Object.keys(D.map || {}))) if (!agents.includes(a)) agents.push(a);
  const agentColour = (name) => agentColours[Math.max(0, agents.indexOf(name)) % agentColours.length];

  // Viridis stops: rounds early (dark blue) to late (yellow), readable as grey too.
  const viridis = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
                   [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];
  function roundColour(t) {
    const x = Math.min(1, Math.max(0, t)) * (viridis.length - 1);
    const i = Math.min(Math.floor(x), viridis.length - 2);
    const f = x - i;
    const c = viridis[i].map((v, k) => Math.round(v * (1 - f) + viridis[i + 1][k] * f));
    return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
  }

  const translucent = (rgb, alpha) => rgb.replace(/^rgb\((.*)\)$/, `rgba($1, ${alpha})`);

  function addChart(containerId, title, config, extraClass) {
    const container = document.getElementById(containerId);
    const box = document.createElement('div');
    box.className = 'chart' + (extraClass ? ' ' + extraClass : '');
    const h = document.createElement('h3');
    h.textContent = title;
    const canvasBox = document.createElement('div');
    canvasBox.className = 'canvas-box';
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', title);
    canvasBox.appendChild(canvas);
    box.appendChild(h);
    box.appendChild(canvasBox);
    container.appendChild(box);
    charts.push(new Chart(canvas, config));
    return box;
  }

  function note(containerId, text) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    document.getElementById(containerId).appendChild(p);
  }

  const points = (xy) => (Array.isArray(xy) ? xy : [])
    .filter((p) => Array.isArray(p) && p.length >= 2 && isFinite(p[0]) && isFinite(p[1]))
    .map((p) => ({ x: +p[0], y: +p[1] }));

  // ---- Latent maps ----
  // One scatter per agent: its human corpus as grey dots, every song as dots joined into a path.
  // The axes keep one unit per pixel both ways: a PCA plane squeezed in one direction would show
  // distances that are not there.
  const songs = D.songs || [];
  const rounds = songs.map((s) => +s.round).filter((r) => isFinite(r));
  const maxRound = rounds.length ? Math.max(...rounds) : 0;
  const minRound = rounds.length ? Math.min(...rounds) : 0;  // sessions count rounds from 0 or from 1
  const mapCharts = [];
  let maps = 0;
  function equalUnits(chart, xs, ys) {
    const area = chart.chartArea;
    if (!area || !xs.length) return;
    const w = area.right - area.left, h = area.bottom - area.top;
    const lo = (v) => Math.min(...v), hi = (v) => Math.max(...v);
    const cx = (lo(xs) + hi(xs)) / 2, cy = (lo(ys) + hi(ys)) / 2;
    const perPixel = 1.06 * Math.max((hi(xs) - lo(xs)) / w, (hi(ys) - lo(ys)) / h) || 1;
    Object.assign(chart.options.scales.x, { min: cx - perPixel * w / 2, max: cx + perPixel * w / 2 });
    Object.assign(chart.options.scales.y, { min: cy - perPixel * h / 2, max: cy + perPixel * h / 2 });
    chart.update();
  }
  for (const name of agents) {
    const m = (D.map || {})[name] || {};
    const datasets = [];
    const reference = points(m.reference);
    // The corpus is drawn over the songs: it is the ground they drift away from.
    datasets.push({ label: 'human corpus (generation 0)', data: reference, pointRadius: 3.5, pointHoverRadius: 5,
                    backgroundColor: 'rgba(120, 120, 130, 0.75)', borderColor: '#fff', borderWidth: 1, showLine: false,
                    order: -1 });
    for (const s of songs) {
      const path = points(s.map && s.map[name]);
      if (!path.length) continue;
      const c = roundColour(maxRound > minRound ? ((+s.round || 0) - minRound) / (maxRound - minRound) : 0);
      datasets.push({ label: `song ${s.song} (${s.kind || '?'}, ${s.singer || '?'}, round ${s.round ?? '?'})`,
                      data: path, showLine: true, borderColor: translucent(c, 0.45), backgroundColor: c, borderWidth: 1,
                      pointRadius: path.map((_, i) => (i === 0 ? 4.5 : 2.5)), pointHoverRadius: 6, song: s.song,
                      pointBorderColor: c, colour: c, order: 1 });
    }
    if (datasets.length === 1 && !reference.length) continue;
    const ev = Array.isArray(m.explained_variance) ? m.explained_variance : [];
    const axis = (i) => (isFinite(ev[i]) ? `PC${i + 1} (${(100 * ev[i]).toFixed(1)} % of variance)` : `PC${i + 1}`);
    const box = addChart('map-charts', `${name}: latent map`, {
      type: 'scatter',
      data: { datasets },
      options: {
        parsing: false,
        scales: { x: { title: { display: true, text: axis(0) }, ticks: { includeBounds: false } },
                  y: { title: { display: true, text: axis(1) }, ticks: { includeBounds: false } } },
        onClick: (event, elements, chart) => {
          const hit = elements.map((e) => chart.data.datasets[e.datasetIndex]).find((d) => d.song !== undefined);
          if (hit) location.hash = `song-${hit.song}`;
        },
        plugins: {
          legend: { labels: { filter: (item, data) => data.datasets[item.datasetIndex].song === undefined } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: snippet ${ctx.dataIndex}` } },
        },
      },
    }, 'map');
    const chart = charts[charts.length - 1];
    const all = datasets.flatMap((d) => d.data);
    equalUnits(chart, all.map((p) => p.x), all.map((p) => p.y));
    mapCharts.push(chart);
    const bar = document.createElement('div');
    bar.className = 'colourbar';
    bar.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(roundColour).join(', ')})`;
    const labels = document.createElement('div');
    labels.className = 'colourbar-labels';
    labels.innerHTML = `<span>round ${minRound}</span><span>song paths coloured by round (first snippet larger)</span><span>round ${maxRound}</span>`;
    box.appendChild(bar);
    box.appendChild(labels);
    maps += 1;
  }
  if (!maps) note('map-charts', 'No latent map yet (map.json is missing or empty).');

  // Seventy songs' paths at once are a tangle: a slider shows the rounds up to one (or that one
  // alone), so a person can watch the songs drift away from the human corpus round by round.
  let roundShown = maxRound;
  let roundOnly = false;
  const roundOf = {};
  for (const s of songs) roundOf[s.song] = +s.round || 0;
  const visibleRound = (r) => (roundOnly ? r === roundShown : r <= roundShown);
  function showRounds() {
    for (const chart of mapCharts) {
      for (const d of chart.data.datasets) {
        if (d.song !== undefined) d.hidden = !(visibleRound(roundOf[d.song]) || d.song === highlighted);
      }
      chart.update('none');
    }
  }
  if (mapCharts.length && maxRound > minRound) {
    const controls = document.createElement('div');
    controls.className = 'map-controls';
    controls.innerHTML = `<label>Songs of rounds ${minRound} to <output id="map-round-value">${maxRound}</output> ` +
      `<input id="map-round" type="range" min="${minRound}" max="${maxRound}" step="1" value="${maxRound}"></label>` +
      '<label><input id="map-round-only" type="checkbox"> only that round</label>';
    const container = document.getElementById('map-charts');
    container.parentNode.insertBefore(controls, container);
    const slider = controls.querySelector('#map-round');
    const only = controls.querySelector('#map-round-only');
    const update = () => {
      roundShown = +slider.value;
      roundOnly = only.checked;
      controls.querySelector('#map-round-value').textContent = String(roundShown);
      showRounds();
    };
    slider.addEventListener('input', update);
    only.addEventListener('change', update);
  }

  // One song stands out on every map (the others fade) while a person points at its card or
  // has followed a link to it.
  let highlighted = null;
  function highlight(song) {
    if (song === highlighted) return;
    highlighted = song;
    for (const chart of mapCharts) {
      for (const d of chart.data.datasets) {
        if (d.song === undefined) continue;
        const on = d.song === song;
        const faded = song !== null && !on;
        const line = faded ? 'rgba(160, 160, 170, 0.15)' : on ? '#111' : translucent(d.colour, 0.45);
        const dot = faded ? 'rgba(160, 160, 170, 0.25)' : d.colour;
        Object.assign(d, { borderColor: line, backgroundColor: dot, pointBorderColor: on ? '#111' : dot,
                           borderWidth: on ? 3 : 1, order: on ? 0 : 1 });
      }
      chart.update('none');
    }
    showRounds();
    document.querySelectorAll('article.song.highlight').forEach((a) => a.classList.remove('highlight'));
    if (song !== null) {
      const card = document.getElementById(`song-${song}`);
      if (card) card.classList.add('highlight');
    }
  }
  const fromHash = () => {
    const m = /^#song-(\d+)$/.exec(location.hash);
    return m ? +m[1] : (pinned ?? null);
  };
  // Handlers are assigned, not added: a redraw replaces those bound to the charts it destroyed.
  for (const card of document.querySelectorAll('article.song')) {
    card.onmouseenter = () => highlight(+card.dataset.song);
    card.onmouseleave = () => highlight(fromHash());
  }
  window.onhashchange = () => highlight(fromHash());
  highlight(fromHash());
  // ---- Measures over dreams ----
  function flatten(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj || {})) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'number' && isFinite(v)) out[key] = v;
      else if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    }
    return out;
  }
  const rows = (D.measures || []).map((r, i) => ({ agent: r.agent || '?', dream: isFinite(r.dream) ? +r.dream : i + 1,
                                                   round: r.round, values: flatten(r, '', {}) }));
  const skip = new Set(['dream', 'round', 'seconds', 'seq', 't_star_dream', 't_star_round', 't_star_song']);
  const allKeys = [];
  for (const r of rows) for (const k of Object.keys(r.values)) if (!skip.has(k) && !allKeys.includes(k)) allKeys.push(k);
  function findKey(exact, pattern, not) {
    if (allKeys.includes(exact)) return exact;
    return allKeys.find((k) => pattern.test(k) && !(not && not.test(k)));
  }
  const byAgent = {};
  for (const r of rows) (byAgent[r.agent] = byAgent[r.agent] || []).push(r);
  const measureAgents = Object.keys(byAgent);

  function series(key) {
    return measureAgents.map((a) => ({
      label: a, data: byAgent[a].filter((r) => key in r.values).map((r) => ({ x: r.dream, y: r.values[key], round: r.round })),
      borderColor: agentColour(a), backgroundColor: agentColour(a), pointRadius: 3, borderWidth: 2,
    })).filter((d) => d.data.length);
  }
  function lineChart(containerId, title, datasets, xTitle, yTitle, extra) {
    const scales = { x: { type: 'linear', title: { display: true, text: xTitle }, ticks: { precision: 0 } },
                     y: { title: { display: true, text: yTitle } } };
    Object.assign(scales.y, (extra && extra.y) || {});
    return addChart(containerId, title, { type: 'line', data: { datasets }, options: { parsing: true, scales } });
  }

  const used = new Set();
  const humanKey = findKey('human_fraction', /human.*fraction|human_share/i, /sample|drawn|depth/i);
  let humanSets = [];
  let humanX = 'dream';
  if (humanKey) {
    used.add(humanKey);
    humanSets = series(humanKey);
  } else {
    // No measures yet: the listeners' running human share after each song heard.
    const songRound = {};
    for (const s of songs) songRound[s.song] = s.round;
    const listens = (D.listens || []).filter((l) => isFinite(l.human_fraction));
    const names = [...new Set(listens.map((l) => l.agent))];
    humanSets = names.map((a) => ({
      label: a, data: listens.filter((l) => l.agent === a).map((l) => ({ x: +l.song, y: +l.human_fraction, round: songRound[l.song] })),
      borderColor: agentColour(a), backgroundColor: agentColour(a), pointRadius: 2, borderWidth: 2,
    }));
    humanX = 'song heard';
  }
  const emancipation = [];
  if (humanSets.length) {
    const xs = humanSets.flatMap((d) => d.data.map((p) => p.x));
    const lo = Math.min(...xs), hi = Math.max(...xs);
    // t* as the conversation wrote it; sessions from before it was written are read off the curve.
    const recorded = {};
    for (const r of rows) {
      if (!(r.agent in recorded) && isFinite(r.values.t_star_dream)) recorded[r.agent] = r.values;
    }
    const marks = [];
    for (const d of humanSets) {
      const t = recorded[d.label];
      const first = t && humanX === 'dream' ? d.data.find((p) => p.x === t.t_star_dream) : d.data.find((p) => p.y < 0.5);
      if (t) {
        emancipation.push(`${d.label}: round ${t.t_star_round} (after song ${t.t_star_song}), first dream on more machine ` +
                          `than human data: dream ${t.t_star_dream}`);
      } else if (first) {
        emancipation.push(`${d.label}: ${humanX} ${first.x}` + (first.round !== undefined ? ` (round ${first.round})` : ''));
      }
      if (first) marks.push({ x: first.x, y: first.y });
    }
    if (marks.length) {
      humanSets.push({ label: 'emancipation', data: marks, showLine: false, pointStyle: 'triangle', pointRadius: 9,
                       borderColor: '#000', backgroundColor: '#ffd400', borderWidth: 1.5 });
    }
    humanSets.push({ label: '50 %', data: [{ x: lo, y: 0.5 }, { x: hi === lo ? lo + 1 : hi, y: 0.5 }],
                     borderColor: '#888', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
    lineChart('measure-charts', 'Human fraction of what each agent trains on', humanSets, humanX, 'human items / all items',
              { y: { min: 0, max: 1 } });
  }
  document.getElementById('emancipation').textContent = !humanSets.length
    ? 'No measures yet: the first dream has not ended.'
    : emancipation.length
      ? `Emancipation (the human share of what the agent trains on falls below 50 %): ${emancipation.join('; ')}.`
      : 'No agent has emancipated yet: the human fraction is still at or above 50 %.';

  const named = [
    ['frechet_distance', /frechet|fr[eé]chet|\bfd\b/i, /ratio|relative|_0$|rel/i, 'Fréchet distance to the human reference', 'FD'],
    ['variance_ratio', /variance_ratio/i, null, 'Variance ratio tr Σ_t / tr Σ_H', 'ratio'],
    ['forgetting', /forgetting/i, null, 'Forgetting e_t / e_0', 'ratio'],
    ['spectral_flatness', /flatness/i, /human|reference/i, 'Spectral flatness of the long-term average spectrum', 'flatness'],
  ];
  for (const [exact, pattern, not, title, unit] of named) {
    const key = findKey(exact, pattern, not);
    if (!key) continue;
    used.add(key);
    lineChart('measure-charts', `${title} (${key})`, series(key), 'dream', unit);
  }
  // The drift in the reference's principal axes with its 90 % bootstrap interval (dashed): a move
  // that stays inside the interval is noise, not a trend (docs/measures.md).
  if (allKeys.includes('frechet_k_ratio')) {
    const sets = [];
    for (const k of ['frechet_k_ratio', 'frechet_k_ratio_low', 'frechet_k_ratio_high']) {
      used.add(k);
      for (const d of series(k)) {
        sets.push(k === 'frechet_k_ratio' ? d : Object.assign(d, { label: `${d.label} ${k.endsWith('low') ? '5 %' : '95 %'}`,
                                                                   borderDash: [4, 3], pointRadius: 0, borderWidth: 1 }));
      }
    }
    for (const k of ['frechet_low', 'frechet_high', 'frechet_k_low', 'frechet_k_high']) used.add(k);
    lineChart('measure-charts', 'Drift FD_k / FD_k at the first dream, in the reference\u2019s principal axes, with its 90 % ' +
              'bootstrap interval', sets, 'dream', 'ratio');
  }
  // ML2's composed songs against the agent's human songs: a drone sits near 0, human-like motion
  // near the dashed line at 1.
  const motionKeys = ['step', 'spread', 'variety', 'nearest'].map((f) => `ml2_${f}_ratio`)
    .filter((k) => allKeys.includes(k));
  if (motionKeys.length) {
    const dashes = [[], [6, 3], [2, 2], [8, 3, 2, 3]];
    const sets = [];
    motionKeys.forEach((k, i) => {
      used.add(k);
      for (const d of series(k)) sets.push(Object.assign(d, { label: `${d.label} ${k.slice(4, -6)}`, borderDash: dashes[i] }));
    });
    const xs = sets.flatMap((d) => d.data.map((p) => p.x));
    const lo = Math.min(...xs), hi = Math.max(...xs);
    sets.push({ label: 'human songs', data: [{ x: lo, y: 1 }, { x: hi === lo ? lo + 1 : hi, y: 1 }],
                borderColor: '#888', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
    lineChart('measure-charts', 'Motion of composed songs / human songs (step, spread, variety, nearest)', sets,
              'dream', 'machine / human', { y: { min: 0 } });
  }
  for (const key of allKeys) {
    if (used.has(key)) continue;
    lineChart('measure-charts', key, series(key), 'dream', key);
  }
  if (!rows.length && !humanSets.length) note('measure-charts', 'No measures yet (measures.jsonl is missing or empty).');

  // ---- Training curves ----
  let trainingCharts = 0;
  for (const [agent, h] of Object.entries(D.histories || {})) {
    for (const model of ['ml1', 'ml2']) {
      const records = Array.isArray(h[model]) ? h[model] : [];
      if (!records.length) continue;
      const keys = ['train_total', 'train_reconstruction', 'train_kl', 'val_reconstruction']
        .filter((k) => records.some((r) => typeof r[k] === 'number'));
      const colours = ['#333', '#1f77b4', '#9467bd', '#d62728'];
      const datasets = keys.map((k, i) => ({
        label: k, data: records.map((r, j) => ({ x: j + 1, y: typeof r[k] === 'number' ? r[k] : null })),
        borderColor: colours[i], backgroundColor: colours[i], pointRadius: 1.5, borderWidth: 1.5, spanGaps: true,
      }));
      lineChart('training-charts', `${agent}: ${model.toUpperCase()} loss per epoch (all dreams in order)`, datasets,
                'epoch (cumulative)', 'loss', { y: { type: 'logarithmic' } });
      trainingCharts += 1;
    }
  }
  if (!trainingCharts) {
    note('training-charts', 'No training history found: the session does not name its agents\u2019 folders, or they hold no history yet.');
  }
  // ---- Imitation chains: the notes of one excerpt, pass by pass ----
  for (const c of D.chains || []) {
    const container = document.getElementById(`chain-chart-${c.name}`);
    if (!container) continue;  // a chain kept after the page was written: the next report draws it
    container.replaceChildren();
    const passes = (c.passes || []).filter((p) => isFinite(p.pass));
    const figure = (p, which, key) => (p[which] && typeof p[which][key] === 'number' ? p[which][key] : null);
    const line = (label, which, key, colour, dash) => ({
      label, data: passes.map((p) => ({ x: +p.pass, y: figure(p, which, key) })), borderColor: colour,
      backgroundColor: colour, borderDash: dash, pointRadius: 3, borderWidth: 2, spanGaps: true,
    });
    const sets = [line('pitch agreement with the excerpt', 'original', 'pitch_agreement', '#d62728', []),
                  line('pitch agreement with the pass before', 'previous', 'pitch_agreement', '#1f77b4', [6, 3]),
                  line('chroma similarity with the excerpt', 'original', 'chroma_similarity', '#555', [2, 2])];
    const first = passes.length ? figure(passes[0], 'original', 'pitch_agreement') : null;
    if (first !== null && passes.length) {
      sets.push({ label: 'half of pass 1', data: [{ x: +passes[0].pass, y: first / 2 }, { x: +passes[passes.length - 1].pass, y: first / 2 }],
                  borderColor: '#888', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
    }
    const who = Array.isArray(c.agents) ? c.agents.join(' and ') : '';
    lineChart(`chain-chart-${c.name}`, `${c.name}: ${who}` + (c.half_pass ? `, half at pass ${c.half_pass}` : ''), sets,
              'pass', 'share / similarity', { y: { min: 0, max: 1 } });
  }

  return { maps, trainingCharts };
  }
  const drawn = draw(MH_DATA);
  window.MH_REPORT = { draw };

  // ---- Self-check, read by the browser test: charts drawn, audio loaded, script errors. ----
  // What each spectrogram looks like once decoded by the browser: mean and spread of luminance,
  // and the share of pixels at the colour map's dark end. Reading pixels of a file:// image needs
  // a browser that grants file pages one origin; elsewhere the stats say why they are missing.
  function pictureStats() {
    return Array.from(document.querySelectorAll('img.mel')).map((img) => {
      const song = +img.closest('article.song').dataset.song;
      try {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0, sum2 = 0, dark = 0;
        const n = px.length / 4;
        for (let i = 0; i < px.length; i += 4) {
          const y = 0.2126 * px[i] + 0.7152 * px[i + 1] + 0.0722 * px[i + 2];
          sum += y;
          sum2 += y * y;
          if (px[i] + px[i + 1] + px[i + 2] < 40) dark += 1;
        }
        const mean = sum / n;
        return { song, width: canvas.width, height: canvas.height, luma: mean,
                 luma_sd: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), dark: dark / n };
      } catch (e) {
        return { song, error: String(e) };
      }
    });
  }
  const audios = Array.from(document.querySelectorAll('audio'));
  const settled = audios.map((a) => new Promise((resolve) => {
    const done = () => resolve({ src: a.getAttribute('src'), duration: a.duration, error: a.error ? a.error.code : null });
    if (a.readyState >= 1 || a.error) return done();
    a.addEventListener('loadedmetadata', done, { once: true });
    a.addEventListener('error', done, { once: true });
    setTimeout(done, 8000);
  }));
  Promise.all(settled).then((audio) => {
    const canvases = Array.from(document.querySelectorAll('canvas'));
    const check = document.getElementById('selfcheck');
    check.textContent = JSON.stringify({
      charts: charts.length, maps: drawn.maps, trainingCharts: drawn.trainingCharts,
      canvases_drawn: canvases.filter((c) => c.width > 0 && c.height > 0).length,
      images_loaded: Array.from(document.querySelectorAll('img.mel')).filter((i) => i.complete && i.naturalWidth > 0).length,
      thumbnails_loaded: Array.from(document.querySelectorAll('img.mel-thumb')).filter((i) => i.complete && i.naturalWidth > 0).length,
      colour_bar: !!document.getElementById('mel-colourbar'),
      pictures: pictureStats(),
      audio, errors,
    });
    check.dataset.done = 'yes';
  });
})();
