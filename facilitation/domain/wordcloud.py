"""« En un mot »: the word-cloud rules (issue 19).

A facilitator opens a question in their atelier with N, the most words a phone may send;
phones send words or short phrases, each idempotently (its client id); the cloud groups them
by their French content stems (``domain.french``) and counts each group once per phone (a
phone sending « solidarité » and « solidarités » counts once). The facilitator may hide a
group: it leaves the projector, the phones and the exports.

No request, no emit, no commit here (the handlers commit, then broadcast).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from facilitation.domain.access import Actor, participant_in, require_facilitator
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import Busy, Closed, DomainError, NotFound, ValidationError
from facilitation.domain.french import stems
from facilitation.domain.validation import N_, as_int, clean_text, client_id, integer_id
from facilitation.extensions import db
from facilitation.models import Atelier, Participant
from facilitation.models.base import utcnow
from facilitation.models.wordcloud import (
    MAX_QUESTION_LENGTH,
    MAX_WORD_LENGTH,
    MAX_WORDS_LIMIT,
    CloudHiddenKey,
    CloudWord,
    WordCloud,
)

#: The question a new cloud starts with (the facilitator may change it before opening).
DEFAULT_QUESTION = N_("En un mot, ce que la crise a changé dans votre travail ?")
DEFAULT_MAX_WORDS = 3


class CloudClosed(DomainError):
    code = "cloud_closed"
    http_status = 409


def _one_line(raw: Any) -> str:
    if not isinstance(raw, str):
        return ""
    return " ".join(clean_text(raw).split())


# ------------------------------------------------------------------------- reading
def current_cloud(atelier: Atelier) -> WordCloud | None:
    """The atelier's open cloud, the one phones answer."""
    return db.session.scalar(
        select(WordCloud).where(WordCloud.atelier_id == atelier.id, WordCloud.closed_at.is_(None))
    )


def latest_cloud(atelier: Atelier) -> WordCloud | None:
    """The atelier's most recent cloud, open or closed (the console keeps showing it)."""
    return db.session.scalar(
        select(WordCloud).where(WordCloud.atelier_id == atelier.id).order_by(WordCloud.id.desc())
    )


def clouds_of(atelier_ids: list[int]) -> list[WordCloud]:
    """Every cloud of these ateliers, oldest first (the restitution)."""
    if not atelier_ids:
        return []
    return list(
        db.session.scalars(
            select(WordCloud)
            .where(WordCloud.atelier_id.in_(atelier_ids))
            .order_by(WordCloud.atelier_id, WordCloud.id)
        )
    )


def get_cloud(atelier: Atelier, raw_id: Any) -> WordCloud:
    """The cloud ``raw_id`` of ``atelier``; ``NotFound`` for another atelier's id too."""
    cloud = db.session.get(WordCloud, integer_id(raw_id, "cloud_id", N_("un nuage de mots")))
    if cloud is None or cloud.atelier_id != atelier.id:
        raise NotFound(gettext("Ce nuage de mots n'existe pas dans cet atelier."))
    return cloud


def cloud_dict(cloud: WordCloud) -> dict[str, Any]:
    return {
        "id": cloud.id,
        "atelier_id": cloud.atelier_id,
        "question": cloud.question,
        "max_words": cloud.max_words,
        "status": "ouvert" if cloud.is_open else "clos",
        "opened_at": cloud.opened_at.isoformat(),
        "closed_at": cloud.closed_at.isoformat() if cloud.closed_at else None,
    }


def hidden_keys(cloud_id: int) -> set[str]:
    return set(
        db.session.scalars(select(CloudHiddenKey.key).where(CloudHiddenKey.cloud_id == cloud_id))
    )


def tally(cloud: WordCloud, *, with_hidden: bool = False) -> dict[str, Any]:
    """The cloud's groups, largest first: ``{key, label, count}`` (``hidden`` too with
    ``with_hidden``, the console's view; otherwise hidden groups are left out).

    ``count``: the phones that sent a word of the group (one per phone, whatever their
    spellings). ``label``: the commonest spelling in lower case (the first one sent on a tie).
    """
    rows = db.session.execute(
        select(CloudWord.participant_id, CloudWord.key, CloudWord.text)
        .where(CloudWord.cloud_id == cloud.id)
        .order_by(CloudWord.id)
    ).all()
    phones: dict[str, set[int]] = {}
    spellings: dict[str, Counter[str]] = {}
    for participant_id, key, text in rows:
        phones.setdefault(key, set()).add(participant_id)
        spellings.setdefault(key, Counter())[text.lower()] += 1
    hidden = hidden_keys(cloud.id)
    words = []
    for key, who in phones.items():
        if key in hidden and not with_hidden:
            continue
        word: dict[str, Any] = {
            "key": key,
            "label": spellings[key].most_common(1)[0][0],
            "count": len(who),
        }
        if with_hidden:
            word["hidden"] = key in hidden
        words.append(word)
    words.sort(key=lambda w: (-w["count"], w["label"]))
    shown = [w for w in words if not w.get("hidden")]
    return {
        "atelier_id": cloud.atelier_id,
        "cloud_id": cloud.id,
        "phones": len({p for p, _k, _t in rows}),
        "total": sum(w["count"] for w in shown),
        "words": words,
    }


