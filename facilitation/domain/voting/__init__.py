"""Dot-voting: open, close and reveal a ballot; set one's dots on a card; tallies.

Contract of the writes (see facilitation/models/vote.py for why the budget cannot be
overspent): ``set_dots`` means "my dots on card X are now N", never "+1", so a retry, a double
tap or a second tab is harmless; the budget and the per-card maximum are checked in the same
transaction as the write, on a locked row, backed by ``CHECK (used <= budget)``.

Like the rest of the domain these functions flush, never commit, never emit. Changes that
clients must hear about are recorded in ``db.session.info`` (``PENDING_KEY``); the broadcast
layer (facilitation/push/votes.py) sends them after the commit, so a hook called by a
colleague's code (rounds, merges) broadcasts without that code knowing about votes.

The package, from the bottom up:

* ``settings``: a ballot's settings and their parsing; ``errors``: what a vote refuses;
* ``ballot``: the life cycle (open, close, reopen, reveal) and the rounds' phase hook;
* ``budget``: the voter's budget row and dots in SQL, the lock under every change;
* ``dots``: setting one's dots, the scribe's lines, a voter's own state;
* ``merge``: dots that follow their card or voter (merges, removals, « Mes données »);
* ``tally``: ranked results, participation, who may see them, the snapshot's vote part.

Hooks for the rest of the app:

* ``on_round_phase(atelier, round, new_phase)``: "vote" opens a ballot, "résultats" reveals,
  every other phase closes the open ballot (a ballot is open only in "vote").
* ``on_merge(target, source)``: dots on ``source`` move to ``target``.
* ``on_card_removed(card)``: a card hidden or withdrawn gives its dots back to their voters.
* ``forget_voter(participant_id)``: a person forgotten leaves every open ballot.
"""

from __future__ import annotations

from facilitation.domain.voting.ballot import (
    PENDING_KEY,
    ballot_dict,
    close_ballot,
    current_ballot,
    default_settings_for,
    on_round_phase,
    open_ballot,
    open_ballot_of,
    reopen_ballot,
    reveal_ballot,
)
from facilitation.domain.voting.dots import (
    DotResult,
    my_dots,
    quick_set_dots,
    scribe_set,
    set_dots,
)
from facilitation.domain.voting.errors import BudgetExceeded, VoteClosed, VoteConflict
from facilitation.domain.voting.merge import forget_voter, on_card_removed, on_merge
from facilitation.domain.voting.settings import DEFAULT_DOTS, BallotSettings, parse_settings
from facilitation.domain.voting.tally import (
    can_see_tally,
    competition_ranks,
    participation,
    require_tally_access,
    tally,
    vote_state,
)

__all__ = [
    "DEFAULT_DOTS",
    "PENDING_KEY",
    "BallotSettings",
    "BudgetExceeded",
    "DotResult",
    "VoteClosed",
    "VoteConflict",
    "ballot_dict",
    "can_see_tally",
    "close_ballot",
    "competition_ranks",
    "current_ballot",
    "default_settings_for",
    "forget_voter",
    "my_dots",
    "on_card_removed",
    "on_merge",
    "on_round_phase",
    "open_ballot",
    "open_ballot_of",
    "parse_settings",
    "participation",
    "quick_set_dots",
    "reopen_ballot",
    "require_tally_access",
    "reveal_ballot",
    "scribe_set",
    "set_dots",
    "tally",
    "vote_state",
]
