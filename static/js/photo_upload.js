// A card's photo from the phone (issue 19.3), loaded only when a photo is chosen or waits in
// the outbox (the wall's first load stays light). The photo is made smaller on the phone
// (≤ 1600 px, JPEG 0.85: a weak network carries a fifth of a camera file; the canvas also
// drops the EXIF, GPS included) and goes over HTTP with its progress. The server checks,
// turns and re-encodes it anyway.
//
// The bytes wait beside the outbox item (outbox.js keeps small JSON items): in memory, and in
// localStorage when there is room, under the photo's client id, until the server answered.
import { tr } from "./i18n.js";

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
 * `file`: the chosen file when its bytes were not kept yet.
 */
export async function upload(item, { url, csrf, onProgress, file = null }) {
  const { client_id: clientId, card_client_id: cardClientId } = item.payload;
  // A file chosen offline (before this module could load) is made smaller now.
  if (!stored(clientId) && file) keep(clientId, await downscale(file));
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
