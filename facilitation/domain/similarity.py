"""Probable duplicates and themes among an atelier's cards: the facilitator's assistant.

Pure computation on texts (no database, no request): ``domain.assistant`` feeds it the cards
and turns the result into proposals.

How. Each card is a bag of French word stems (``domain.french``: Snowball stemmer, stop words,
accents folded), weighted by TF-IDF (sublinear term frequency, smoothed inverse document
frequency over the atelier's own cards) and normalised; two cards are as close as the cosine
of their vectors. On top of the stems:

* a short list of synonyms of the field (« aînés » / « seniors » / « personnes âgées »,
  « colis » / « paniers », « maraude » / « tournée de rue »...) maps words a facilitator reads
  as the same onto one key, because cards that say the same thing rarely use the same words;
* typos: two stems of at least 5 letters one edit apart (a letter missing, added, changed
  or two swapped: « solidaire » / « solidiare ») are one key, found with the deletion
  neighbourhood trick (each stem and its one-letter deletions), without comparing every pair.

Duplicates: pairs whose cosine reaches ``DUPLICATE_THRESHOLD``. Themes: average-linkage
agglomerative grouping on the same vectors, merging while the average similarity of two
groups reaches ``THEME_THRESHOLD``; groups of at least ``THEME_MIN_SIZE`` cards are themes,
labelled with their 1-3 most characteristic stems, each shown as its commonest original word.
Both thresholds were set on the labelled set tests/domain/data/assistant_cards.json
(tests/domain/test_assistant_quality.py prints the figures).

Why pure Python and not scikit-learn. An atelier has tens to a few hundred cards: the sparse
vectors, an inverted index for the dot products (only cards sharing a key are compared) and a
heap for the grouping take tens of milliseconds for 100 cards (README, « Assistant de
l'animateur »). scikit-learn with SciPy and NumPy is about 100 MB installed and about a second
of import in the worker that answers the phones, for no gain at this size; the stemmer and
stop words were already there. The loops take a ``pause`` callback, called every few dozen
steps, so the caller can give the event loop back to the phones (eventlet: ``sleep(0)``).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from facilitation.domain.french import content_words, fold, stem

#: Cosine from which two cards are proposed as « la même chose ».
DUPLICATE_THRESHOLD = 0.4
#: Average cosine between two groups from which they are one theme.
THEME_THRESHOLD = 0.07
#: A theme has at least this many cards.
THEME_MIN_SIZE = 3
#: A key found in more than this share of the cards says nothing about any (« action »).
MAX_DOCUMENT_SHARE = 0.5
#: Words typed in the title count this many times (the title is what the card says).
TITLE_WEIGHT = 2
#: Steps between two calls of ``pause``.
PAUSE_EVERY = 40

#: Words of the field a facilitator reads as the same thing; the first of each line is the
#: key. Kept short and general (the crisis vocabulary of social action), not fitted to cards.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("âgé", "âgées", "senior", "aîné", "retraité", "ehpad", "vieux"),
    ("appel", "appeler", "téléphone", "téléphoner", "téléphonique", "rappeler", "coup de fil"),
    ("sans-abri", "sdf", "sans-domicile", "domicile fixe", "rue"),
    ("colis", "panier", "courses", "denrée", "provisions"),
    ("visio", "visioconférence", "vidéo", "zoom"),
    ("ordinateur", "tablette", "pc", "portable"),
    ("chèque", "bon", "ticket"),
    ("maraude", "tournée"),
    ("psychologue", "psychologique", "psy", "écoute"),
    ("transport", "navette", "minibus", "chauffeur", "véhicule"),
    ("vaccin", "vacciner", "vaccination", "vaccinodrome"),
    ("semaine", "hebdomadaire"),
    ("bénévole", "volontaire", "bénévolat"),
    ("enfant", "écolier", "élève"),
    ("courrier", "lettre", "carte postale"),
    ("rendez-vous", "créneau", "rdv"),
    ("pharmacie", "pharmacien", "officine"),
    ("scolaire", "devoirs", "école", "tutorat"),
    ("réunion", "cellule de crise", "coordination"),
    ("hôtel", "hôtelier"),
    ("décrocheur", "décrochage", "perdu de vue"),
    ("démarche", "dossier", "formulaire"),
    ("impayé", "dette", "arriéré"),
    ("épuisé", "épuisement", "burn-out", "fatigue"),
    ("groupe de parole", "analyse de pratique", "supervision", "débriefing"),
    ("drive", "retrait"),
    ("épicerie", "épicerie sociale", "épicerie solidaire"),
)


@lru_cache(maxsize=1)
def _synonyms() -> tuple[dict[str, str], dict[str, list[tuple[tuple[str, ...], str]]]]:
    """(stem → key) for single words, (first stem → [(stems, key)]) for expressions."""
    single: dict[str, str] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for line in SYNONYMS:
        key = "~" + fold(line[0])
        for word in line:
            parts = tuple(stem(w) for w in content_words(word))
            if len(parts) == 1:
                single[parts[0]] = key
            elif parts:
                phrases[parts[0]].append((parts, key))
    for found in phrases.values():
        found.sort(key=lambda item: -len(item[0]))  # the longest expression first
    return single, dict(phrases)


@lru_cache(maxsize=32768)
def _analysed(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """``text``'s keys, and each content word with its key (labels show words, not stems).

    Cached: the assistant reads an atelier's cards again every time one arrives, and a card's
    text rarely changes.
    """
    single, phrases = _synonyms()
    found = content_words(text)
    stems = [stem(w) for w in found]
    keys: list[str] = []
    i = 0
    while i < len(stems):
        for phrase, key in phrases.get(stems[i], ()):
            if tuple(stems[i : i + len(phrase)]) == phrase:
                keys.append(key)
                i += len(phrase)
                break
        else:
            keys.append(single.get(stems[i], stems[i]))
            i += 1
    return tuple(keys), tuple((w, single.get(k, k)) for w, k in zip(found, stems, strict=True))


def keys_of(text: str) -> list[str]:
    """The comparison keys of ``text``: stems, expressions and synonyms mapped to one key."""
    return list(_analysed(text)[0])


@dataclass(frozen=True)
class Card:
    """What the assistant reads of a card."""

    id: int
    titre: str
    description: str = ""


@dataclass
class Vectors:
    """The cards' normalised TF-IDF vectors, and what the labels need."""

    ids: list[int]
    vectors: list[dict[str, float]]
    idf: dict[str, float]
    #: key → original words seen for it (folded stems are not shown to people).
    words: dict[str, Counter[str]] = field(default_factory=dict)
    #: per card, its keys (repeats kept): a theme's label counts them.
    keys: list[list[str]] = field(default_factory=list)


