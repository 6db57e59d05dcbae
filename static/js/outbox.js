// Offline outbox and drafts for the participant's phone: nothing typed is lost.
//
// Outbox: every write a phone makes (a card: `contribution:create`, a dot: `dot:set`, a card's
// photo: an HTTP upload after its card, see photo_upload.js) is first
// stored in localStorage under one key per event + atelier + participant, then sent in order
// over the page's socket once it is connected and joined. Each write carries its client-made
// id: the server stores an id once, so sending again after a lost acknowledgement is harmless.
// An item leaves the outbox only when the server answered it: stored (ack ok) or refused (a
// final refusal: round closed, invalid …), never because a request timed out.
//
// Drafts: the text typed in a form is saved as it is typed and put back after a reload, a tab
// crash or a reconnect, until the page says the card was acknowledged (clear()).
import { tr } from "./i18n.js";

const REQUEST_TIMEOUT_MS = 8000;
const RETRY_MS = 3000;
// Refusals that say "try again later" rather than "no".
const TRANSIENT = new Set(["rate_limited", "busy", "server_error"]);

function store() {
  try {
    const s = window.localStorage;
    s.setItem("facilitation:probe", "1");
    s.removeItem("facilitation:probe");
    return s;
  } catch {
    return null; // private mode or storage disabled: the outbox still works in memory
  }
}

