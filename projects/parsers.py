"""The API's JSON parser: JSON text that names no Unicode character is a parse error (400).

JSON may escape a UTF-16 surrogate on its own (`"\\ud800"`); Python's json module turns it into a
string no encoder accepts, so storing it, or echoing it in an error message, failed with a 500.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def holds_lone_surrogate(data) -> bool:
    """Whether any string in the parsed JSON (keys included) holds a lone surrogate. Walks with
    a stack, not recursion, so depth costs no stack frames."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if holds_lone_surrogate(data):
            raise ParseError(_("JSON parse error: a \\u escape names a lone surrogate, not a character."))
        return data