def _typo_map(counts: Counter[str]) -> dict[str, str]:
    """Stems of one card only mapped onto a stem of several cards one edit away (≥ 5
    letters: a letter missing or added; ≥ 7 letters: changed): the lone spelling is taken
    for a typo.

    Deletion neighbourhood: a stem and its one-letter deletions, each with its position,
    are keys; two stems one substitution apart share ``(deleted, position)``, and a stem
    one letter shorter equals a deletion of the other. No chaining: only rare → common.
    """
    common: dict[tuple[str, int], list[str]] = defaultdict(list)
    for key, n in counts.items():
        if n >= 2 and not key.startswith("~") and len(key) >= 5:
            common[(key, -1)].append(key)
            for i in range(len(key)):
                common[(key[:i] + key[i + 1 :], i)].append(key)
    out: dict[str, str] = {}
    for key, n in counts.items():
        if n != 1 or key.startswith("~") or len(key) < 5:
            continue
        near: list[str] = []
        for i in range(len(key)):
            shorter = key[:i] + key[i + 1 :]
            if len(key) >= 7:  # one letter changed (shorter: « auteur » / « acteur »)
                near += common.get((shorter, i), [])
            near += common.get((shorter, -1), [])  # one letter added
        # One letter missing: the key is a deletion of a common stem, at any position.
        near += [k for i in range(len(key) + 1) for k in common.get((key, i), [])]
        near = [k for k in near if k != key]
        if near:
            out[key] = max(near, key=lambda k: (counts[k], k))
    return out


