"""Socket.IO events of « en un mot », the word cloud (PROTOCOL.md, "Word cloud").

Each handler: validate → authorise (domain.access, inside the domain call) → domain → commit
→ broadcast. Opening and closing are sent at once (``cloud:changed``, versioned: the
snapshot names the open cloud); words only mark the atelier dirty and their tallies are
coalesced (push/wordcloud.py).
"""

from __future__ import annotations

from typing import Any

from facilitation.domain import wordcloud
from facilitation.domain.access import require_facilitator
from facilitation.edge.identity import actor_for, participant_for
from facilitation.extensions import db
from facilitation.push import wordcloud as push
from facilitation.realtime.handlers import atelier_from, event


def _public(atelier_id: int, cloud: wordcloud.WordCloud) -> dict[str, Any]:
    """What phones and the projector are told: the cloud while open, nothing once closed."""
    if not cloud.is_open:
        return {"cloud": None, "closed": wordcloud.cloud_dict(cloud), "tally": None}
    return {"cloud": wordcloud.cloud_dict(cloud), "tally": wordcloud.tally(cloud)}


@event("cloud:open")
def cloud_open(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    cloud, version = wordcloud.open_cloud(
        actor_for(atelier.event_id), atelier, payload.get("question"), payload.get("max_words")
    )
    data, public, atelier_id = wordcloud.cloud_dict(cloud), _public(atelier.id, cloud), atelier.id
    db.session.commit()
    push.cloud_changed(atelier_id, {**public, "version": version})
    return {"ok": True, "version": version, "cloud": data, "tally": public["tally"]}


@event("cloud:close")
def cloud_close(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    require_facilitator(actor, atelier)  # before the cloud id is looked up
    cloud = wordcloud.get_cloud(atelier, payload.get("cloud_id"))
    version = wordcloud.close_cloud(actor, atelier, cloud)
    data, public, atelier_id = wordcloud.cloud_dict(cloud), _public(atelier.id, cloud), atelier.id
    tally = wordcloud.tally(cloud, with_hidden=True)
    db.session.commit()
    if version is not None:
        push.cloud_changed(atelier_id, {**public, "version": version})
    return {
        "ok": True,
        "version": version,
        "changed": version is not None,
        "cloud": data,
        "tally": tally,
    }


@event("cloud:hide")
def cloud_hide(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    require_facilitator(actor, atelier)
    cloud = wordcloud.get_cloud(atelier, payload.get("cloud_id"))
    changed = wordcloud.set_hidden(actor, atelier, cloud, payload.get("key"), payload.get("hidden"))
    public, atelier_id = _public(atelier.id, cloud), atelier.id
    tally = wordcloud.tally(cloud, with_hidden=True)
    db.session.commit()
    if changed:
        # Unversioned: hiding changes the tally, not which cloud is open.
        push.cloud_changed(atelier_id, public)
    return {"ok": True, "changed": changed, "tally": tally}


@event("cloud:send")
def cloud_send(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    sent = wordcloud.send_word(participant_for(atelier.event_id), atelier, payload)
    data, atelier_id, cloud_id = wordcloud.word_dict(sent.word), atelier.id, sent.cloud.id
    db.session.commit()
    if sent.created:
        push.word_added(atelier_id)
    return {
        "ok": True,
        "duplicate": not sent.created,
        "atelier_id": atelier_id,
        "cloud_id": cloud_id,
        "word": data,
    }
