"""Read an admin form back from its HTML, as a browser would post it unchanged."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._option_value = None
        self._textarea = None
        self._textarea_text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name and "__prefix__" not in name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self.data.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea, self._textarea_text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._textarea_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._multiple and self._select_first is not None:
                self.data.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>.
            text = "".join(self._textarea_text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(response, form_id) -> dict:
    """The values the form `form_id` of `response` would post, as a dict of lists."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    result: dict[str, list[str]] = {}
    for name, value in parser.data:
        result.setdefault(name, []).append(value)
    return result


def set_field(data: dict, name: str, *values) -> dict:
    data[name] = [str(v) for v in values]
    return data
