// Organizers' control room of an event: every atelier's phase, timer, people, facilitators,
// cards, last activity and warnings, live over Socket.IO (`event:<id>` room, organizers
// only); announcements to every screen; the whole day moved to the next sequence.
// User text via textContent only.
import { connect } from "./live.js";
import { PHASE_LABELS } from "./round.js";
import { el } from "./dom.js";
import { formatSeconds, formatTime, parseDate } from "./time.js";
import { newClientId } from "./outbox.js";
import { tr } from "./i18n.js";

const REFRESH_MS = 5000;
const WARNING_TEXT = {
  idle: tr("aucune activité récente"),
  no_facilitator: tr("pas d’animation connectée"),
};

function init(root) {
  let pending = null; // the announcement being sent: {text, client_id}
  const eventId = Number(root.dataset.eventId);
  const $ = (id) => document.getElementById(id);
  const rows = $("regie-rows");
  const errorBox = $("regie-error");
  let state = null;
  let offsetMs = 0;

  function showError(err) {
    errorBox.textContent = (err && (Object.values(err.errors || {})[0] || err.message)) || tr("Action refusée.");
    errorBox.hidden = false;
  }

  function request(event, payload) {
    return live.request(event, { event_id: eventId, ...payload }, 10000);
  }

  function timerText(round) {
    if (!round || !round.timer) return "";
    const t = round.timer;
    if (t.state === "running" && t.ends_at) {
      const ends = parseDate(t.ends_at);
      return ends ? formatSeconds((ends.getTime() - (Date.now() + offsetMs)) / 1000) : "";
    }
    if (t.state === "paused" && t.remaining !== null) return formatSeconds(t.remaining) + tr(" (pause)");
    if (t.state === "ended") return tr("temps écoulé");
    return "";
  }

  function render() {
    if (!state) return;
    const agenda = state.agenda || {};
    // No sequence designated but ateliers running: where the day is, from the ateliers.
    $("agenda-current").textContent = agenda.current ? agenda.current.title
      : agenda.from_ateliers ? tr("{title} (d’après l’activité des ateliers)", { title: agenda.from_ateliers.title })
        : tr("la journée n’a pas commencé");
    $("agenda-next").textContent = agenda.next ? agenda.next.title : "—";
    $("agenda-next-button").disabled = !agenda.next;
    rows.replaceChildren(...state.ateliers.map((a) => {
      const row = el("tr");
      row.dataset.atelierId = String(a.id);
      row.dataset.warnings = (a.warnings || []).join(" ");
      // The atelier's name opens its console; « projecteur » its room screen.
      const slug = root.dataset.eventSlug;
      const title = el("th");
      title.scope = "row";
      const link = el("a", "", a.title);
      link.href = `/animation/e/${encodeURIComponent(slug)}/a/${a.id}`;
      const screen = el("a", "", tr("projecteur"));
      screen.href = `/e/${encodeURIComponent(slug)}/a/${a.id}/projecteur`;
      screen.target = "_blank";
      screen.rel = "noopener";
      const hint = el("span", "console__hint", a.room ? ` · ${a.room} · ` : " · ");
      hint.append(screen);
      title.append(link, hint);
      const phase = el("td");
      if (a.round) {
        const p = el("span", "phase", `${a.round.number} · ${PHASE_LABELS[a.round.phase] || a.round.phase_label}`);
        p.dataset.phase = a.round.phase;
        phase.append(p);
      } else phase.textContent = "—";
      const timer = el("td", "regie__timer", timerText(a.round));
      const warn = el("td");
      for (const w of a.warnings || []) warn.append(el("span", "regie__warning", WARNING_TEXT[w] || w));
      row.append(
        title, phase, timer,
        el("td", "", a.people), el("td", "", a.facilitators), el("td", "", a.cards),
        el("td", "", a.last_activity ? formatTime(a.last_activity) : "—"),
        warn,
      );
      return row;
    }));
  }

  function apply(snapshot) {
    const server = parseDate(snapshot.server_time);
    if (server) offsetMs = server.getTime() - Date.now();
    state = snapshot;
    render();
    if ("announcement" in snapshot) showCurrent(snapshot.announcement);
  }

  // ---- the announcement on the screens now, with « Retirer » -------------------------
  let current = null;
  const currentBox = el("div", "regie__announcement");
  currentBox.id = "announce-current";
  currentBox.hidden = true;
  $("announce-status").after(currentBox);

  function showCurrent(announcement) {
    current = announcement && !announcement.withdrawn ? announcement : null;
    currentBox.hidden = !current;
    if (!current) { currentBox.replaceChildren(); return; }
    const text = el("p", "regie__announcement-text");
    text.append(tr("À l’écran : « {text} »", { text: current.text }));
    const when = el("p", "console__hint");
    const stamp = el("time", "", formatTime(current.at));
    stamp.dateTime = String(current.at);
    when.append(tr("Envoyée à "), stamp);
    const withdraw = el("button", "button button--secondary", tr("Retirer l’annonce"));
    withdraw.type = "button";
    withdraw.id = "announce-clear";
    withdraw.addEventListener("click", async () => {
      if (!current) return;
      try {
        const ack = await request("announcement:clear", { announcement_id: current.id });
        if (ack && ack.ok) {
          showCurrent(null);
          $("announce-status").textContent = tr("Annonce retirée de tous les écrans.");
        } else showError(ack);
      } catch { showError({ message: tr("Pas de réponse du serveur : réessayez.") }); }
    });
    currentBox.replaceChildren(text, when, withdraw);
  }

  async function refresh() {
    if (!live.connected) return;
    try {
      const ack = await request("control:snapshot", {});
      if (ack && ack.ok) apply(ack);
    } catch { /* next refresh */ }
  }

  // The `event:<id>` room, joined again on every (re)connection: the answer is the snapshot.
  const live = connect({
    root,
    joinEvent: "control:join",
    joinPayload: { event_id: eventId },
    onJoined: apply,
    onError: showError,
  });
  const socket = live.socket;
  socket.on("control:atelier", (msg) => {
    if (!state) return;
    const row = state.ateliers.find((a) => a.id === msg.atelier_id);
    if (row) { row.round = msg.round; render(); }
    refresh();
  });
  socket.on("agenda:changed", (agenda) => { if (state) { state.agenda = agenda; render(); } });
  socket.on("announcement", (msg) => {
    $("announce-status").textContent = tr("Annonce envoyée : « {text} »", { text: msg.text });
    showCurrent(msg);
  });
  socket.on("announcement:cleared", (msg) => {
    if (current && msg && msg.id === current.id) showCurrent(null);
  });

  setInterval(refresh, REFRESH_MS);
  setInterval(() => {
    if (!state) return;
    for (const row of rows.children) {
      const a = state.ateliers.find((x) => String(x.id) === row.dataset.atelierId);
      const cell = row.querySelector(".regie__timer");
      if (a && cell) cell.textContent = timerText(a.round);
    }
  }, 1000);

  $("announce-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("announce-text");
    // The same text sent again after no answer keeps its client_id: stored once (idempotent).
    if (!pending || pending.text !== input.value) pending = { text: input.value, client_id: newClientId() };
    try {
      const ack = await request("announcement:send", { text: pending.text, client_id: pending.client_id });
      if (ack && ack.ok) {
        input.value = "";
        pending = null;
        errorBox.hidden = true;
        showCurrent(ack.announcement);
      } else { pending = null; showError(ack); }
    } catch { showError({ message: tr("Pas de réponse du serveur : réessayez.") }); }
  });
  $("agenda-next-button").addEventListener("click", async () => {
    const next = state && state.agenda && state.agenda.next;
    if (!next || !window.confirm(tr("Passer toute la journée à « {title} » ?", { title: next.title }))) return;
    try {
      const ack = await request("agenda:next", {});
      if (ack && ack.ok) { state.agenda = ack.agenda; render(); } else showError(ack);
    } catch { showError({ message: tr("Pas de réponse du serveur : réessayez.") }); }
  });
}

const root = document.getElementById("regie");
if (root) init(root);
