"""Parse the project table of MLIT's action plan (text extracted from its PDF) into rows.

Pure Python, no Django: `parse_plan(text)` returns the plan's listing groups (①ベトナム …
㉓ミャンマー) and their rows (番号, 名称, 概要, 直近における動き), with the PDF's layout undone.

How the text is laid out, and how this module reads it
------------------------------------------------------
* A row starts with a line holding just its number; the numbers run 1, 2, … in order, so a
  line is a row start only when it holds the *next expected* number (once, "6 巡視船整備", the
  name follows the number on the same line). A group heading is a line with a circled number
  (① … ㉓) and a name, followed by the column header line "番号 名称 概要 …".
* The cells of a row follow each other: the name's lines, then the summary's, then the
  developments'. Every cell is wrapped at its column width. A line that ends with white space
  ends a paragraph; a paragraph ends a cell (name → summary → developments), and within the
  developments cell every bullet "・" starts one development. Two exceptions are handled by
  rule: a trailing space between two ASCII words ("HS ２ （ High " / "Speed ２）…") is a word
  space, not a paragraph end; and a line starting with "・" always starts a new development,
  even when the line before did not end with a space. A paragraph in a bulleted cell that does
  not start with "・" continues the bullet before it; a cell without bullets is one development.
* Empty lines separate every text line and mean nothing. Lines of white space only are page
  break artefacts, and a number alone between such lines is a page number ("131" inside
  project 23); both are dropped. Leading white space (page breaks) is dropped.
* Dewrapping (`dewrap`): the lines of a cell are joined; white space next to a non-ASCII
  character is removed (Japanese has no spaces, the PDF put them in: "2023 年１月" →
  "2023年１月", "国 際 空 港" → "国際空港"); a run of white space between two ASCII characters
  becomes one space ("High Speed", "Smart JAMP"). A line ending in an ASCII letter or digit
  followed by a line starting with one is joined without a space (the word was broken at the
  column edge). Character widths are kept as published (no NFKC) and so are the source's typos.
* The mark 【新規案件】 (wrapped or not) is removed from a name and sets `is_new`.
* A group whose header has no "直近における動き" column (㉓ミャンマー) has name and summary only.
  A line starting with "※" after a group's rows opens the group's closing note, which applies
  to every row of the group (the marker "※" is dropped, like a bullet).

`classify_development(text)` assigns a development kind by a stated keyword rule
(`DEVELOPMENT_KIND_RULES`), returning the kind and the words of the text that back it.
`apply_corrections` applies the reviewed correction list to what the parser cannot do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from projects.text import CIRCLED, NEW_MARK

BULLET = "・"
NOTE_MARK = "※"
DEVELOPMENTS_COLUMN = "直近における動き"

_HEADING = re.compile(rf"^\s*([{CIRCLED}])\s*(\S.*?)\s*$")
_COLUMNS = re.compile(r"^\s*番号\s+名称\s+概要")
# After a row number on the same line, text that is a unit is not a name ("5 月に", "30 km").
_UNIT_AFTER_NUMBER = re.compile(r"^(年|月|日|km|㎞|件|万|億|箇所|号|%|％|期|次|者|社|ha)")
_SPACE = re.compile(r"\s+")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]\s+$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


class PlanParseError(ValueError):
    """The text does not have the layout this parser expects."""


@dataclass(frozen=True)
class Line:
    """One line of the source: its 1-based line number and its raw text."""

    number: int
    text: str


@dataclass
class Row:
    number: int
    group: int
    name: str
    summary: str
    developments: list[str]
    note: str = ""
    is_new: bool = False
    lines: list[Line] = field(default_factory=list, repr=False)
    """The raw lines of the row (its number line included, empty lines excluded)."""
    dropped: list[Line] = field(default_factory=list, repr=False)
    """Page-break artefacts and page numbers dropped from the row."""

    @property
    def text(self) -> str:
        """Everything the row says, for evidence look-ups: name, summary, developments, note."""
        return "\n".join([self.name, self.summary, *self.developments, self.note])


@dataclass
class Group:
    number: int
    mark: str
    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    note_lines: list[Line] = field(default_factory=list, repr=False)

    @property
    def has_developments(self) -> bool:
        return DEVELOPMENTS_COLUMN in self.columns


@dataclass
class Plan:
    groups: list[Group]
    stated_count: int | None = None
    """How many projects the introduction says the table lists, if it says."""
    predecessor: Predecessor | None = None
    """What the introduction says about last year's edition, if it says."""

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]