def mine(cloud: WordCloud, participant: Participant | None) -> list[dict[str, Any]]:
    """The words this phone sent to ``cloud``, in order (resync on reconnect)."""
    if participant is None:
        return []
    rows = db.session.scalars(
        select(CloudWord)
        .where(CloudWord.cloud_id == cloud.id, CloudWord.participant_id == participant.id)
        .order_by(CloudWord.slot)
    )
    return [word_dict(w) for w in rows]


def word_dict(word: CloudWord) -> dict[str, Any]:
    return {"client_id": word.client_id, "text": word.text, "key": word.key, "slot": word.slot}


def cloud_state(
    atelier: Atelier, actor: Actor | None = None, *, moderation: bool = False
) -> dict[str, Any]:
    """The snapshot's ``cloud`` part: the open cloud, its tally and this phone's own words.

    The console (``moderation``) sees the latest cloud, open or closed, hidden words included
    (so it can unhide them after closing); phones and the projector only an open one.
    """
    cloud = latest_cloud(atelier) if moderation else current_cloud(atelier)
    return _state(cloud, actor, moderation)


def cloud_live(
    atelier: Atelier,
    shown: dict[str, Any] | None,
    actor: Actor | None = None,
    *,
    moderation: bool = False,
) -> dict[str, Any]:
    """``cloud_state`` for a join whose shared snapshot already says which cloud is open
    (``shown``, read at the snapshot's version): no cloud open costs no statement."""
    if moderation:
        return cloud_state(atelier, actor, moderation=True)
    if shown is None:
        return _state(None, actor, False)
    cloud = db.session.get(WordCloud, shown["id"])
    return _state(cloud if cloud is not None and cloud.is_open else None, actor, False)


def _state(cloud: WordCloud | None, actor: Actor | None, moderation: bool) -> dict[str, Any]:
    if cloud is None:
        return {"cloud": None, "tally": None, "mine": []}
    return {
        "cloud": cloud_dict(cloud),
        "tally": tally(cloud, with_hidden=moderation),
        "mine": mine(cloud, actor.participant if actor else None),
    }


# ------------------------------------------------------------------------- facilitator
def parse_settings(question: Any, max_words: Any) -> tuple[str, int]:
    errors: dict[str, str] = {}
    text = _one_line(question) or gettext(DEFAULT_QUESTION)
    if len(text) > MAX_QUESTION_LENGTH:
        errors["question"] = gettext(
            "La question est trop longue : %(max)s caractères au plus.", max=MAX_QUESTION_LENGTH
        )
    n = DEFAULT_MAX_WORDS if max_words in (None, "") else as_int(max_words)
    if n is None or not 1 <= n <= MAX_WORDS_LIMIT:
        errors["max_words"] = gettext(
            "Choisissez entre 1 et %(max)s mots par téléphone.", max=MAX_WORDS_LIMIT
        )
    if errors:
        raise ValidationError(errors=errors)
    assert n is not None
    return text, n


def open_cloud(
    actor: Actor, atelier: Atelier, question: Any, max_words: Any
) -> tuple[WordCloud, int]:
    """Open a new cloud; an open one is closed first (phones answer the newest).
    Returns the cloud and the atelier's new version (the snapshot names the open cloud)."""
    require_facilitator(actor, atelier)
    text, n = parse_settings(question, max_words)
    now = utcnow()
    previous = current_cloud(atelier)
    if previous is not None:
        previous.closed_at = now
        db.session.flush()  # before the insert: the open-per-atelier index sees it closed
    cloud = WordCloud(atelier_id=atelier.id, question=text, max_words=n, opened_at=now)
    db.session.add(cloud)
    db.session.flush()
    return cloud, bump_version(atelier.id)


def close_cloud(actor: Actor, atelier: Atelier, cloud: WordCloud) -> int | None:
    """Close ``cloud``: the atelier's new version; None when it was closed already (a repeat
    changes nothing)."""
    require_facilitator(actor, atelier)
    if not cloud.is_open:
        return None
    cloud.closed_at = utcnow()
    db.session.flush()
    return bump_version(atelier.id)