def vectorize(cards: Sequence[Card], pause: Callable[[], None] | None = None) -> Vectors:
    """TF-IDF vectors of ``cards`` (see the module's docstring)."""
    docs: list[list[str]] = []
    words: dict[str, Counter[str]] = defaultdict(Counter)
    for n, card in enumerate(cards):
        keys: list[str] = []
        for text, weight in ((card.titre, TITLE_WEIGHT), (card.description, 1)):
            found, shown = _analysed(text)
            keys.extend(found * weight)
            # Original words per key, for labels: each content word under its own key.
            for word, key in shown:
                words[key][word] += weight
        docs.append(keys)
        # Every 10 cards: a card never read before costs its stemming (cached afterwards).
        if pause and n % 10 == 9:
            pause()
    df: Counter[str] = Counter()
    for keys in docs:
        df.update(set(keys))
    typos = _typo_map(df)
    if typos:
        docs = [[typos.get(k, k) for k in keys] for keys in docs]
        for k, to in typos.items():
            words[to].update(words.pop(k, Counter()))
        df = Counter()
        for keys in docs:
            df.update(set(keys))
    n_docs = len(docs)
    # In a small atelier the common word is the theme itself: the cap starts from 5 cards.
    limit = max(5.0, MAX_DOCUMENT_SHARE * n_docs)
    idf = {k: math.log((1 + n_docs) / (1 + d)) + 1 for k, d in df.items() if d <= limit}
    vectors: list[dict[str, float]] = []
    for keys in docs:
        tf = Counter(k for k in keys if k in idf)
        vec = {k: (1 + math.log(c)) * idf[k] for k, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({k: v / norm for k, v in vec.items()})
    return Vectors([c.id for c in cards], vectors, idf, dict(words), docs)


def similarities(
    vectors: Vectors, floor: float, pause: Callable[[], None] | None = None
) -> dict[tuple[int, int], float]:
    """Cosine of every pair of cards (by index ``i < j``) that reaches ``floor`` (> 0).

    Through an inverted index: only cards sharing a key are multiplied.
    """
    index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(vectors.vectors):
        for k, w in vec.items():
            index[k].append((i, w))
    out: dict[tuple[int, int], float] = {}
    for i, vec in enumerate(vectors.vectors):
        acc: dict[int, float] = defaultdict(float)
        for k, w in vec.items():
            for j, wj in index[k]:
                if j > i:
                    acc[j] += w * wj
        for j, s in acc.items():
            if s >= floor:
                out[(i, j)] = s
        if pause and i % PAUSE_EVERY == PAUSE_EVERY - 1:
            pause()
    return out


@dataclass(frozen=True)
class Duplicate:
    ids: tuple[int, int]
    score: float


@dataclass(frozen=True)
class Theme:
    ids: tuple[int, ...]
    #: The characteristic keys (sorted): a theme's identity, for dismissals.
    keys: tuple[str, ...]
    label: str


def duplicates(
    vectors: Vectors,
    sims: dict[tuple[int, int], float] | None = None,
    threshold: float = DUPLICATE_THRESHOLD,
) -> list[Duplicate]:
    """Pairs of cards that probably say the same thing, the likeliest first."""
    sims = similarities(vectors, threshold) if sims is None else sims
    found = [
        Duplicate(tuple(sorted((vectors.ids[i], vectors.ids[j]))), round(s, 3))  # type: ignore[arg-type]
        for (i, j), s in sims.items()
        if s >= threshold
    ]
    return sorted(found, key=lambda d: (-d.score, d.ids))


def _groups(
    n: int,
    sims: dict[tuple[int, int], float],
    threshold: float,
    pause: Callable[[], None] | None = None,
) -> list[list[int]]:
    """Average-linkage agglomerative grouping: merge the two groups of highest average
    similarity while it reaches ``threshold``. Sparse: the sums of similarities between
    groups are kept only for groups that share at least one similar pair (the others
    average 0), and a heap with lazy deletion gives the best pair."""
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    total: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), s in sims.items():
        total[i][j] = s
        total[j][i] = s
    heap = [(-s, i, j) for (i, j), s in sims.items() if s >= threshold]
    heapq.heapify(heap)
    fresh = n
    steps = 0
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue  # one of them was merged since
        group = members.pop(a) + members.pop(b)
        c = fresh
        fresh += 1
        members[c] = group
        sums: dict[int, float] = {}
        for old in (a, b):
            for other, s in total.pop(old, {}).items():
                if other in (a, b):
                    continue
                sums[other] = sums.get(other, 0.0) + s
                total[other].pop(old, None)
        for other, s in sums.items():
            total[c][other] = s
            total[other][c] = s
            average = s / (len(group) * len(members[other]))
            if average >= threshold:
                heapq.heappush(heap, (-average, min(c, other), max(c, other)))
        steps += 1
        if pause and steps % PAUSE_EVERY == 0:
            pause()
    return sorted(members.values(), key=lambda g: (-len(g), min(g)))