# --- dewrapping -------------------------------------------------------------------------------


def _is_ascii(char: str) -> bool:
    return ord(char) < 128


def normalize_spaces(text: str) -> str:
    """Drop white space next to a non-ASCII character; keep one space between ASCII ones."""
    out = []
    for match in re.finditer(r"\s+|\S+", text):
        chunk = match.group()
        if not chunk.isspace():
            out.append(chunk)
            continue
        start, end = match.span()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if before and after and _is_ascii(before) and _is_ascii(after):
            out.append(" ")
    return "".join(out)


def dewrap(lines: list[str]) -> str:
    """Join the wrapped lines of one cell (or one development) into its text."""
    joined = ""
    for raw in lines:
        line = raw.lstrip()
        if not line:
            continue
        # A word broken at the column edge ("…パッケージ I-" / "1"): no space is added. A line
        # that ends with white space keeps it, so "High " + "Speed" stays two words.
        joined += line
    return normalize_spaces(joined).strip()


def strip_new_mark(name: str) -> tuple[str, bool]:
    if NEW_MARK in name:
        return name.replace(NEW_MARK, "").strip(), True
    return name, False


# --- parsing ----------------------------------------------------------------------------------


def _row_start(text: str, expected: int) -> str | None:
    """If `text` starts row `expected`, the rest of the line (maybe ""), else None."""
    stripped = text.strip()
    if stripped == str(expected):
        return ""
    match = re.match(rf"^\s*{expected}\s+(\S.*)$", text)
    if match and not _UNIT_AFTER_NUMBER.match(match.group(1)):
        return match.group(1)
    return None


def _heading_at(lines: list[Line], index: int, expected_group: int) -> tuple[str, str] | None:
    """(mark, name) if lines[index] is the heading of group `expected_group`."""
    match = _HEADING.match(lines[index].text)
    if not match or match.group(1) != CIRCLED[expected_group - 1]:
        return None
    following = _next_nonempty(lines, index + 1)
    if following is None or not _COLUMNS.match(lines[following].text):
        return None
    return match.group(1), match.group(2)


def _next_nonempty(lines: list[Line], index: int) -> int | None:
    while index < len(lines):
        if lines[index].text.strip():
            return index
        index += 1
    return None


def _is_blank_artefact(line: Line) -> bool:
    return line.text != "" and line.text.strip() == ""


