"""Hostile-input sweep: every form of every route (found from ``app.url_map`` and the pages themselves)
gets hostile values in each field, signed in as an Admin with every plugin on; on SQLite and PostgreSQL.

For every answer: no server error, and nothing hostile shown unescaped. Afterwards: nothing stored that a
check should have refused (no control or bidi-override character, no megabyte string, in any text column).
A new form is swept as soon as its page exists; a POST-only route (a row action) is swept with the form
that posts to it from another page.
"""
from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import String, Text, select

from core.extensions import db
from tests.contract.conftest import SWEEP_SUMMARY
from tests.contract.worlds import OBJECT_KINDS, own_url

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE = {
    "markup": MARKUP,
    "nul": "Rosa\x00Diaz",
    "bidi": "Rivera\u202egnp.exe",
    "controls": "a\x07b\x1bc",
    "megabyte": "x" * (1024 * 1024 - 100),
    "huge number": "9" * 40,
    "negative": "-1",
    "impossible date": "2026-02-30",
    "far date": "9999-12-31",
    "unknown choice": "__no_such_choice__",
}
PER_FIELD = ("nul", "bidi", "markup", "huge number")
ROW_ACTION_FIELDS = ("enabled", "participating", "is_admin", "confirmed")
# Routes that end the session or switch the clinic: swept last or not at all (they are not forms of data).
SKIP = {"auth.logout", "auth.logout_everywhere", "auth.login", "auth.switch_clinic"}


class _Forms(HTMLParser):
    """The POST forms of a page: ``[(action, {name: value})]`` with each field's current value."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form: tuple[str, dict[str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = (a.get("action") or "", {})
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form[1].setdefault(a["name"], "")
            elif kind != "file":
                self._form[1][a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form[1].setdefault(a["name"], "")
        elif tag == "option" and self._select and ("selected" in a or not self._form[1].get(self._select)):
            self._form[1][self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form[1][a["name"]] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_on(client, url: str) -> list[tuple[str, dict[str, str]]]:
    page = client.get(url)
    if page.status_code != 200 or "text/html" not in page.content_type:
        return []
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    return parser.forms


def _stored_problems() -> list[str]:
    """Text columns holding what every check refuses."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if not isinstance(value, str):
                    continue
                if "\x00" in value or "\x07" in value or "\x1b" in value:
                    found.append(f"{table.name}.{column.name} holds a control character")
                # Free text (notes, Text columns) may hold direction marks; single-line values never.
                if "\u202e" in value and not isinstance(column.type, Text):
                    found.append(f"{table.name}.{column.name} holds a bidi override")
                if len(value) > 100_000:
                    found.append(f"{table.name}.{column.name} holds {len(value)} characters")
    return found


def test_hostile_values_in_every_form_field(app, client, worlds):
    a, _ = worlds
    client.login(a.admin.email)
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in SKIP]
    get_urls = sorted({own_url(app, r, a) for r in app.url_map.iter_rules()
                       if "GET" in r.methods and r.endpoint != "static" and all(arg in OBJECT_KINDS for arg in r.arguments)})
    # Every POST form on every page we can open, by the URL it posts to.
    forms: dict[str, dict[str, str]] = {}
    for url in get_urls:
        for action, fields in _forms_on(client, url):
            target = action or url
            if not target.startswith("/") or target in ("/logout", "/logout/everywhere", "/clinic/switch"):
                continue
            forms.setdefault(target.split("?")[0], fields)
    swept_rules = set()
    problems, requests = [], 0
    for rule in post_rules:
        url = own_url(app, rule, a)
        fields = forms.get(url)
        if fields is None:
            # Not on any page in this state (Activate for an active user, a plugin's control in another
            # mode): the names such row actions read.
            fields = dict.fromkeys(ROW_ACTION_FIELDS, "on")
        swept_rules.add(rule.endpoint)
        names = [n for n in fields if n != "csrf_token"]
        attempts = [(f"all fields {label}", {n: value for n in names}) for label, value in HOSTILE.items()]
        attempts += [(f"{name} {label}", {name: HOSTILE[label]}) for name in names for label in PER_FIELD]
        for what, values in attempts:
            data = {**{k: v for k, v in fields.items() if k != "csrf_token"}, **values}
            for htmx in (False, True):
                response = client.post(url, data=data, htmx=htmx)
                requests += 1
                db.session.rollback()
                body = response.get_data(as_text=True)
                if response.status_code >= 500:
                    problems.append(f"POST {url} with {what} answered {response.status_code}")
                elif MARKUP in body or "<script>alert" in body:
                    problems.append(f"POST {url} with {what} shows the markup unescaped")
    problems += _stored_problems()
    SWEEP_SUMMARY["hostile input"] = (f"{len(swept_rules)} form routes of {len(post_rules)} POST rules, {len(forms)} forms, "
                                      f"{requests} requests")
    assert swept_rules and not problems, "\n".join(problems)
