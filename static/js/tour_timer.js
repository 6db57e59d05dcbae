// Countdown of the tour de table, on the server's clock: the offset between the server's
// `server_time` and this device's clock is applied, so every screen shows the same time.
import { tr } from "./i18n.js";
import { formatSeconds } from "./time.js";

export function createTimer(el) {
  let handle = null;
  let state = null;
  let offsetMs = 0;

  function tick() {
    if (!state) return;
    const started = Date.parse(state.person_started_at);
    const elapsed = (Date.now() + offsetMs - started) / 1000;
    const left = state.timer_seconds - elapsed;
    el.textContent = left > 0 ? formatSeconds(left) : tr("Temps écoulé"); // under an hour: m:ss
    el.dataset.over = left > 0 ? "false" : "true";
  }

  return {
    update(tour) {
      if (tour.server_time) offsetMs = Date.parse(tour.server_time) - Date.now();
      clearInterval(handle);
      handle = null;
      const on = tour.active && tour.timer_seconds > 0 && tour.person_started_at && tour.person;
      el.hidden = !on;
      state = on ? tour : null;
      if (on) {
        tick();
        handle = setInterval(tick, 250);
      }
    },
  };
}
