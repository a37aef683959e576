"""The keyword prefilter: find every rule keyword in lowercased text, fast, in pure Python.

A rule runs on a line only when one of its keywords occurs in it, so clean text costs one pass of
this prefilter and nothing else.  (When google-re2 is installed, large texts are scanned with the
rules' triggers instead: see ``table._Re2Triggers``.)  Python's ``re`` tries an alternation branch by branch at every
position, which is slow for some 250 keywords; but its search loop skips, in C, every position
whose character cannot start the pattern.  So each keyword is *anchored* on its rarest character
(``ghp_`` on ``_``, ``token`` on ``k``): the pattern starts with one of the few anchor characters,
looks ahead for the rest of the keyword and looks behind for its beginning.  Keywords made only of
common characters (``secret``, ``pass``) are found with ``str.find`` instead, one scan per root
word, longer keywords being checked around each occurrence of their root.

Every occurrence of every keyword is reported (tested against a naive search).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

#: Approximate frequency (per mille) of characters in lowercased shell history; others: rarer.
FREQUENCY = {
    " ": 100.0, "e": 62.0, "t": 62.0, "i": 51.0, "a": 48.0, "s": 46.0, "r": 41.0, "p": 40.0,
    "-": 39.0, "o": 39.0, "l": 38.0, "c": 38.0, "g": 35.0, "n": 31.0, "d": 30.0, "m": 27.0,
    "/": 26.0, ".": 23.0, "u": 19.0, "h": 17.0, "b": 16.0, "f": 16.0, "y": 13.0, "k": 11.0,
    "0": 10.0, "8": 7.0, "2": 7.0, "1": 7.0, "3": 6.0, "'": 6.0, ":": 6.0, "5": 5.0, "4": 5.0,
    "x": 4.0, "7": 4.0, "6": 4.0, "v": 4.0, "9": 4.0, "w": 4.0, "=": 3.0, "_": 3.0, '"': 3.0,
    "q": 2.0, "$": 2.0, "~": 2.0, "@": 2.0, "+": 1.0, ",": 1.0, "j": 1.0, "*": 1.0, "|": 1.0,
    "z": 1.0,
}
#: Estimated cost (ms per MB) of one ``str.find`` pass, and of one anchor candidate per mille.
_FIND_COST = 0.55
_ANCHOR_COST = 0.1


def frequency(char: str) -> float:
    """Estimated frequency of ``char`` (per mille)."""
    return FREQUENCY.get(char, 0.5)


def anchor_of(keyword: str) -> int:
    """The offset of the rarest character of ``keyword`` (the first one on ties)."""
    return min(range(len(keyword)), key=lambda i: (frequency(keyword[i]), i))


def anchor_threshold(keywords: Iterable[str]) -> float:
    """The frequency up to which anchor characters are used, minimising the estimated cost of
    the anchored pattern plus one ``str.find`` pass per remaining root keyword."""
    rarest = {k: k[anchor_of(k)] for k in set(keywords)}
    best = (float("inf"), 0.0)
    for threshold in sorted({frequency(c) for c in rarest.values()}):
        anchors = {c for c in rarest.values() if frequency(c) <= threshold}
        plain = [k for k, c in rarest.items() if frequency(c) > threshold]
        cost = sum(frequency(c) for c in anchors) * _ANCHOR_COST + len(_roots(plain)) * _FIND_COST
        best = min(best, (cost, threshold))
    return best[1]


class KeywordIndex:
    """Finds all occurrences of a fixed set of lowercase keywords."""

    def __init__(self, keywords: Iterable[str]) -> None:
        unique = sorted(set(keywords))
        self.keywords = tuple(unique)
        limit = anchor_threshold(unique)
        anchored = [k for k in unique if frequency(k[anchor_of(k)]) <= limit]
        plain = [k for k in unique if frequency(k[anchor_of(k)]) > limit]
        self._pattern, self._groups = _anchored_pattern(anchored)
        self._compatible = _compatible_keywords(anchored)
        self._roots = _roots(plain)
        self._anchor = {k: anchor_of(k) for k in anchored}

    def hits(self, low: str) -> Iterator[tuple[int, str]]:
        """``(start, keyword)`` for every occurrence of every keyword in ``low``."""
        compatible, groups, anchors = self._compatible, self._groups, self._anchor
        for match in self._pattern.finditer(low):
            first = groups[match.lastgroup or ""]
            anchor = match.start()
            yield anchor - anchors[first], first
            for other, offset in compatible[first]:
                start = anchor - offset
                if start >= 0 and low.startswith(other, start):
                    yield start, other
        yield from self._plain_hits(low)

    def present(self, low: str) -> set[str]:
        """The keywords that occur in ``low``."""
        return {keyword for _, keyword in self.hits(low)}

    def _plain_hits(self, low: str) -> Iterator[tuple[int, str]]:
        for root, extensions in self._roots:
            position = low.find(root)
            while position >= 0:
                yield position, root
                for longer, offset in extensions:
                    start = position - offset
                    if start >= 0 and low.startswith(longer, start):
                        yield start, longer
                position = low.find(root, position + 1)


def _anchored_pattern(keywords: list[str]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern whose every branch starts with an anchor character."""
    by_anchor: dict[str, list[tuple[str, str]]] = {}
    groups: dict[str, str] = {}
    for number, keyword in enumerate(keywords):
        offset = anchor_of(keyword)
        group = f"k{number}"
        groups[group] = keyword
        by_anchor.setdefault(keyword[offset], []).append((keyword[offset + 1:], group))
    branches = []
    for char in sorted(by_anchor, key=frequency, reverse=True):
        tails = by_anchor[char]
        lookahead = _trie(tails, {g: groups[g] for _, g in tails})
        branches.append(re.escape(char) + "(?=" + lookahead + ")")
    pattern = "|".join(branches) if branches else "(?!)"
    return re.compile(pattern), groups


