// The atelier's current round as every screen shows it: phase and countdown.
// The countdown runs on the server's clock: each snapshot / round:changed carries
// `server_time`; we keep the offset to this device's clock, so every phone and the
// projector show the same time whatever their own clocks say. At zero the facilitator's
// choice for the round applies (round.at_zero): « alert » (default) keeps the phase and shows
// a signal on every screen (plus a short sound where the browser allows it); « advance »
// shows the next phase at once (the server moves the round at the same instant and confirms).
import { parseDate } from "./time.js";
import { tr } from "./i18n.js";

export const PHASE_LABELS = {
  preparation: tr("préparation"),
  contributions: tr("contributions ouvertes"),
  vote: tr("vote"),
  resultats: tr("résultats"),
  clos: tr("clos"),
};

const NEXT = { preparation: "contributions", contributions: "vote", vote: "resultats", resultats: "clos", clos: "clos" };

let endBox = null;
/** The « Temps écoulé » signal, shared by every screen that shows a round (CSS: .timer-end). */
function signalEnd(show, live) {
  if (!show) { if (endBox) endBox.hidden = true; return; }
  if (!endBox) {
    endBox = document.createElement("button");
    endBox.type = "button";
    endBox.className = "timer-end";
    endBox.id = "timer-end";
    endBox.setAttribute("role", "alert");
    endBox.textContent = tr("Temps écoulé ! (toucher pour masquer)");
    endBox.addEventListener("click", () => { endBox.hidden = true; });
    document.body.append(endBox);
  } else if (!live) {
    return; // already shown (or dismissed) for this zero
  }
  endBox.hidden = false;
  if (live) beep();
}

function beep() {
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    for (let i = 0; i < 3; i += 1) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.35);
      osc.stop(ctx.currentTime + i * 0.35 + 0.2);
    }
    setTimeout(() => ctx.close(), 1500);
  } catch { /* no sound on this device: the visual signal stays */ }
}

/**
 * Tracks a round and calls `render(view)` whenever what is shown changes (at most 4×/s).
 * view = { round, phase, label, timerState ("none"|"running"|"paused"|"ended"),
 *          remaining (seconds|null), expired (the phase moved at zero, not yet confirmed) }
 */
export class RoundClock {
  constructor(render) {
    this.render = render;
    this.round = null;
    this.offsetMs = 0; // server clock − this device's clock
    this.receivedAt = 0;
    this.last = "";
    this.interval = setInterval(() => this.tick(), 250);
  }

  /** Apply a round from a snapshot or a `round:changed` (with its `server_time`). */
  update(round, serverTime) {
    const server = parseDate(serverTime);
    if (server) this.offsetMs = server.getTime() - Date.now();
    this.round = round || null;
    this.receivedAt = Date.now();
    this.last = "";
    this.tick();
  }

  now() {
    return Date.now() + this.offsetMs;
  }

  view() {
    const r = this.round;
    if (!r) return { round: null, phase: null, label: "", timerState: "none", remaining: null, expired: false };
    const timer = r.timer || {};
    let state = timer.state || "none";
    let remaining = null;
    let phase = r.phase;
    if (state === "running" && timer.ends_at) {
      const ends = parseDate(timer.ends_at);
      remaining = ends ? (ends.getTime() - this.now()) / 1000 : null;
      if (remaining !== null && remaining <= 0) {
        remaining = 0;
        if (r.at_zero === "advance") { phase = NEXT[r.phase] || r.phase; state = "none"; remaining = null; }
        else state = "ended";
      }
    } else if (state === "paused" && timer.remaining !== null && timer.remaining !== undefined) {
      remaining = Number(timer.remaining);
    } else if (state === "ended") {
      remaining = 0;
    }
    return {
      round: r,
      phase,
      label: PHASE_LABELS[phase] || r.phase_label || phase,
      timerState: state,
      remaining,
      expired: phase !== r.phase,
    };
  }

  tick() {
    const v = this.view();
    const key = [v.phase, v.timerState, v.remaining === null ? "" : Math.ceil(v.remaining)].join("|");
    if (key === this.last) return;
    // Live: the countdown reached zero on this screen (not a page loaded after it).
    const live = v.timerState === "ended" && this.lastState === "running";
    this.lastState = v.timerState;
    this.last = key;
    signalEnd(v.timerState === "ended", live);
    this.render(v);
  }
}
