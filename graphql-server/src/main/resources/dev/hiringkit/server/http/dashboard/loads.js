/*
 * The dashboard's running loads: which loads run (the loads query, every few seconds) and, for each,
 * its progress as the server streams it (the loadProgress subscription, as Server-Sent Events). Both
 * come from the database's record of the loads, so loads run by any server show.
 */
(function () {
  'use strict';

  const LIST_EVERY_MS = 5000;
  const LOADS = '{ loads(limit: 20) { id table source status rowsRead inserted rejected } }';
  const PROGRESS = 'subscription($id: ID!) { loadProgress(loadId: $id) { id table source status rowsRead inserted rejected } }';
  const number = new Intl.NumberFormat('en');

  let section = null;
  let list = null;
  let token = null;
  let timer = null;
  const followed = new Map(); // load id -> { item, abort }

  function describe(load) {
    const name = load.source.slice(load.source.lastIndexOf('/') + 1);
    return load.table.toLowerCase() + ' from ' + name + ': ' + number.format(load.rowsRead) + ' rows read, '
      + number.format(load.inserted) + ' inserted, ' + number.format(load.rejected) + ' refused'
      + (load.status === 'RUNNING' ? '' : ' (' + load.status.toLowerCase() + ')');
  }

  function show(load) {
    let entry = followed.get(load.id);
    if (!entry) {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.id = 'load-' + load.id;
      const bar = document.createElement('progress');
      // The total is not known before the end: the bar moves without a value, the counts say how far.
      bar.setAttribute('aria-labelledby', label.id);
      item.append(label, bar);
      list.append(item);
      entry = { item, label, bar, abort: new AbortController() };
      followed.set(load.id, entry);
      follow(load.id, entry);
    }
    entry.label.textContent = describe(load);
    if (load.status !== 'RUNNING') {
      entry.bar.max = 1;
      entry.bar.value = load.status === 'DONE' ? 1 : 0;
      setTimeout(() => forget(load.id), LIST_EVERY_MS);
    }
    section.hidden = followed.size === 0;
  }

  function forget(id) {
    const entry = followed.get(id);
    if (entry) {
      entry.abort.abort();
      entry.item.remove();
      followed.delete(id);
    }
    section.hidden = followed.size === 0;
  }

  /** Reads the load's event stream (graphql-sse): each 'next' event holds a GraphQL response. */
  async function follow(id, entry) {
    try {
      const response = await fetch('/graphql/stream', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', Authorization: 'Bearer ' + token },
        body: JSON.stringify({ query: PROGRESS, variables: { id } }),
        signal: entry.abort.signal,
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
          if (block.startsWith('event: next') && data) {
            const answer = JSON.parse(data);
            if (answer.data && answer.data.loadProgress) {
              show(answer.data.loadProgress);
            }
          }
        }
      }
    } catch (e) {
      // Aborted (signed out, or the load is gone from the list), or the server went away: the next
      // listing follows it again if it still runs.
      if (followed.get(id) === entry && !entry.abort.signal.aborted) {
        forget(id);
      }
    }
  }

  async function refresh() {
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify({ query: LOADS }),
      });
      const body = await response.json();
      for (const load of (body.data && body.data.loads) || []) {
        if (load.status === 'RUNNING' && !followed.has(load.id)) {
          show(load);
        }
      }
    } catch (e) {
      // The next listing tries again.
    }
  }

  window.HiringLoads = {
    /** Starts showing the running loads into the page's #loads section, as the holder of {@code accessToken}. */
    start(accessToken) {
      this.stop();
      section = document.getElementById('loads');
      list = document.getElementById('load-list');
      token = accessToken;
      refresh();
      timer = setInterval(refresh, LIST_EVERY_MS);
    },
    /** Stops listing and following, and empties the section. */
    stop() {
      clearInterval(timer);
      timer = null;
      for (const id of [...followed.keys()]) {
        forget(id);
      }
      token = null;
    },
  };
}());
