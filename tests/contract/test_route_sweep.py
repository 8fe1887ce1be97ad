"""Route sweep: every rule of ``app.url_map`` (core's and every plugin's, with the plugins on) is asked

1. with ids of another clinic's and another company's objects, signed in as a clinic A admin: the
   answer is 404 and nothing in the database changes (GET, and POST with a valid CSRF token);
2. signed out: a redirect to sign-in or 401, never content;
3. as a user of clinic A who holds no permission: 403 or 404, except the few rules every signed-in
   user may use (``OPEN_TO_EVERY_USER``, each with its reason).

A rule with an argument the sweep cannot fill (``OBJECT_KINDS``) fails the sweep until its fixture is
added here, so every route a later issue adds is swept. The counts are printed in the run's summary.
"""
from __future__ import annotations

import hashlib
import itertools

from sqlalchemy import select

from core.accounts import UserType
from core.extensions import db
from tests.contract.conftest import SWEEP_SUMMARY
from tests.contract.worlds import OBJECT_KINDS, PLAIN_VALUES, World, own_url

# Rules anyone may request signed out (the sign-in page itself, the health check, static files).
PUBLIC = {"auth.login", "health.healthz", "static"}

# Rules any signed-in user may use whatever permissions they hold, and why.
OPEN_TO_EVERY_USER = {
    "home.index": "the home page shows only what the user's permissions allow",
    "auth.switch_clinic": "switching among the user's own clinics",
    "auth.logout": "signing out",
    "auth.logout_everywhere": "ending one's own sessions on every computer",
    "licenses.request_adjustment": "checked by the view: View Users is needed (403 otherwise)",
    "signatures.show": "a provider manages their own signature; others need Edit Users",
    "signatures.image": "a provider sees their own signature; others need View Users",
    "signatures.draw": "a provider changes their own signature",
    "signatures.typed": "a provider changes their own signature",
    "signatures.upload": "a provider changes their own signature",
    "signatures.delete": "a provider removes their own signature",
}

def _rules(app):
    return sorted((r for r in app.url_map.iter_rules()), key=lambda r: (r.rule, r.endpoint))


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def _unfillable(rule) -> list[str]:
    return sorted(a for a in rule.arguments if a not in OBJECT_KINDS)


def _fingerprint() -> str:
    """A digest of every row of every table: equal digests mean nothing was written."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(table.name.encode())
        digest.update(repr(rows).encode())
    return digest.hexdigest()


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={})


def test_every_rule_can_be_filled(app):
    missing = {rule.rule: _unfillable(rule) for rule in _rules(app) if _unfillable(rule)}
    assert not missing, f"add these URL arguments to OBJECT_KINDS in {__name__}: {missing}"


def test_another_clinics_objects_are_404_and_unchanged(app, client, worlds):
    a, b = worlds
    client.login(a.admin.email)
    problems, requests, rules, kinds = [], 0, 0, set()
    for rule in _rules(app):
        object_args = [arg for arg in sorted(rule.arguments) if OBJECT_KINDS.get(arg)]
        if not object_args:
            continue
        rules += 1
        kinds.update(OBJECT_KINDS[arg] for arg in object_args)
        # Every mix of own and foreign ids in which at least one id is foreign (another clinic's case
        # under one's own patient is the subtle leak).
        for choice in itertools.product((a, b), repeat=len(object_args)):
            if b not in choice:
                continue
            values = {arg: world.ids[arg] for arg, world in zip(object_args, choice, strict=True)}
            values.update({arg: PLAIN_VALUES[arg] for arg in rule.arguments if arg not in values})
            with app.test_request_context():
                url = app.url_for(rule.endpoint, **values, _external=False)
            for method in _methods(rule):
                before = _fingerprint()
                response = _request(client, method, url)
                requests += 1
                db.session.rollback()
                if response.status_code != 404:
                    problems.append(f"{method} {url} ({rule.endpoint}) answered {response.status_code}, not 404")
                elif _fingerprint() != before:
                    problems.append(f"{method} {url} ({rule.endpoint}) changed the database")
    SWEEP_SUMMARY["foreign objects"] = (f"{rules} rules with object ids, {len(kinds)} object kinds "
                                        f"({', '.join(sorted(kinds))}), {requests} requests")
    assert rules and not problems, "\n".join(problems)


def _sweep_own_routes(app, client, world: World, skip: set[str], accepted, who: str) -> tuple[int, int, list[str]]:
    """Request every rule not in ``skip`` with ``world``'s own ids; ``accepted(response)`` says whether
    the answer is right. Returns (rules, requests, problems); a rule that changes the database is a problem."""
    problems, requests, rules = [], 0, 0
    for rule in _rules(app):
        if rule.endpoint in skip:
            continue
        rules += 1
        url = own_url(app, rule, world)
        for method in _methods(rule):
            before = _fingerprint()
            response = _request(client, method, url)
            requests += 1
            db.session.rollback()
            if not accepted(response):
                problems.append(f"{method} {url} ({rule.endpoint}) answered {response.status_code} {who}")
            elif _fingerprint() != before:
                problems.append(f"{method} {url} ({rule.endpoint}) changed the database {who}")
    return rules, requests, problems


def _to_sign_in(response) -> bool:
    redirected = response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")
    return redirected or response.status_code == 401


def test_signed_out_requests_get_no_content(app, client, worlds):
    a, _ = worlds
    rules, requests, problems = _sweep_own_routes(app, client, a, PUBLIC, _to_sign_in, "signed out")
    SWEEP_SUMMARY["signed out"] = f"{rules} rules, {requests} requests"
    assert rules and not problems, "\n".join(problems)


def test_users_without_the_permission_are_refused(app, client, worlds, make_user):
    a, _ = worlds
    nobody = make_user([a.clinic], email="nobody@example.test", user_type=UserType.PTA, permissions=())
    client.login(nobody.email)
    rules, requests, problems = _sweep_own_routes(
        app, client, a, PUBLIC | set(OPEN_TO_EVERY_USER), lambda r: r.status_code in (403, 404),
        "to a user without permissions")
    SWEEP_SUMMARY["without permission"] = f"{rules} rules, {requests} requests"
    assert rules and not problems, "\n".join(problems)


def test_open_rules_exist(app):
    """The allow-lists name only rules that exist (a renamed endpoint must be reviewed, not skipped)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert (set(OPEN_TO_EVERY_USER) | PUBLIC) <= endpoints
