"""The API's JSON parser: whatever the body, a 400 (ParseError) or data the serializers can take.

DRF's own parser turns a number beyond a float (`1e400`) into infinity, which then fails deep
in a lookup or the database (a 500), and lets a body nested 100,000 levels deep raise
RecursionError (a 500). JSON may also escape a UTF-16 surrogate on its own (`"\\ud800"`); Python's
json module turns it into a string no encoder accepts, so storing it, or echoing it in an error
message, failed with a 500. All three are parse errors here.
"""

import codecs
import json
import math

from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(gettext("The number %(number)s is too large.") % {"number": text[:20]})
    return value


def _refuse_constant(name):
    raise ValueError(gettext("%(name)s is not a JSON number.") % {"name": name})


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
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.load(
                codecs.getreader(encoding)(stream), parse_float=_finite_float, parse_constant=_refuse_constant
            )
        except RecursionError:
            raise ParseError(gettext("JSON parse error: the body is nested too deeply.")) from None
        except ValueError as exc:  # includes UnicodeDecodeError and JSONDecodeError
            raise ParseError(gettext("JSON parse error: %(error)s") % {"error": exc}) from None
        if holds_lone_surrogate(data):
            raise ParseError(
                gettext("JSON parse error: a \\u escape names a lone surrogate, not a character.")
            )
        return data
