// The pages' Socket.IO client (see facilitation/realtime/PROTOCOL.md). connect(), the core:
// connects (WebSocket first, long-polling if blocked), joins its room on every (re)connection
// (the server answers with the full state), reports the state: "connecting" | "connected" |
// "reconnecting" | "offline". connectAtelier(): an atelier room on it, whose version it tracks:
// a delta that skips a version triggers a resync (re-join).
import { io } from "../vendor/socket.io.esm.min.js";
import { t, tr } from "./i18n.js";

// Read when shown: in the page's language (i18n.js), French as the fallback.
export const STATUS_TEXT = {
  get connecting() { return t("status.connecting", "connexion…"); },
  get connected() { return t("status.connected", "connecté"); },
  get reconnecting() { return t("status.reconnecting", "reconnexion…"); },
  get offline() { return t("status.offline", "hors ligne"); },
};

/** Show a connection state in a `.live-status` element: its `data-state` and its text. */
export function showLiveStatus(node, state) {
  node.dataset.state = state;
  node.querySelector(".live-status__text").textContent = STATUS_TEXT[state] || state;
}

/** « 3 personnes connectées » (macros.html presence_text on the server). */
export function presenceText(n) {
  return n <= 1 ? t("wall.presence_one", "{n} personne connectée", { n }) : t("wall.presence_many", "{n} personnes connectées", { n });
}

const JOIN_TIMEOUT_MS = 10000;

/** opts: joinEvent, joinPayload, root (shows the state in #live-status and root's data-live,
 *  "joined" in the room), onStatus, onJoined(ack), onError (refused join or connection,
 *  `app:error`), joinRefused (text of a refusal without a message). */
export function connect({ joinEvent, joinPayload, root, onStatus, onJoined, onError = () => {}, joinRefused }) {
  const statusNode = root && document.getElementById("live-status");

  let joining = null; // Promise while a join is in flight
  let state = null;
  const joinedListeners = []; // api.onJoined(cb): the outbox sends what waits after each join

  const setStatus = (next) => {
    if (next !== state) {
      state = next;
      if (statusNode) showLiveStatus(statusNode, next);
      if (root) root.dataset.live = next;
      onStatus?.(next);
    }
  };
  const lostStatus = () => (navigator.onLine === false ? "offline" : "reconnecting");

  const socket = io({ transports: ["websocket", "polling"], tryAllTransports: true });
  // Logout, password change, link revoked (push/sessions.py): the server shows the way back.
  socket.on("session:ended", () => window.location.reload());
  setStatus("connecting");

  function join() {
    if (joining) return joining;
    joining = new Promise((resolve) => {
      socket.timeout(JOIN_TIMEOUT_MS).emit(joinEvent, joinPayload, (err, ack) => {
        joining = null;
        if (err) { // no answer: try again while connected (a reconnect re-joins anyway)
          if (socket.connected) join().then(resolve);
          else resolve(false);
          return;
        }
        if (!ack || ack.ok !== true) {
          onError(ack || { code: "invalid", message: joinRefused || tr("Action refusée.") });
          resolve(false);
          return;
        }
        onJoined?.(ack);
        if (root) root.dataset.live = "joined";
        for (const cb of joinedListeners) cb(ack);
        resolve(true);
      });
    });
    return joining;
  }

  function resync() {
    return socket.connected ? join() : Promise.resolve(false);
  }

  socket.on("connect", () => {
    setStatus("connected");
    join();
  });
  socket.on("disconnect", (reason) => {
    // "io server disconnect": the server closed us on purpose, no automatic reconnection.
    setStatus(reason === "io server disconnect" || reason === "io client disconnect" ? "offline" : lostStatus());
  });
  socket.on("connect_error", (err) => {
    if (!socket.active) { // refused by the server (e.g. not allowed): no automatic retry
      setStatus("offline");
      onError({ code: "forbidden", message: (err && err.data && err.data.message) || tr("Connexion refusée par le serveur.") });
    } else {
      setStatus(lostStatus());
    }
  });
  socket.io.on("reconnect_attempt", () => setStatus(lostStatus()));
  socket.on("app:error", (err) => onError(err || {}));

  window.addEventListener("offline", () => {
    setStatus("offline");
    // The network is gone: drop the socket now rather than after the ping timeout (~45 s),
    // so writes go to the outbox at once; the manager reconnects when the network is back.
    if (socket.connected && socket.io.engine) socket.io.engine.close();
  });
  window.addEventListener("online", () => {
    if (!socket.connected) {
      setStatus("reconnecting");
      socket.connect();
    }
  });
  // A phone coming back from sleep may hold a dead socket for a while: refresh the state.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (socket.connected) resync();
    else if (!socket.active) socket.connect();
  });

  return {
    socket,
    get connected() { return socket.connected; },
    /** Join the room again (the server sends the full state). */
    resync,
    /** Call cb after every successful (re)join of the room. */
    onJoined(cb) { joinedListeners.push(cb); },
    /** Emit with an ack; resolves with the ack, rejects on timeout. */
    request(event, payload, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        socket.timeout(timeoutMs).emit(event, payload, (err, ack) => (err ? reject(err) : resolve(ack)));
      });
    },
  };
}

