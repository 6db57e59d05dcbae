"""French words as a reader groups them: case, accents, simple plurals, stop words.

One place for the word cloud (« en un mot ») and the facilitator's assistant (duplicates,
themes). The stemmer is Snowball's French stemmer (``snowballstemmer``, the one Sphinx and
many search engines use) and the stop words come from the maintained ``stop-words`` package;
both are pure Python, load in a few milliseconds and download nothing at run time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from stop_words import get_stop_words

#: A word: letters (accented included) and digits, with inner apostrophes or hyphens
#: (« aujourd'hui », « porte-à-porte »); everything else separates words.
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
#: Elisions dropped before a word: « l'accueil » → « accueil ».
_ITE = re.compile(r"(?<=[a-z]{4})ite(s?)$")
_ELISION = re.compile(r"^(?:[ldjmtsnc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)


def fold(text: str) -> str:
    """``text`` in lower case without accents or ligatures: « Élan Œuvre » → « elan oeuvre »."""
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """French stop words, accent-folded (so « deja » and « déjà » are both ignored)."""
    words = set(get_stop_words("french"))
    # Elided forms the list spells without their apostrophe are caught by _ELISION; the
    # folded spelling covers phones that type without accents.
    return frozenset(words | {fold(word) for word in words})


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


def words(text: str) -> list[str]:
    """The words of ``text`` in reading order, lower case, elisions removed (« l' », « qu' »)."""
    found: list[str] = []
    for match in _WORD.finditer(unicodedata.normalize("NFC", text)):
        word = _ELISION.sub("", match.group(0)).casefold()
        if word:
            found.append(word)
    return found


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning: stop words and one-letter words left out."""
    stops = stop_words()
    return [w for w in words(text) if len(w) > 1 and w not in stops and fold(w) not in stops]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The grouping key of one word: Snowball stem, then accents folded.

    « Solidarités », « solidarité » and « solidarite » share one key; so do « épiceries » and
    « epicerie ». Accents are folded after stemming (the stemmer's rules read them) and
    again before, for words typed without accents.
    """
    lowered = word.casefold()
    if lowered == fold(lowered):
        # Typed without accents: give back the one accent the stemmer's commonest rule reads
        # (« -ité », « solidarite » → « solidarité »), so both spellings reach one key.
        lowered = _ITE.sub(r"ité\1", lowered)
    return fold(_stemmer().stemWord(lowered))


def stems(text: str) -> list[str]:
    """The grouping keys of the content words of ``text``, in order (repeats kept)."""
    return [stem(word) for word in content_words(text)]