def _clean_row_lines(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Drop empty lines, white-space-only lines and page numbers (a bare number between them)."""
    kept: list[Line] = []
    dropped: list[Line] = []
    meaningful = [line for line in lines if line.text != ""]
    for i, line in enumerate(meaningful):
        if _is_blank_artefact(line):
            dropped.append(line)
            continue
        if re.fullmatch(r"\s*\d{1,4}\s*", line.text):
            before = meaningful[i - 1] if i > 0 else None
            after = meaningful[i + 1] if i + 1 < len(meaningful) else None
            if (
                before is not None
                and _is_blank_artefact(before)
                and (after is None or _is_blank_artefact(after))
            ):
                dropped.append(line)
                continue
        kept.append(line)
    return kept, dropped


def _paragraphs(texts: list[str]) -> list[list[str]]:
    """Split cell lines into paragraphs: a trailing space ends one, a bullet starts one."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for i, text in enumerate(texts):
        if text.lstrip().startswith(BULLET) and current:
            paragraphs.append(current)
            current = []
        current.append(text)
        if text != text.rstrip():
            nxt = texts[i + 1].lstrip() if i + 1 < len(texts) else ""
            if _ASCII_WORD_END.search(text) and _ASCII_WORD_START.match(nxt):
                continue  # a space between two ASCII words, wrapped: not a paragraph end
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _developments(paragraphs: list[list[str]]) -> list[str]:
    if not paragraphs:
        return []
    if not paragraphs[0][0].lstrip().startswith(BULLET):
        # A cell without bullets is one development.
        return [dewrap([line for paragraph in paragraphs for line in paragraph])]
    items: list[list[str]] = []
    for paragraph in paragraphs:
        if paragraph[0].lstrip().startswith(BULLET) or not items:
            items.append(list(paragraph))
        else:
            items[-1].extend(paragraph)  # a bullet's text that had a trailing space inside
    texts = []
    for item in items:
        text = dewrap(item)
        if text.startswith(BULLET):
            text = text[len(BULLET) :].strip()
        texts.append(text)
    return texts


def _build_row(number: int, group: Group, first: str, body: list[Line], all_lines: list[Line]) -> Row:
    kept, dropped = _clean_row_lines(body)
    texts = ([first] if first else []) + [line.text for line in kept]
    paragraphs = _paragraphs(texts)
    expected_cells = 3 if group.has_developments else 2
    if len(paragraphs) < expected_cells:
        raise PlanParseError(
            f"Row {number} (line {all_lines[0].number}): found {len(paragraphs)} paragraph(s), "
            f"expected name, summary{' and developments' if group.has_developments else ''}."
        )
    if not group.has_developments and len(paragraphs) > 2:
        raise PlanParseError(f"Row {number}: {len(paragraphs)} paragraphs in a group without developments.")
    name, is_new = strip_new_mark(dewrap(paragraphs[0]))
    summary = dewrap(paragraphs[1])
    developments = _developments(paragraphs[2:]) if group.has_developments else []
    row_lines = [line for line in all_lines if line.text != ""]
    return Row(
        number=number,
        group=group.number,
        name=name,
        summary=summary,
        developments=developments,
        is_new=is_new,
        lines=row_lines,
        dropped=dropped,
    )


def parse_plan(text: str) -> Plan:
    """Parse the plan's project table. Raises PlanParseError when the layout is not understood."""
    lines = [Line(i + 1, t) for i, t in enumerate(text.splitlines())]
    start = next((i for i in range(len(lines)) if _heading_at(lines, i, 1)), None)
    if start is None:
        raise PlanParseError("No heading ① followed by a column header line (番号 名称 概要 …) was found.")
    groups = _TableReader(lines).read(start)
    _attach_notes(groups)
    return Plan(groups=groups, stated_count=stated_project_count(text), predecessor=stated_predecessor(text))


class _TableReader:
    """Reads the table line by line: group headings, numbered rows and their continuation
    lines, and each group's trailing note (※…)."""

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.groups: list[Group] = []
        self.group: Group | None = None
        self.expected_row = 1
        self.in_note = False
        # The row being read: its number, first text, start line and body lines.
        self.row_number: int | None = None
        self.row_first = ""
        self.row_start: Line | None = None
        self.row_body: list[Line] = []

    def read(self, start: int) -> list[Group]:
        i = start
        while i < len(self.lines):
            i = self._step(i)
        self._finish_row()
        return self.groups

    def _step(self, i: int) -> int:
        """Read the line at i; the index of the next line to read."""
        line = self.lines[i]
        heading = _heading_at(self.lines, i, len(self.groups) + 1)
        if heading:
            return self._start_group(i, heading)
        if self.group is None:  # pragma: no cover - reading starts at a heading
            return i + 1
        if self.in_note:
            self.group.note_lines.append(line)
            return i + 1
        rest = _row_start(line.text, self.expected_row)
        if rest is not None:
            self._finish_row()
            self.row_number, self.row_first, self.row_start = self.expected_row, rest, line
            self.expected_row += 1
        elif line.text.lstrip().startswith(NOTE_MARK):
            self._finish_row()
            self.in_note = True
            self.group.note_lines.append(line)
        elif self.row_number is not None:
            self.row_body.append(line)
        elif line.text.strip():
            raise PlanParseError(
                f"Line {line.number}: text outside any row (row {self.expected_row} was expected "
                f"next; rows must be numbered 1, 2, … in order): {line.text!r}"
            )
        return i + 1

    def _start_group(self, i: int, heading: tuple[str, str]) -> int:
        self._finish_row()
        self.in_note = False
        header_index = _next_nonempty(self.lines, i + 1)
        assert header_index is not None
        mark, name = heading
        columns = self.lines[header_index].text.split()
        self.group = Group(number=len(self.groups) + 1, mark=mark, name=name, columns=columns)
        self.groups.append(self.group)
        return header_index + 1

    def _finish_row(self) -> None:
        if self.row_number is not None:
            assert self.group is not None and self.row_start is not None
            self.group.rows.append(
                _build_row(
                    self.row_number,
                    self.group,
                    self.row_first,
                    self.row_body,
                    [self.row_start, *self.row_body],
                )
            )
        self.row_number, self.row_first, self.row_start, self.row_body = None, "", None, []


def _attach_notes(groups: list[Group]) -> None:
    """A group's note (※…, unwrapped) is also every one of its rows' note."""
    for group in groups:
        if group.note_lines:
            kept = [line.text for line in group.note_lines if line.text.strip()]
            note = dewrap(kept)
            group.note = note[len(NOTE_MARK) :].strip() if note.startswith(NOTE_MARK) else note
            for row in group.rows:
                row.note = group.note


def stated_project_count(text: str) -> int | None:
    """The number of projects the plan's introduction says it lists ("今年は 93 プロジェクト")."""
    match = re.search(r"今年は\s*(\d+)\s*プロジェクト", text)
    return int(match.group(1)) if match else None


_DIGITS = "[0-9０-９]+"
_PREDECESSOR = re.compile(rf"昨年の({_DIGITS})プロジェクトから.*?({_DIGITS})件を削除し.*?({_DIGITS})件を追加")
_WON_SINCE = re.compile(r"昨年の行動計画の策定以降、(.+?)を我が国企業が受注した。")


@dataclass(frozen=True)
class Predecessor:
    """What the plan's introduction states about last year's edition: its project count, how
    many this one removed and added, and the removed projects it names as won, with the
    sentence that names them."""

    count: int
    removed: int
    added: int
    won: list[str]
    won_sentence: str


def introduction(text: str) -> str:
    """The text before the first heading, dewrapped into one paragraph."""
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines) if _HEADING.match(line)), len(lines))
    return dewrap(lines[:end])


