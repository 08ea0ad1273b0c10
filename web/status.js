// The landing page: shows /api/system/status and refreshes it every five seconds.
'use strict';
const text = (id, value) => { document.getElementById(id).textContent = value; };

async function refresh() {
  let doc;
  try {
    const res = await fetch('/api/system/status', { headers: { Accept: 'application/json' } });
    doc = await res.json();
  } catch (e) {
    doc = { status: 'unavailable', reason: 'the server did not answer: ' + e.message };
  }
  const state = document.getElementById('state');
  state.textContent = doc.status;
  state.className = 'badge ' + doc.status;
  text('reason', doc.reason || '');
  // without an administrator's credentials the status carries the state alone
  const db = doc.database || {};
  text('database', db.reachable ? `${db.driver} — ${db.version} (${db.latencyMs} ms)`
    : doc.database ? 'unreachable' : '— (details for administrators)');
  text('queue', doc.queue ? doc.queue.transport : '—');
  text('consumers', doc.consumers && doc.consumers.alive !== null ? String(doc.consumers.alive) : '—');
  text('server', doc.versions ? doc.versions.httpd : '—');
  text('version', doc.versions ? 'v' + doc.versions.modOro : '');
}

refresh();
setInterval(refresh, 5000);
