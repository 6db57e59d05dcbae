// Kinds of structure (facilitation/domain/profiles.py STRUCTURE_KIND_LABELS) in the page's
// language: a live update carries the French label, the same for every screen of the room.
import { tr } from "./i18n.js";

const LABELS = {
  ccas: tr("CCAS / CIAS"),
  association: tr("Association"),
  departement: tr("Département"),
  etat: tr("État (services déconcentrés)"),
  bailleur: tr("Bailleur social"),
  crous: tr("Crous"),
  croix_rouge: tr("Croix-Rouge"),
  commune: tr("Commune"),
  autre: tr("Autre"),
};

/** The person's kind of structure, translated ("" when none). */
export function kindLabel(p) {
  if (!p || !p.structure_kind) return "";
  return LABELS[p.structure_kind] || p.structure_kind_label || "";
}