def _label(vectors: Vectors, group: list[int]) -> tuple[tuple[str, ...], str]:
    """The 1-3 keys most characteristic of ``group`` (in most of its cards, rare elsewhere),
    and a label of their commonest original words."""
    seen: Counter[str] = Counter()  # cards of the group with the key
    weight: Counter[str] = Counter()  # its occurrences, title words counting double
    for i in group:
        keys = [k for k in vectors.keys[i] if k in vectors.idf]
        seen.update(set(keys))
        weight.update(keys)
    scored = sorted(
        (
            (weight[k] * vectors.idf[k], k)
            for k, count in seen.items()
            if count >= max(2, len(group) / 4)
        ),
        key=lambda t: (-t[0], t[1]),
    )
    chosen = [k for _, k in scored[:3]]
    if not chosen or seen[chosen[0]] * 2 < len(group):
        # No word shared by half the cards: a group by chance, not a theme to name.
        return (), ""
    # A third key far behind the first two makes the label longer, not clearer.
    while len(chosen) > 1 and seen[chosen[-1]] * 3 < seen[chosen[0]]:
        chosen.pop()
    shown = []
    for k in chosen:
        commonest = vectors.words.get(k)
        shown.append(commonest.most_common(1)[0][0] if commonest else k.lstrip("~"))
    label = ", ".join(shown)
    return tuple(sorted(chosen)), label[:1].upper() + label[1:]


def themes(
    vectors: Vectors,
    sims: dict[tuple[int, int], float] | None = None,
    threshold: float = THEME_THRESHOLD,
    min_size: int = THEME_MIN_SIZE,
    pause: Callable[[], None] | None = None,
) -> list[Theme]:
    """Groups of at least ``min_size`` cards with a label, the largest first."""
    sims = similarities(vectors, threshold, pause) if sims is None else sims
    out: list[Theme] = []
    for n, group in enumerate(_groups(len(vectors.ids), sims, threshold, pause)):
        if len(group) < min_size:
            continue
        if pause and n % 8 == 7:
            pause()
        keys, label = _label(vectors, group)
        if not label:
            continue
        out.append(Theme(tuple(sorted(vectors.ids[i] for i in group)), keys, label))
    return out


@dataclass
class Analysis:
    duplicates: list[Duplicate]
    themes: list[Theme]


def analyse(
    cards: Sequence[Card],
    pause: Callable[[], None] | None = None,
    theme_cards: Iterable[int] | None = None,
) -> Analysis:
    """Duplicates among ``cards``, and themes among those of ``theme_cards`` (ids; all by
    default): a card already sorted into a category needs no theme."""
    vectors = vectorize(cards, pause)
    floor = min(DUPLICATE_THRESHOLD, THEME_THRESHOLD)
    sims = similarities(vectors, floor, pause)
    found_duplicates = duplicates(vectors, sims)
    if theme_cards is not None:
        keep = set(theme_cards)
        index = [i for i, card_id in enumerate(vectors.ids) if card_id in keep]
        position = {old: new for new, old in enumerate(index)}
        sub = Vectors(
            [vectors.ids[i] for i in index],
            [vectors.vectors[i] for i in index],
            vectors.idf,
            vectors.words,
            [vectors.keys[i] for i in index],
        )
        sub_sims = {
            (position[i], position[j]): s
            for (i, j), s in sims.items()
            if i in position and j in position
        }
        return Analysis(found_duplicates, themes(sub, sub_sims, pause=pause))
    return Analysis(found_duplicates, themes(vectors, sims, pause=pause))
