"""Text normalization for search: one form for full-width and half-width characters."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_for_search(text: str, *, keep_spaces: bool = True) -> str:
    """NFKC-fold and casefold `text`, so "２０２３年Ｅ／Ｎ" and "2023年e/n" are equal.

    With `keep_spaces` (for queries) runs of white space become one space that separates
    words; without it (for the stored search text) all white space is dropped, so a word
    matches whether or not the source put a space inside it ("2023 年" vs "2023年").
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    joined = _SPACE.sub(" " if keep_spaces else "", folded)
    # NFKC once more: casefolding can decompose ("ǰ"), and dropping a space can bring a letter
    # and a combining mark together ("a ́"), so that the result is its own normal form.
    return unicodedata.normalize("NFKC", joined).strip()


# The plan's ways of naming a project by its number, once normalized: "No.36", "No 36", "#36",
# "第36", "36番", "36号" (full-width forms fold to these). A bare number is one too when it is
# the whole query and has at most three digits (a longer one, as 2023, is looked up as text).
_NUMBER_WORD = re.compile(r"^(?:no\.?|#|第)(\d{1,9})(?:番|号)?$|^(\d{1,9})(?:番|号)$")
_NUMBER_PREFIX_SPACE = re.compile(r"(?<![^\s])(no\.?|#|第) (?=\d)")
_NUMBER_SUFFIX_SPACE = re.compile(r"(\d) (?=[番号](?:\s|$))")
BARE_NUMBER_DIGITS = 3


def search_words(query: str) -> list[str | int]:
    """The words of a search query, normalized: an int for a word naming a project number,
    a str for a word to look up in the project's text, country and region names."""
    text = normalize_for_search(query)
    text = _NUMBER_SUFFIX_SPACE.sub(r"\1", _NUMBER_PREFIX_SPACE.sub(r"\1", text))
    words = text.split()
    if len(words) == 1 and words[0].isdigit() and len(words[0]) <= BARE_NUMBER_DIGITS:
        return [int(words[0])]
    parsed = []
    for word in words:
        match = _NUMBER_WORD.match(word)
        parsed.append(int(match.group(1) or match.group(2)) if match else word)
    return parsed