function readJson(key, fallback) {
  const s = store();
  if (!s) return fallback;
  try {
    const value = JSON.parse(s.getItem(key) || "null");
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

function writeJson(key, value) {
  const s = store();
  if (!s) return;
  try {
    if (value === null) s.removeItem(key);
    else s.setItem(key, JSON.stringify(value));
  } catch { /* storage full: the in-memory copy still goes out */ }
}

/** localStorage key suffix of the page's phone: event slug, atelier id, participant id. */
export function scopeOf(root) {
  return [root.dataset.eventSlug || "", root.dataset.atelierId || "", root.dataset.participantId || ""].join(":");
}

export function newClientId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Ordered, persisted queue of writes for one phone in one atelier.
 * Items: {id (= payload.client_id), type ("card" | "dot"), event, payload, meta}.
 * Pages register per-type callbacks with on(type, {ack, refused}); listen(cb) is called after
 * every change (to show what is waiting).
 */
export class Outbox {
  constructor(scope, live) {
    this.key = `facilitation:outbox:${scope}`;
    this.live = live;
    this.items = readJson(this.key, []).filter((i) => i && i.id && i.event && i.payload);
    this.handlers = {};
    this.senders = {};
    this.listeners = [];
    this.flushing = false;
    this.inflight = null;
    this.timer = null;
  }

  on(type, handlers) { this.handlers[type] = handlers; }

  /** Send items of `type` with `fn(item)` (a Promise of the ack; rejects: retried later). */
  sendWith(type, fn) { this.senders[type] = fn; }

  listen(cb) { this.listeners.push(cb); }

  /** Items of one type still waiting (in order). */
  pending(type) { return this.items.filter((i) => i.type === type); }

  get size() { return this.items.length; }

  /** Queue a write and try to send it. Returns the item. */
  add(type, event, payload, meta = {}) {
    const item = { id: String(payload.client_id), type, event, payload, meta };
    this.items.push(item);
    this._changed();
    this.flush();
    return item;
  }

  /**
   * Queue a "set" write (dot:set): a waiting item that `same(item)` matches is replaced in
   * place (the last value wins, its position in the queue is kept); one already in flight is
   * left alone and the new value goes after it.
   */
  set(type, event, payload, same, meta = {}) {
    const index = this.items.findIndex((i) => i.type === type && i !== this.inflight && same(i));
    if (index < 0) return this.add(type, event, payload, meta);
    const item = { id: String(payload.client_id), type, event, payload, meta };
    this.items[index] = item;
    this._changed();
    this.flush();
    return item;
  }

  /** Forget items (e.g. dots of a ballot that closed meanwhile). */
  drop(predicate) {
    const before = this.items.length;
    this.items = this.items.filter((i) => i === this.inflight || !predicate(i));
    if (this.items.length !== before) this._changed();
  }

  /** Send what waits, in order, while connected. Safe to call at any time. */
  async flush() {
    if (this.flushing || !this.live || !this.live.connected) return;
    this.flushing = true;
    clearTimeout(this.timer);
    try {
      while (this.items.length && this.live.connected) {
        const item = this.items[0];
        this.inflight = item;
        let ack;
        try {
          const sender = this.senders[item.type]; // e.g. a photo goes over HTTP (photo_upload.js)
          ack = await (sender ? sender(item) : this.live.request(item.event, item.payload, REQUEST_TIMEOUT_MS));
        } catch {
          // No answer (connection lost, or too slow): keep it, the next flush sends it again.
          this._stalled(item);
          this._retry(RETRY_MS);
          break;
        } finally {
          this.inflight = null;
        }
        const code = ack && ack.code;
        if (ack && ack.ok === false && code === "not_joined" && !item.rejoined) {
          item.rejoined = true; // the socket lost its room (server restart): join, then resend
          await this.live.resync();
          continue;
        }
        if (ack && ack.ok === false && TRANSIENT.has(code)) {
          this._retry(ack.retry_after ? Number(ack.retry_after) * 1000 : RETRY_MS);
          break;
        }
        this.items = this.items.filter((i) => i !== item);
        this._changed();
        const handler = this.handlers[item.type] || {};
        if (ack && ack.ok) {
          if (handler.ack) handler.ack(item, ack);
        } else if (handler.refused) {
          handler.refused(item, ack || { code: "invalid", message: tr("Envoi refusé par le serveur.") });
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  _stalled(item) {
    const handler = this.handlers[item.type] || {};
    if (handler.stalled) handler.stalled(item);
  }

  _retry(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), ms);
  }

  _changed() {
    writeJson(this.key, this.items.length ? this.items.map(({ rejoined, ...rest }) => rest) : null);
    for (const cb of this.listeners) cb(this);
  }
}

/** One outbox per page connection, shared by the page's modules (wall.js, votes_phone.js …). */
export function outboxFor(live, root) {
  if (!live.outbox) {
    live.outbox = new Outbox(scopeOf(root), live);
    // After every (re)join: the room and the participant are known again, send what waits.
    if (typeof live.onJoined === "function") live.onJoined(() => live.outbox.flush());
    window.addEventListener("online", () => live.outbox.flush());
  }
  return live.outbox;
}

/** The checkboxes named by a form field (one box or a group), or null for a text field. */
function checkboxes(input) {
  const list = typeof input.length === "number" && !input.tagName ? [...input] : [input];
  return list.length && list.every((i) => i.type === "checkbox") ? list : null;
}

/**
 * Keep what is typed in `form` (the named fields; a group of checkboxes keeps the ticked
 * values) in localStorage under `scope`.
 * restore() fills the empty fields back, clear() forgets the draft.
 */
export class Draft {
  constructor(form, scope, fields) {
    this.form = form;
    this.key = `facilitation:draft:${scope}`;
    this.fields = fields;
    form.addEventListener("input", () => this.save());
    form.addEventListener("change", () => this.save());
  }

  values() {
    const v = {};
    for (const name of this.fields) {
      const input = this.form.elements.namedItem(name);
      if (!input) continue;
      const boxes = checkboxes(input);
      v[name] = boxes ? boxes.filter((b) => b.checked).map((b) => b.value) : input.value;
    }
    return v;
  }

  save() {
    const v = this.values();
    const clientId = this.form.elements.namedItem("client_id");
    writeJson(this.key, { fields: v, client_id: clientId ? clientId.value : "", saved_at: Date.now() });
  }

  /** Put the saved text back into fields that are empty or hold the page's default. Returns true if any. */
  restore() {
    const draft = readJson(this.key, null);
    if (!draft || !draft.fields) return false;
    let restored = false;
    for (const [name, value] of Object.entries(draft.fields)) {
      const input = this.form.elements.namedItem(name);
      const boxes = input && checkboxes(input);
      if (boxes) {
        // Ticked boxes (communes …): back only if none was changed since the page loaded.
        if (!Array.isArray(value) || boxes.some((b) => b.checked !== b.defaultChecked)) continue;
        for (const b of boxes) {
          if (value.includes(b.value) && !b.checked) {
            b.checked = true;
            restored = true;
          }
        }
        continue;
      }
      if (!input || !value || input.value === value) continue;
      if (input.value && input.value !== input.defaultValue) continue; // typed since: keep it
      input.value = value;
      restored = true;
    }
    const clientId = this.form.elements.namedItem("client_id");
    // Same text, same id: if that card was stored before the crash, the server says duplicate.
    if (restored && clientId && draft.client_id) clientId.value = draft.client_id;
    return restored;
  }

  clear() { writeJson(this.key, null); }
}
