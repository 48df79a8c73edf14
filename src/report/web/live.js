// The live page (`metahuman serve`): the report page plus this script, which follows the session
// as it runs. The server pushes every new event of the session's log (server-sent events); on
// each, the page fetches the session's data again and redraws with the report's own drawing
// code (MH_REPORT.draw), and shows the newest song at the top. MH_LIVE (written by the server)
// holds the id of the last event the page was rendered with.
(function () {
  'use strict';
  const baseTitle = document.title;

  const now = document.createElement('section');
  now.id = 'now-playing';
  now.innerHTML = '<h2>Now</h2><p id="live-state" class="note">connecting…</p>' +
    '<p id="live-emancipation" class="emancipation" hidden></p>' +
    '<div id="now-card"><p class="empty">No song yet: the page shows each one as it is sung.</p></div>';
  document.querySelector('nav').after(now);
  const stateLine = document.getElementById('live-state');
  let dreaming = {};

  function say(text) {
    stateLine.textContent = text;
  }

  function describeDreams() {
    const names = Object.keys(dreaming);
    return names.length ? ` ${names.map((a) => `${a} is dreaming (dream ${dreaming[a]})`).join('; ')}.` : '';
  }

  // The newest song's card, copied from the song list (player, its spectrogram and the song it
  // answers), and the tab's title naming it, so that a glance at the screen or the tab says
  // what is playing.
  let shownSong = null;
  function showNewest(data, pinned) {
    const numbers = (data.songs || []).map((s) => +s.song).filter((n) => isFinite(n));
    if (!numbers.length) return;
    const newest = Math.max(...numbers);
    const card = document.getElementById(`song-${newest}`);
    if (!card || newest === shownSong) return;
    const copy = card.cloneNode(true);
    copy.removeAttribute('id');
    copy.classList.add('now');
    document.getElementById('now-card').replaceChildren(copy);
    shownSong = newest;
    const song = data.songs.find((s) => +s.song === newest) || {};
    document.title = `song ${newest}: ${song.singer || '?'} (${song.kind || '?'}) — ${baseTitle}`;
    pinned.song = newest;
  }

  const pinned = { song: null };
  showNewest(MH_DATA, pinned);
  MH_REPORT.draw(MH_DATA, pinned.song);

  // One fetch at a time; events that arrive meanwhile are folded into one more fetch.
  let fetching = false;
  let again = false;
  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const response = await fetch('../live/data.json', { cache: 'no-store' });
        if (!response.ok) throw new Error(`data.json: HTTP ${response.status}`);
        const live = await response.json();
        const timeline = document.getElementById('timeline');
        const fresh = document.createElement('div');
        fresh.innerHTML = live.songs_html;
        timeline.replaceWith(fresh.firstElementChild);
        showNewest(live.data, pinned);
        MH_REPORT.draw(live.data, pinned.song);
        if (live.finished) {
          const status = document.getElementById('status');
          status.textContent = 'Session finished';
          status.className = 'finished';
        }
      } while (again);
    } catch (e) {
      console.error(e);  // for the browser test, which reads the console
      say(`could not update the page (${e.message}); retrying with the next event`);
    } finally {
      fetching = false;
    }
  }

  function onEvent(e) {
    if (e.type === 'dream_start') dreaming[e.agent] = e.dream;
    if (e.type === 'dream_end') delete dreaming[e.agent];
    if (e.type === 'session_start') dreaming = {};
    if (e.type === 'emancipation') {
      const banner = document.getElementById('live-emancipation');
      banner.textContent = `Emancipation: ${e.agent} now knows more machine music than human music ` +
        `(after song ${e.song}, round ${e.round})${e.line ? ` — “${e.line}”` : ''}`;
      banner.hidden = false;
    }
    const last = e.type === 'session_end' ? ' The session has ended.' : '';
    say(`Live: following the session (last event ${e.seq ?? '?'}: ${e.type || '?'}).${describeDreams()}${last}`);
  }

  // The browser reconnects by itself and sends the last id it saw (Last-Event-ID), so a page
  // that lost its connection misses no event.
  const source = new EventSource(`../live/events?after=${MH_LIVE.seq}`);
  source.onopen = () => say(`Live: following the session.${describeDreams()}`);
  source.onerror = () => say('Connection to the server lost: reconnecting…');
  source.onmessage = (message) => {
    try {
      onEvent(JSON.parse(message.data));
    } catch (e) {
      say(`an event could not be read (${e.message})`);
    }
    refresh();
  };
  source.addEventListener('refresh', () => refresh());
  // The log was restarted or the page fell too far behind: the whole page again.
  source.addEventListener('reload', () => location.reload());
})();
