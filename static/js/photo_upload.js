// A card's photo from the phone (issue 19.3), loaded only when a photo is chosen or waits in
// the outbox (the wall's first load stays light). The photo is made smaller on the phone
// (≤ 1600 px, JPEG 0.85: a weak network carries a fifth of a camera file; the canvas also
// drops the EXIF, GPS included) and goes over HTTP with its progress. The server checks,
// turns and re-encodes it anyway.
//
// The bytes wait beside the outbox item (outbox.js keeps small JSON items): in memory, and in
// localStorage when there is room, under the photo's client id, until the server answered.
import { tr } from "./i18n.js";
import { showStatus } from "./dom.js";

const MAX_SIDE = 1600;
const QUALITY = 0.85;
const TIMEOUT_MS = 120000;
const memory = new Map();

function keyOf(clientId) { return `facilitation:photo:${clientId}`; }

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The chosen file as a JPEG data URL, MAX_SIDE pixels at most, upright. */
export async function downscale(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return readAsDataUrl(file); // a format this browser cannot draw (HEIC …): the server decides
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  if (bitmap.close) bitmap.close();
  return canvas.toDataURL("image/jpeg", QUALITY);
}

/** Keep a photo's bytes until its upload is answered. */
export function keep(clientId, data) {
  memory.set(clientId, data);
  try { window.localStorage.setItem(keyOf(clientId), data); } catch { /* full: memory only */ }
}

export function forget(clientId) {
  memory.delete(clientId);
  try { window.localStorage.removeItem(keyOf(clientId)); } catch { /* nothing kept */ }
}

function stored(clientId) {
  if (memory.has(clientId)) return memory.get(clientId);
  try { return window.localStorage.getItem(keyOf(clientId)); } catch { return null; }
}

function toBlob(dataUrl) {
  const [head, body] = dataUrl.split(",", 2);
  const type = (head.match(/^data:([^;]+)/) || [])[1] || "application/octet-stream";
  const bytes = atob(body);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = bytes.charCodeAt(i);
  return new Blob([out], { type });
}

/**
 * Send an outbox item {payload: {client_id, card_client_id}} to `url`: resolves with the
 * server's answer (an ack), rejects when there was none (offline, timeout, 5xx: retried).
 */
export async function upload(item, { url, csrf, onProgress }) {
  const { client_id: clientId, card_client_id: cardClientId } = item.payload;
  const data = stored(clientId);
  if (!data) {
    return Promise.resolve({ ok: false, code: "invalid",
      message: tr("La photo n’a pas pu être gardée sur ce téléphone : ajoutez-la à nouveau.") });
  }
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("client_id", clientId);
    form.append("card_client_id", cardClientId);
    form.append("photo", toBlob(data), "photo.jpg");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = TIMEOUT_MS;
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status >= 500 || !body) { reject(new Error(`HTTP ${xhr.status}`)); return; }
      if (xhr.status === 429) {
        resolve({ ...body, ok: false, code: "rate_limited", retry_after: Number(xhr.getResponseHeader("Retry-After")) || 10 });
        return;
      }
      forget(clientId); // stored, or refused for good: the bytes are not needed any more
      resolve(body);
    };
    xhr.onerror = () => reject(new Error("network"));
    xhr.ontimeout = () => reject(new Error("timeout"));
    xhr.send(form);
  });
}

// ---- the wall's card form (wall.js): ctx = {form, cards, live, files: Map(id -> File)} ------
const preparing = new Map();

function ui() {
  return { progress: document.getElementById("photo-progress"), status: document.getElementById("photo-status") };
}

/** The chosen file made smaller and kept (once per photo, however many callers wait). */
function prepare(ctx, id) {
  if (stored(id)) return Promise.resolve();
  if (!preparing.has(id)) {
    const file = ctx.files.get(id);
    preparing.set(id, file ? downscale(file).then((data) => { keep(id, data); ctx.files.delete(id); }) : Promise.resolve());
  }
  return preparing.get(id);
}

/** A photo was queued after its card. */
export async function queued(ctx, id) {
  const { status } = ui();
  showStatus(status, tr("Préparation de la photo…"), "info");
  try {
    await prepare(ctx, id);
  } catch {
    showStatus(status, tr("Cette photo n’a pas pu être lue : choisissez-en une autre."), "error");
    return;
  }
  if (!ctx.live.connected) showStatus(status, tr("Photo gardée sur ce téléphone : elle partira au retour de la connexion."), "info");
}

/** The outbox's sender for photo items. */
export async function send(ctx, item) {
  const { progress, status } = ui();
  try { await prepare(ctx, item.id); } catch { /* unreadable: upload() answers a refusal */ }
  return upload(item, {
    url: ctx.form.dataset.photoUrl,
    csrf: ctx.form.elements.namedItem("csrf_token").value,
    onProgress(share) {
      const p = Math.round(share * 100);
      progress.hidden = false;
      progress.value = p;
      showStatus(status, tr("Envoi de la photo : {p} %", { p }), "info");
    },
  });
}

/** The server answered: stored (the card shows it at once) or refused (the card stays). */
export function answered(ctx, item, ack) {
  const { progress, status } = ui();
  progress.hidden = true;
  if (ack && ack.ok) {
    showStatus(status, tr("Photo ajoutée à votre carte."), "success");
    const entry = ack.photo && ctx.cards.entries.get(String(ack.photo.card_id));
    if (entry && entry.data) ctx.cards.add({ ...entry.data, photo: ack.photo }, { highlight: false });
    return;
  }
  showStatus(status, tr("La photo n’a pas été ajoutée (la carte, elle, est gardée) : {m}", { m: (ack && ack.message) || "" }), "error");
}

export function stalled() {
  const { progress, status } = ui();
  progress.hidden = true;
  showStatus(status, tr("Photo gardée sur ce téléphone : elle partira au retour de la connexion."), "info");
}