// Other modules of a page (votes_phone.js …) attach to the page's connection instead of opening a
// second one: onAtelierLive(cb) calls cb(api, atelierId) for every connection, past or future.
const liveConnections = [];
const liveListeners = [];
export function onAtelierLive(cb) {
  liveListeners.push(cb);
  for (const [id, api] of liveConnections) cb(api, id);
}
function announceLive(atelierId, api) {
  liveConnections.push([atelierId, api]);
  for (const cb of liveListeners) cb(api, atelierId);
}

/**
 * opts: connect()'s root, onStatus, onJoined, onError; atelierId; version (of the rendered
 * page); onSnapshot, onCreated(contribution), onPresence(n); joinEvent ("atelier:join", or
 * "console:join" for facilitators); deltas {name: handler}: other versioned deltas, applied
 * when their version is `known + 1` or `known` (one change's deltas share a version),
 * skipped when older, a gap triggers a resync, exactly like contribution:created.
 */
export function connectAtelier(opts) {
  const atelierId = Number(opts.atelierId);
  const noop = () => {};
  const onSnapshot = opts.onSnapshot || noop;
  const onCreated = opts.onCreated || noop;
  const onPresence = opts.onPresence || noop;

  let known = Number.isFinite(Number(opts.version)) ? Number(opts.version) : -1;
  let staleSnapshots = 0;

  const core = connect({
    ...opts,
    joinEvent: opts.joinEvent || "atelier:join",
    joinPayload: { atelier_id: atelierId },
    joinRefused: tr("Impossible de rejoindre l’atelier."),
  });
  const { socket, resync } = core;

  socket.on("atelier:snapshot", (snap) => {
    if (!snap || (snap.atelier && Number(snap.atelier.id) !== atelierId)) return;
    const version = Number(snap.version);
    if (version < known && staleSnapshots < 2) {
      // Older than a delta already applied (a race between join and a post): ask again.
      staleSnapshots += 1;
      resync();
      return;
    }
    staleSnapshots = 0;
    known = version;
    onSnapshot(snap);
    if (snap.connected !== undefined && snap.connected !== null) onPresence(Number(snap.connected));
  });

  socket.on("contribution:created", (msg) => {
    if (!msg || Number(msg.atelier_id) !== atelierId || !msg.contribution) return;
    const version = Number(msg.version);
    if (version <= known) {
      onCreated(msg.contribution); // already covered by a snapshot; the store dedupes by id
    } else if (version === known + 1) {
      known = version;
      onCreated(msg.contribution);
    } else {
      resync(); // missed at least one change: the snapshot brings everything
    }
  });

  socket.on("presence", (msg) => {
    if (msg && Number(msg.atelier_id) === atelierId) onPresence(Number(msg.connected));
  });

  // A versioned delta of another module (chantier:updated …), same rules as `opts.deltas`.
  function versioned(name, handler) {
    socket.on(name, (msg) => {
      if (!msg || Number(msg.atelier_id) !== atelierId) return;
      const version = Number(msg.version);
      if (!Number.isFinite(version) || version === known) {
        handler(msg);
      } else if (version === known + 1) {
        known = version;
        handler(msg);
      } else if (version > known + 1) {
        resync();
      }
    });
  }
  for (const [name, handler] of Object.entries(opts.deltas || {})) versioned(name, handler);

  const api = {
    ...core,
    get connected() { return socket.connected; },
    get version() { return known; },
    /** Register a versioned delta after connecting (modules beside the page's script). */
    delta: versioned,
  };
  announceLive(atelierId, api);
  return api;
}

/** The atelier of `root` (data-atelier-id, data-version), its live bar shown, with the page's
 *  extras ({deltas, snapshot, attach}: wall_extras.js …) plugged in after `onSnapshot`. */
export function connectPage(root, { extras = null, onSnapshot = null, deltas = {}, ...opts } = {}) {
  const bar = document.getElementById("live-bar");
  if (bar) bar.hidden = false;
  const live = connectAtelier({
    atelierId: Number(root.dataset.atelierId),
    version: Number(root.dataset.version),
    root,
    ...opts,
    deltas: { ...(extras ? extras.deltas : {}), ...deltas },
    onSnapshot(snap) {
      if (onSnapshot) onSnapshot(snap);
      if (extras) extras.snapshot(snap);
    },
  });
  if (extras) extras.attach(live);
  return live;
}
