"""Personal data: the event's purge after the restitution, and a participant's own data.

What is personal here, model by model, and what each operation does with it:

============================  =====================================  ==========================
data                          purge (whole event)                    « Mes données » (one person)
============================  =====================================  ==========================
Participant name/structure/   blanked; the row stays as an anonymous blanked likewise, cookie
commune                       number so dots and voter counts hold   forgotten by the web layer
Contribution author link      cleared, text kept                     cleared (or card deleted
                                                                     while its round is open)
Contribution structure/       kept only if shared (``places``: two   likewise, on the person's
commune                       participants gave it; a commune also   kept cards
                              if it is one of the event's)
ChantierAddition/Comment      author link cleared, text kept         author link cleared
Engagement contact/consent    contact erased, consent off            row deleted
Profile                       deleted                                deleted
ContactRequest                deleted                                deleted (sent and received)
TourDeTable speaking order    deleted                                the person leaves the order
Dot / VoterBudget             kept on the anonymous row              removed from open ballots
CloudWord (« en un mot »)     kept on the anonymous row              kept (a word names no one)
Dot scribe label (a name?)    renamed « Saisie N »                   —
FacilitatorLink label         revoked, label erased                  —
Atelier facilitators' names   erased                                 —
RoundTransition actor label   « organisation » / « animation »       —
AtelierSynthesis updated_by   erased                                 —
ChantierDetail consolidated   « by » erased                          —
expected_participant rows     deleted (when the table exists)        —
============================  =====================================  ==========================

Kept on purpose: the cards' and chantiers' texts (titre, description: they describe the
practice, not its author; ``porteur`` names who carries a chantier, part of the result), the
syntheses, the dots. A card's structure and commune are prefilled from its author's join form,
so they are kept only when they do not point at one person (``places``). Before the first
purge the figures that need personal data (structures and communes tallies, people per
atelier) are frozen in ``EventPrivacy`` so the restitution's counts stay the same afterwards;
their lists keep only the shared names. The rules flush; the caller commits.

The package: ``purge`` (the whole event, with its dry run), ``person`` (one participant's own
data) and ``places`` (which structures and communes a card keeps). The purge date and the frozen figures are ``domain.retention``'s, re-exported here.
"""

from __future__ import annotations

from facilitation.domain.privacy.person import (
    Forgotten,
    deletable_cards,
    forget_participant,
    my_data,
)
from facilitation.domain.privacy.purge import (
    PurgeSummary,
    due_events,
    plan_purge,
    purge_event,
)
from facilitation.domain.retention import kept_figures, privacy_of, schedule_purge

__all__ = [
    "Forgotten",
    "PurgeSummary",
    "deletable_cards",
    "due_events",
    "forget_participant",
    "kept_figures",
    "my_data",
    "plan_purge",
    "privacy_of",
    "purge_event",
    "schedule_purge",
]
