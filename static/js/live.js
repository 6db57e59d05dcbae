// Shared Socket.IO client for one atelier room (see facilitation/realtime/PROTOCOL.md).
//
// - connects (WebSocket first, long-polling if WebSocket is blocked),
// - emits `atelier:join` on every (re)connection: the server answers with a full snapshot,
// - tracks the atelier version: a delta that skips a version triggers a resync (re-join),
// - reports the connection state: "connecting" | "connected" | "reconnecting" | "offline".
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

// Other modules of a page (votes.js …) attach to the page's connection instead of opening a
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
 * @param {object} opts
 * @param {number} opts.atelierId
 * @param {number} [opts.version]   version of the server-rendered page
 * @param {(snapshot: object) => void} [opts.onSnapshot]
 * @param {(contribution: object) => void} [opts.onCreated]
 * @param {(connected: number) => void} [opts.onPresence]
 * @param {(state: string) => void} [opts.onStatus]
 * @param {(error: object) => void} [opts.onError]   refused join, `app:error`, refused connection
 * @param {() => void} [opts.onJoined]
 * @param {string} [opts.joinEvent]   "atelier:join" (default) or "console:join" (facilitators)
 * @param {Object<string, (msg: object) => void>} [opts.deltas]   other versioned deltas
 *   (round:changed, contribution:updated …): applied when their version is `known + 1` or
 *   `known` (several deltas of one change share a version), skipped when older, and a gap
 *   triggers a resync, exactly like contribution:created.
 */
export function connectAtelier(opts) {
  const atelierId = Number(opts.atelierId);
  const noop = () => {};
  const onSnapshot = opts.onSnapshot || noop;
  const onCreated = opts.onCreated || noop;
  const onPresence = opts.onPresence || noop;
  const onStatus = opts.onStatus || noop;
  const onError = opts.onError || noop;
  const onJoined = opts.onJoined || noop;

  let known = Number.isFinite(Number(opts.version)) ? Number(opts.version) : -1;
  let joining = null; // Promise while a join is in flight
  let staleSnapshots = 0;
  let state = null;
  const joinedListeners = []; // api.onJoined(cb): the outbox sends what waits after each join

  const setStatus = (next) => {
    if (next !== state) {
      state = next;
      onStatus(next);
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
      socket.timeout(JOIN_TIMEOUT_MS).emit(opts.joinEvent || "atelier:join", { atelier_id: atelierId }, (err, ack) => {
        joining = null;
        if (err) { // no answer: try again while connected (a reconnect re-joins anyway)
          if (socket.connected) join().then(resolve);
          else resolve(false);
          return;
        }
        if (!ack || ack.ok !== true) {
          onError(ack || { code: "invalid", message: tr("Impossible de rejoindre l’atelier.") });
          resolve(false);
          return;
        }
        onJoined(ack);
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

  socket.on("app:error", (err) => onError(err || {}));

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

  const api = {
    socket,
    get connected() { return socket.connected; },
    get version() { return known; },
    resync,
    /** Register a versioned delta after connecting (modules beside the page's script). */
    delta: versioned,
    /** Call cb after every successful (re)join of the room. */
    onJoined(cb) { joinedListeners.push(cb); },
    /** Emit with an ack; resolves with the ack, rejects on timeout. */
    request(event, payload, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        socket.timeout(timeoutMs).emit(event, payload, (err, ack) => (err ? reject(err) : resolve(ack)));
      });
    },
  };
  announceLive(atelierId, api);
  return api;
}
