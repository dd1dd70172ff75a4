"""The import's messages: translated when made, stored with their source text and parameters,
shown later in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext


class Message(str):
    """A message translated now (a str, in the active language) that keeps its source text and
    parameters, so that a stored one is shown later in the reader's language (CellError.shown),
    not in the uploader's. `_("…") % {…}` in this module makes one."""

    msgid: str
    params: dict | None

    def __new__(cls, msgid: str, params: dict | None = None):
        text = gettext(msgid)
        message = super().__new__(cls, text % params if params is not None else text)
        message.msgid, message.params = msgid, params
        return message

    def __mod__(self, params):
        return Message(self.msgid, params)

    def as_json(self) -> dict:
        params = None
        if self.params is not None:
            params = {k: v.as_json() if isinstance(v, Message) else v for k, v in self.params.items()}
        return {"msgid": self.msgid, "params": params}


def _(msgid: str) -> Message:  # gettext's usual name, so that makemessages finds the strings
    return Message(msgid)


def _render(stored) -> str:
    """A message stored by Message.as_json(), in the active language."""
    params = stored.get("params")
    if params is not None:
        params = {k: _render(v) if isinstance(v, dict) and "msgid" in v else v for k, v in params.items()}
    text = gettext(stored["msgid"])
    try:
        return text % params if params is not None else text
    except (KeyError, TypeError, ValueError):  # a catalogue out of step: the source text then
        return stored["msgid"] % params if params is not None else stored["msgid"]
