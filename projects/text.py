"""Text rules: normalization for search (one form for full-width and half-width characters)
and the control characters a stored text may not hold."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC: full-width letters and digits, and other compatibility forms, as their plain
    form ("２０２３年Ｅ／Ｎ" -> "2023年E/N")."""
    return unicodedata.normalize("NFKC", text)


def match_form(text: str) -> str:
    """One form for matching codes, labels and dates: folded, casefolded, single spaces."""
    return " ".join(fold(text).casefold().split())


def normalize_for_search(text: str, *, keep_spaces: bool = True) -> str:
    """NFKC-fold and casefold `text`, so "２０２３年Ｅ／Ｎ" and "2023年e/n" are equal.

    With `keep_spaces` (for queries) runs of white space become one space that separates
    words; without it (for the stored search text) all white space is dropped, so a word
    matches whether or not the source put a space inside it ("2023 年" vs "2023年").
    """
    folded = fold(text).casefold()
    joined = _SPACE.sub(" " if keep_spaces else "", folded)
    # NFKC once more: casefolding can decompose ("ǰ"), and dropping a space can bring a letter
    # and a combining mark together ("a ́"), so that the result is its own normal form.
    return fold(joined).strip()


# What a stored text may hold. PostgreSQL cannot store NUL; XML (so XLSX) cannot hold the other
# C0 controls; the C1 controls, DEL, lone surrogates (not encodable as UTF-8) and the
# non-characters U+FFFE/U+FFFF are never typed on purpose (they come from pasting, e.g. Word's
# vertical tab). Long texts may hold tabs and line breaks (\t, \n, \r as in a textarea's \r\n);
# one-line texts (names, codes, sources) none of them.
_REFUSED_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@deconstructible
class ControlCharacterValidator:
    """Refuses the control characters a stored text may not hold (see above), naming the first
    one found. On every model text field, so the API, the admin and the imports refuse alike."""

    message = _("Remove the control character %(char)s (at position %(position)s).")
    code = "control_character"

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return
        pattern = _REFUSED_IN_TEXT if self.multiline else _REFUSED_IN_LINE
        match = pattern.search(value)
        if match:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"char": f"U+{ord(match.group()):04X}", "position": match.start() + 1},
            )

    def __eq__(self, other):
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline


validate_line = ControlCharacterValidator()
validate_text = ControlCharacterValidator(multiline=True)
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


# The plan's marks.

# What the plan prints after the name of a project new to this edition.
NEW_MARK = "【新規案件】"

# The circled numbers the plan prints before a listing group's heading come in runs of
# consecutive code points: (first number, last number, code point of the first number's mark).
# The last run also serves any larger number, as it always has.
CIRCLED_RUNS = ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))


def circled_number(number: int) -> str:
    """① … ⑳, ㉑ … ㊿ for 1 … 50."""
    first, _last, code = next((run for run in CIRCLED_RUNS if number <= run[1]), CIRCLED_RUNS[-1])
    return chr(code + number - first)


# ① … ㉟: the headings the plan parser recognises (plans.parser).
CIRCLED = "".join(circled_number(number) for number in range(1, 36))
