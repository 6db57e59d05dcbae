// Times: the protocol's ISO 8601 strings, shown in the event's time zone; countdowns.

// The event's time zone (<html data-timezone>, from the event), Paris by default.
const TIME_ZONE = document.documentElement.dataset.timezone || "Europe/Paris";

let timeFormat = null;
function getTimeFormat() {
  if (!timeFormat) {
    try {
      timeFormat = new Intl.DateTimeFormat("fr-FR", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE,
      });
    } catch {
      timeFormat = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });
    }
  }
  return timeFormat;
}

/** Date from an ISO 8601 string; a string without offset is taken as UTC (protocol). */
export function parseDate(iso) {
  if (!iso) return null;
  const text = String(iso);
  const hasZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text);
  const d = new Date(hasZone ? text : `${text}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "14h05" (French) or "14:05" (other languages) in the event's time zone. */
export function formatTime(iso) {
  const d = parseDate(iso);
  if (!d) return "";
  const parts = {};
  for (const p of getTimeFormat().formatToParts(d)) parts[p.type] = p.value;
  return document.documentElement.lang === "fr" || !document.documentElement.lang
    ? `${parts.hour}h${parts.minute}` : `${parts.hour}:${parts.minute}`;
}

/** Rewrite the server-rendered times under `root` (UTC hours) in the event's time zone. */
export function localizeTimes(root, selector = "time.card__time[datetime]") {
  for (const t of root.querySelectorAll(selector)) {
    const text = formatTime(t.getAttribute("datetime"));
    if (text) t.textContent = text;
  }
}

/** A countdown: "4:05", "1:02:03". */
export function formatSeconds(total) {
  const s = Math.max(0, Math.ceil(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
