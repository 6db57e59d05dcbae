// « En un mot » (PROTOCOL.md, "Word cloud"): the cloud state every screen's view draws
// (cloud_projector.js, cloud_phone.js, cloud_console.js), kept from the page's socket: the
// join snapshot (resync), `cloud:changed` (opened, closed: versioned; a word hidden) and the
// coalesced `cloud:tally`.

/** Follow the cloud of `atelierId` on `live`; render(state) after every change.
 *  state: {cloud, tally, mine}; `console`: the facilitator's view (the latest cloud, closed
 *  ones too, hidden words flagged: only tallies marked `moderation` are taken). */
export function followCloud(live, atelierId, render, { console = false, first = null } = {}) {
  const state = { cloud: null, tally: null, mine: [] };
  const mine = (msg) => msg && Number(msg.atelier_id) === Number(atelierId);
  function apply(part) {
    if (!part) return;
    state.cloud = part.cloud || null;
    state.tally = part.tally || null;
    state.mine = part.mine || [];
    render(state);
  }
  if (first) apply(first);
  live.socket.on("atelier:snapshot", (snap) => {
    if (snap && snap.atelier && Number(snap.atelier.id) === Number(atelierId) && snap.cloud) apply(snap.cloud);
  });
  live.delta("cloud:changed", (msg) => {
    if (!mine(msg)) return;
    if (msg.cloud) {
      if (!state.cloud || state.cloud.id !== msg.cloud.id) state.mine = [];
      state.cloud = msg.cloud;
      if (!console) state.tally = msg.tally || state.tally;
    } else if (console && msg.closed) {
      state.cloud = msg.closed; // the console keeps the closed cloud: hide, then restitution
    } else {
      state.cloud = null;
      state.tally = null;
      state.mine = [];
    }
    render(state);
  });
  live.socket.on("cloud:tally", (msg) => {
    if (!mine(msg) || Boolean(msg.moderation) !== console) return;
    if (!state.cloud || msg.cloud_id !== state.cloud.id) return;
    state.tally = msg;
    render(state);
  });
  return state;
}