def set_hidden(actor: Actor, atelier: Atelier, cloud: WordCloud, key: Any, hidden: Any) -> bool:
    """Hide (or show again) a group of ``cloud``; False when nothing changed."""
    require_facilitator(actor, atelier)
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise ValidationError(errors={"key": gettext("Choisissez un mot du nuage.")})
    if not isinstance(hidden, bool):
        raise ValidationError(errors={"hidden": gettext("Indiquez s'il faut masquer le mot.")})
    row = db.session.get(CloudHiddenKey, (cloud.id, key))
    if hidden == (row is not None):
        return False
    if hidden:
        db.session.add(CloudHiddenKey(cloud_id=cloud.id, key=key))
    else:
        db.session.execute(
            delete(CloudHiddenKey).where(
                CloudHiddenKey.cloud_id == cloud.id, CloudHiddenKey.key == key
            )
        )
    db.session.flush()
    return True


# ------------------------------------------------------------------------- phones
def phrase_key(raw: Any) -> tuple[str, str]:
    """``(text, key)`` of a word or short phrase as typed; ``ValidationError`` (French)."""
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(errors={"text": gettext("Le mot doit être un texte.")})
    text = _one_line(raw)
    if not text:
        raise ValidationError(errors={"text": gettext("Écrivez un mot ou une courte expression.")})
    if len(text) > MAX_WORD_LENGTH:
        raise ValidationError(
            errors={
                "text": gettext(
                    "« %(text)s » est trop long : %(max)s caractères au plus.",
                    text=text[:MAX_WORD_LENGTH] + "…",
                    max=MAX_WORD_LENGTH,
                )
            }
        )
    key = " ".join(stems(text))
    if not key:
        raise ValidationError(
            errors={
                "text": gettext(
                    "« %(text)s » ne compte que des petits mots (le, de, et…) : "
                    "choisissez un mot qui a du sens.",
                    text=text,
                )
            }
        )
    return text, key


@dataclass(frozen=True)
class Sent:
    word: CloudWord
    cloud: WordCloud
    #: False when this client id was stored before (a resend): nothing changed.
    created: bool


def send_word(participant: Participant | None, atelier: Atelier, data: Mapping[str, Any]) -> Sent:
    """Store one word of a phone in the atelier's cloud ``data["cloud_id"]``, once per
    client id. The duplicate lookup comes before the « open » and « N words » checks: a
    resend of a word stored just before the cloud closed still gets its ack."""
    cid = client_id(data.get("client_id"))
    author = participant_in(participant, atelier)
    cloud = get_cloud(atelier, data.get("cloud_id"))
    existing = _by_client_id(cloud.id, author.id, cid)
    if existing is not None:
        return Sent(existing, cloud, False)
    if not atelier.event.is_open:
        raise Closed()
    if not cloud.is_open:
        raise CloudClosed(gettext("Ce nuage de mots est clos : il ne reçoit plus de mots."))
    text, key = phrase_key(data.get("text"))
    # Two tries: a concurrent send of the same phone may take the slot this one counted.
    for _ in range(2):
        used = db.session.scalar(
            select(func.count())
            .select_from(CloudWord)
            .where(CloudWord.cloud_id == cloud.id, CloudWord.participant_id == author.id)
        )
        if used >= cloud.max_words:
            raise ValidationError(
                errors={
                    "text": gettext(
                        "Vous avez déjà envoyé vos %(n)s mots : c'est le maximum pour ce nuage.",
                        n=cloud.max_words,
                    )
                    if cloud.max_words > 1
                    else gettext("Vous avez déjà envoyé votre mot : un seul par téléphone.")
                }
            )
        word = CloudWord(
            cloud_id=cloud.id,
            participant_id=author.id,
            client_id=cid,
            slot=used + 1,
            text=text,
            key=key,
        )
        try:
            with db.session.begin_nested():
                db.session.add(word)
        except IntegrityError:
            found = _by_client_id(cloud.id, author.id, cid)
            if found is not None:  # the same word racing in from a retry
                return Sent(found, cloud, False)
            continue  # the slot went to another word of this phone: count again
        return Sent(word, cloud, True)
    # Transient (the outbox sends it again): the phone's other word is stored meanwhile.
    raise Busy()


def _by_client_id(cloud_id: int, participant_id: int, cid: str) -> CloudWord | None:
    return db.session.scalar(
        select(CloudWord).where(
            CloudWord.cloud_id == cloud_id,
            CloudWord.participant_id == participant_id,
            CloudWord.client_id == cid,
        )
    )
