// The projector of a chantier atelier (#projector[data-kind=chantier]), beside projector.js
// and sharing its connection: each chantier card's summary, live.
import { attachChantierCards, onPageLive } from "./chantiers_cards.js";

const root = document.getElementById("projector");
if (root && root.dataset.kind === "chantier") {
  const sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("../css/chantiers.css", import.meta.url).href;
  document.head.append(sheet);
  onPageLive(root, (live) => attachChantierCards(live, document.getElementById("cards"), {
    atelierId: Number(root.dataset.atelierId),
  }));
}