def _trie(tails: list[tuple[str, str]], keyword_of: dict[str, str]) -> str:
    """A pattern matching each tail, then checking (lookbehind) that its whole keyword ends here."""
    leaves = [f"(?<={re.escape(keyword_of[g])})(?P<{g}>)" for tail, g in tails if not tail]
    children: dict[str, list[tuple[str, str]]] = {}
    for tail, group in tails:
        if tail:
            children.setdefault(tail[0], []).append((tail[1:], group))
    parts = [re.escape(c) + _trie(sub, keyword_of) for c, sub in sorted(children.items())]
    parts += leaves
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _compatible_keywords(keywords: list[str]) -> dict[str, list[tuple[str, int]]]:
    """For each keyword, the others that can occur with their anchor at the same position."""
    anchors = {k: anchor_of(k) for k in keywords}
    by_char: dict[str, list[str]] = {}
    for keyword, offset in anchors.items():
        by_char.setdefault(keyword[offset], []).append(keyword)
    result: dict[str, list[tuple[str, int]]] = {}
    for first, a in anchors.items():
        result[first] = [(other, anchors[other]) for other in by_char[first[a]]
                         if other != first and _aligned(first, a, other, anchors[other])]
    return result


def _aligned(first: str, a: int, other: str, b: int) -> bool:
    """Whether ``first`` and ``other`` agree wherever they overlap with ``first[a]`` on ``other[b]``."""
    shift = a - b
    return all(first[i + shift] == char for i, char in enumerate(other)
               if 0 <= i + shift < len(first))


def _roots(keywords: list[str]) -> list[tuple[str, list[tuple[str, int]]]]:
    """Group plain keywords under the shortest keyword they contain (their root)."""
    roots: list[tuple[str, list[tuple[str, int]]]] = []
    for keyword in sorted(keywords, key=len):
        for root, extensions in roots:
            offset = keyword.find(root)
            if offset >= 0:
                extensions.extend((keyword, i) for i in _offsets(keyword, root))
                break
        else:
            roots.append((keyword, []))
    return roots


def _offsets(text: str, part: str) -> list[int]:
    return [i for i in range(len(text) - len(part) + 1) if text.startswith(part, i)]


__all__ = ["FREQUENCY", "KeywordIndex", "anchor_of", "anchor_threshold", "frequency"]
