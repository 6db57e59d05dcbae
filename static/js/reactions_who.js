// « Moi aussi », the author's side (loaded by reactions.js only once one of the phone's own
// cards has reactions): who reacted, visible profiles only, the others counted.
import { el } from "./dom.js";
import { tr } from "./i18n.js";

/** « Nous aussi : Inès (CCAS de Chatou), Paul et 2 autres » for each kind with reactions. */
export function whoLines(answer, labels) {
  const lines = [];
  for (const [kind, label] of Object.entries(labels)) {
    const e = answer && answer.reactions && answer.reactions[kind];
    if (!e || !e.count) continue;
    const names = e.people.map((p) => (p.structure ? `${p.display_name} (${p.structure})` : p.display_name));
    const others = e.others > 1 ? tr("et {n} autres", { n: e.others }) : e.others ? tr("et 1 autre") : "";
    const list = names.length ? [names.join(", "), others].filter(Boolean).join(" ")
      : e.count > 1 ? tr("{n} personnes sans profil visible", { n: e.count }) : tr("1 personne sans profil visible");
    lines.push(el("p", "reactions__who", `${label} : ${list}`));
  }
  return lines;
}
