"""Sample profiles for ``flask demo --sample``: realistic, idempotent.

Called by ``demo_day._load_sample`` once the sample people exist. The people with a profile
are placed in the first morning atelier so its who's who and tour de table have someone in
them; most consented to be visible, one did not (to show that hidden profiles stay hidden).
"""

from __future__ import annotations

from sqlalchemy import select

from facilitation.domain.profiles import apply_profile, clean_profile
from facilitation.extensions import db
from facilitation.models import Event, Participant

# name → (fonction, kind, publics, je peux apporter, je cherche, contact, visible)
SAMPLE_PROFILES = {
    "Nadia B.": ("Directrice du CCAS", "ccas", "personnes âgées, familles",
                 "aides d'urgence, registre canicule", "bénévoles, logement d'urgence",
                 "n.b@ccas-sgl.example", True),
    "Olivier M.": ("Responsable d'unité locale", "croix_rouge", "personnes isolées, sans-abri",
                   "bénévoles formés, maraudes", "locaux de stockage",
                   "olivier.m@croix-rouge.example", True),
    "Karim A.": ("Assistant social", "crous", "étudiants",
                 "logement étudiant, aides ponctuelles", "aide alimentaire, épicerie solidaire",
                 "06 12 34 56 78", True),
    "Sophie L.": ("Conseillère technique", "departement", "familles, jeunes de 18 à 25 ans",
                  "accompagnement social, données du territoire", "partenaires associatifs",
                  "", True),
    "Fatou S.": ("Coordinatrice", "association", "familles en précarité, étudiants",
                 "aide alimentaire, épicerie solidaire", "bénévoles, camion frigorifique",
                 "fatou@epicerie.example", True),
    "Marc V.": ("Chargé de gestion locative", "bailleur", "ménages relogés",
                "logements d'urgence", "accompagnement social des locataires",
                "m.v@bailleur.example", False),
}  # fmt: skip


def load_profiles(event: Event) -> None:
    """Give the sample people their profile (replaced on every load: idempotent)."""
    sequence = next((s for s in event.sequences if s.kind == "ateliers_pratiques"), None)
    atelier = sequence.ateliers[0] if sequence and sequence.ateliers else None
    for name, (role, kind, publics, offers, needs, contact, visible) in SAMPLE_PROFILES.items():
        person = db.session.scalar(
            select(Participant).where(
                Participant.event_id == event.id, Participant.display_name == name
            )
        )
        if person is None:
            continue
        values, errors = clean_profile(
            {
                "role": role,
                "structure_kind": kind,
                "publics": publics,
                "offers": offers,
                "needs": needs,
                "contact": contact,
                "visible": "on" if visible else "",
            }
        )
        assert not errors, errors
        apply_profile(person, values)
        if atelier is not None:
            person.current_atelier_id = atelier.id
    db.session.flush()