def stated_predecessor(text: str) -> Predecessor | None:
    """The introduction's facts about last year's edition ("これは、昨年の 87 プロジェクトから
    …４件を削除し、…10 件を追加した"), or None where it states none."""
    intro = introduction(text)
    counts = _PREDECESSOR.search(intro)
    if counts is None:
        return None
    count, removed, added = (int(unicodedata.normalize("NFKC", value)) for value in counts.groups())
    won = _WON_SINCE.search(intro)
    names = re.findall(r"「(.+?)」", won.group(1)) if won else []
    return Predecessor(count, removed, added, names, won.group(0) if won else "")


def check_numbering(plan: Plan) -> None:
    """Raise PlanParseError unless rows are numbered 1..N in order (N as the plan states), groups 1..M."""
    numbers = [row.number for row in plan.rows]
    if numbers != list(range(1, len(numbers) + 1)):
        raise PlanParseError(f"Rows are not numbered 1..N in order: {numbers}")
    if plan.stated_count is not None and len(numbers) != plan.stated_count:
        raise PlanParseError(
            f"The plan says it lists {plan.stated_count} projects; {len(numbers)} rows were found."
        )
    group_numbers = [group.number for group in plan.groups]
    if group_numbers != list(range(1, len(group_numbers) + 1)):
        raise PlanParseError(f"Groups are not numbered 1..M in order: {group_numbers}")
    for group in plan.groups:
        if not group.rows:
            raise PlanParseError(f"Group {group.mark}{group.name} has no rows.")


def joined_word_breaks(row: Row) -> list[tuple[str, str]]:
    """Line joins inside the row's cells where an ASCII letter/digit met another one.

    The parser joins them without a space (a word broken at the column edge); the list is
    for reviewing that every such join really was one word.
    """
    breaks = []
    texts = [line.text for line in row.lines[1:]]
    for before, after in zip(texts, texts[1:], strict=False):
        if (
            before
            and before == before.rstrip()
            and _ASCII_ALNUM.fullmatch(before[-1])
            and _ASCII_WORD_START.match(after.lstrip())
        ):
            breaks.append((before, after))
    return breaks
