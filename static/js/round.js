// The atelier's current round as every screen shows it: phase and countdown.
// The countdown runs on the server's clock: each snapshot / round:changed carries
// `server_time`; we keep the offset to this device's clock, so every phone and the
// projector show the same time whatever their own clocks say. At zero the screen shows
// « clos » at once (the server closes the round at the same instant and confirms).
import { parseDate } from "./time.js";
import { tr } from "./i18n.js";

export const PHASE_LABELS = {
  preparation: tr("préparation"),
  contributions: tr("contributions ouvertes"),
  vote: tr("vote"),
  resultats: tr("résultats"),
  clos: tr("clos"),
};

/**
 * Tracks a round and calls `render(view)` whenever what is shown changes (at most 4×/s).
 * view = { round, phase, label, timerState, remaining (seconds|null), expired }
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
    let remaining = null;
    if (timer.state === "running" && timer.ends_at) {
      const ends = parseDate(timer.ends_at);
      remaining = ends ? (ends.getTime() - this.now()) / 1000 : null;
    } else if (timer.state === "paused" && timer.remaining !== null && timer.remaining !== undefined) {
      remaining = Number(timer.remaining);
    }
    const expired = timer.state === "running" && remaining !== null && remaining <= 0;
    const phase = expired ? "clos" : r.phase;
    return {
      round: r,
      phase,
      label: PHASE_LABELS[phase] || r.phase_label || phase,
      timerState: expired ? "none" : timer.state || "none",
      remaining: expired ? 0 : remaining,
      expired,
    };
  }

  tick() {
    const v = this.view();
    const key = [v.phase, v.timerState, v.remaining === null ? "" : Math.ceil(v.remaining)].join("|");
    if (key === this.last) return;
    this.last = key;
    this.render(v);
  }
}
