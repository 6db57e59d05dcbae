// The tour de table on the projector (templates/interconnaissance/tour_projector.html).
// Follows `tour:changed`; reads the state with `tour:get` on every (re)join. textContent only.
import { connectAtelier, showLiveStatus } from "./live.js";
import { createTimer } from "./tour_timer.js";
import { kindLabel } from "./kinds.js";

const root = document.getElementById("tour");
const atelierId = Number(root.dataset.atelierId);
const $ = (id) => document.getElementById(id);
const timer = createTimer($("tour-timer"));
let version = -1;

function setRow(name, items) {
  $(`tour-${name}`).textContent = (items || []).join(", ");
  $(`tour-${name}-row`).hidden = !(items && items.length);
}

function render(tour) {
  if (!tour || Number(tour.atelier_id) !== atelierId) return;
  if (Number(tour.version) < version) return; // an older state arriving late
  version = Number(tour.version);
  root.dataset.version = String(version);
  const p = tour.person;
  $("tour-waiting").hidden = Boolean(tour.active && tour.total); // nobody visible yet: wait
  $("tour-hidden").hidden = !(tour.active && tour.hidden);
  $("tour-progress").hidden = !(tour.active && tour.total);
  $("tour-position").textContent = String(tour.position + 1);
  $("tour-total").textContent = String(tour.total);
  $("tour-person").hidden = !p;
  if (p) {
    $("tour-name").textContent = p.display_name;
    $("tour-structure").textContent = [p.structure, p.commune].filter(Boolean).join(" · ");
    $("tour-role").textContent = [p.role, kindLabel(p)].filter(Boolean).join(" · ");
    setRow("publics", p.publics);
    setRow("offers", p.offers);
    setRow("needs", p.needs);
  }
  timer.update(tour);
}

function setStatus(state) {
  showLiveStatus($("live-status"), state);
  if (state !== "connected") root.dataset.live = state;
}

let live = null;
async function refresh() {
  try {
    const ack = await live.request("tour:get", { atelier_id: atelierId });
    if (ack && ack.ok) {
      version = -1; // a fresh read is the truth, even after a server restart
      render(ack.tour);
      root.dataset.live = "joined"; // the state shown is the server's
    }
  } catch (_) {
    // timed out: the next reconnection asks again
  }
}

live = connectAtelier({ atelierId, onStatus: setStatus, onJoined: refresh });
live.socket.on("tour:changed", render);
