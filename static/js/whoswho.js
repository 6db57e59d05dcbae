// The atelier's who's who on a phone (templates/interconnaissance/whoswho.html).
// `whoswho:changed` (to the atelier room) only says "it changed": the list itself is read with
// the authorised `whoswho:get`, on every (re)join and every change. User text: textContent only.
import { connectAtelier, showLiveStatus } from "./live.js";
import { tr } from "./i18n.js";
import { kindLabel } from "./kinds.js";
import { el } from "./dom.js";

const root = document.getElementById("whoswho");
const atelierId = Number(root.dataset.atelierId);
const groupsEl = document.getElementById("whoswho-groups");
const emptyEl = document.getElementById("whoswho-empty");
const countEl = document.getElementById("whoswho-count");
const statusEl = document.getElementById("live-status");

function line(label, items) {
  const p = el("p", "person__line");
  p.append(el("span", "person__label", label), document.createTextNode(" " + items.join(", ")));
  return p;
}

/** Mirror of the `person` macro in templates/interconnaissance/_profile.html. */
export function personCard(p) {
  const card = el("article", "person");
  card.dataset.id = String(p.id);
  card.append(el("h3", "person__name", p.display_name));
  const role = [p.role, kindLabel(p)].filter(Boolean).join(" · ");
  if (role) card.append(el("p", "person__role", role));
  if (p.publics && p.publics.length) card.append(line(tr("Publics :"), p.publics));
  if (p.offers && p.offers.length) card.append(line(tr("Peut apporter :"), p.offers));
  if (p.needs && p.needs.length) card.append(line(tr("Cherche :"), p.needs));
  return card;
}

function render(data) {
  const sections = data.groups.map((g) => {
    const section = el("section", "whoswho-group");
    const title = el("h2", "whoswho-group__title", g.structure);
    if (g.commune) title.append(" ", el("span", "whoswho-group__commune", "· " + g.commune));
    section.append(title, ...g.people.map(personCard));
    return section;
  });
  groupsEl.replaceChildren(...sections);
  emptyEl.hidden = data.groups.length > 0;
  let text = data.visible <= 1 ? tr("{n} personne présentée", { n: data.visible }) : tr("{n} personnes présentées", { n: data.visible });
  if (data.hidden > 0) text += tr(" · {hidden} sans profil visible", { hidden: data.hidden });
  countEl.textContent = text;
}

function setStatus(state) {
  showLiveStatus(statusEl, state);
  if (state !== "connected") root.dataset.live = state;
}

let live = null;
async function refresh() {
  if (!live) return;
  try {
    const ack = await live.request("whoswho:get", { atelier_id: atelierId });
    if (ack && ack.ok) {
      render(ack.whoswho);
      root.dataset.live = "joined"; // for tests and styling: the list is the server's
    }
  } catch (_) {
    // timed out: the next (re)join or change asks again
  }
}

live = connectAtelier({ atelierId, onStatus: setStatus, onJoined: refresh });
live.socket.on("whoswho:changed", (msg) => {
  if (msg && Number(msg.atelier_id) === atelierId) refresh();
});
