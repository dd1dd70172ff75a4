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
