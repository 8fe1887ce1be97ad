"""Provider signatures: upload, draw and select (typed), checked by content; who may see and change them;
the audit trail; CSRF."""
import base64
import io

import pytest
from flask import render_template_string
from markupsafe import escape
from PIL import Image, ImageDraw
from sqlalchemy import select

from core.accounts import ProviderSignature, UserType, signature_for
from core.accounts import signatures as sig
from core.audit import AuditEvent
from core.extensions import db


# -- images made for the tests ------------------------------------------------------------------
def signature_image(size=(300, 100), mode="RGBA"):
    background = (0, 0, 0, 0) if mode == "RGBA" else "white"
    image = Image.new(mode, size, background)
    ImageDraw.Draw(image).line([(10, 70), (80, 20), (150, 80), (290, 30)], fill="black", width=4)
    return image


def png_bytes(size=(300, 100)):
    out = io.BytesIO()
    signature_image(size).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(exif=None):
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    signature_image(mode="RGB").save(out, "JPEG", **kwargs)
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def blank_png():
    out = io.BytesIO()
    Image.new("RGBA", (600, 200), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def shows(response, message) -> bool:
    return str(escape(message)) in response.get_data(as_text=True)


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def pt(make_user, clinic):
    return make_user([clinic], email="pt@example.test", user_type=UserType.PT, first_name="Dana", last_name="Okafor")


def url(user, action=None):
    return f"/users/{user.id}/signature" + (f"/{action}" if action else "")


def upload(client, user, data: bytes, filename="signature.png", content_type="image/png", **kw):
    return client.post(
        url(user, "upload"),
        data={"file": (io.BytesIO(data), filename, content_type)},
        content_type="multipart/form-data",
        **kw,
    )


def audit_events(user):
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.signature", AuditEvent.object_id == str(user.id)).order_by(AuditEvent.id)
    ))


# -- the page -----------------------------------------------------------------------------------
def test_page_offers_the_three_ways_with_labelled_fields(client, pt):
    client.login("pt@example.test")
    response = client.get(url(pt))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Provider Signature · Caseload</title>" in page
    for heading in ("Upload a signature", "Draw a signature", "Select a signature"):
        assert f">{heading}</summary>" in page
    assert '<label for="signature-file">' in page
    assert '<label for="signature-typed-text">' in page
    assert "data-signature-pad" in page
    # Scripts and styles are files (the CSP allows no inline ones), loaded on this page only.
    assert "signature_pad/signature_pad.umd.min.js" in page and "js/signature.js" in page and "css/signature.css" in page
    assert "<script>" not in page and "style=" not in page
    assert "signature_pad.umd" not in client.get("/").get_data(as_text=True)


# -- upload ---------------------------------------------------------------------------------------
def test_uploaded_png_is_saved_and_served_back(client, pt):
    client.login("pt@example.test")
    response = upload(client, pt, png_bytes())
    assert response.status_code == 303
    assert response.headers["Location"] == url(pt)
    page = client.get(url(pt)).get_data(as_text=True)
    assert "Signature uploaded." in page
    assert f'src="/users/{pt.id}/signature/image?v=' in page

    saved = signature_for(pt.id)
    assert (saved.kind, saved.mime, saved.updated_by_id) == ("upload", "image/png", pt.id)
    image = client.get(url(pt, "image"))
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.headers["Cache-Control"] == "no-store"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(image.data)) as served:
        assert served.format == "PNG" and served.size == (300, 100)


def test_uploaded_jpeg_is_served_as_jpeg_without_its_metadata(client, pt):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make; a phone photo would also carry GPS
    client.login("pt@example.test")
    assert upload(client, pt, jpeg_bytes(exif), filename="sig.jpg", content_type="image/jpeg").status_code == 303
    image = client.get(url(pt, "image"))
    assert image.mimetype == "image/jpeg"
    assert b"PhoneMaker" not in image.data
    with Image.open(io.BytesIO(image.data)) as served:
        assert served.format == "JPEG"


def gif_bytes():
    out = io.BytesIO()
    signature_image(mode="RGB").save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(gif_bytes, id="gif-named-png"),
        pytest.param(lambda: b"I am a text file, honest.\n", id="text-named-png"),
        pytest.param(lambda: b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script>" * 20, id="png-magic-then-junk"),
        pytest.param(lambda: png_bytes()[:200], id="truncated-png"),
    ],
)
def test_upload_that_is_not_png_or_jpeg_by_content_is_refused(client, pt, content):
    client.login("pt@example.test")
    response = upload(client, pt, content(), filename="x.png", content_type="image/png")
    assert response.status_code == 422
    assert shows(response, sig.NOT_AN_IMAGE)
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and 'aria-describedby="signature-file-error signature-file-hint"' in page
    assert signature_for(pt.id) is None
    assert audit_events(pt) == []


def test_upload_over_one_megabyte_is_refused(client, pt):
    noise = Image.effect_noise((1000, 500), 128).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    assert out.tell() > 1024 * 1024
    client.login("pt@example.test")
    response = upload(client, pt, out.getvalue())
    assert response.status_code == 422
    assert shows(response, sig.TOO_LARGE) and "1 MB" in sig.TOO_LARGE
    assert signature_for(pt.id) is None


@pytest.mark.parametrize("size", [(5000, 5000), (2001, 50)])
def test_upload_with_too_many_pixels_is_refused_before_decoding(client, pt, size):
    out = io.BytesIO()
    Image.new("1", size, 1).save(out, "PNG")  # a few KB that would expand a lot: a small decompression bomb
    client.login("pt@example.test")
    response = upload(client, pt, out.getvalue())
    assert response.status_code == 422
    assert shows(response, sig.TOO_MANY_PIXELS)


def test_upload_without_a_file_is_refused(client, pt):
    client.login("pt@example.test")
    response = client.post(url(pt, "upload"), data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a PNG or JPEG picture" in response.get_data(as_text=True)


# -- draw -----------------------------------------------------------------------------------------
def test_drawn_signature_is_saved(client, pt):
    client.login("pt@example.test")
    response = client.post(url(pt, "draw"), data={"data_url": data_url(png_bytes((600, 200)))}, follow_redirects=True)
    assert response.status_code == 200
    assert "Drawn signature saved." in response.get_data(as_text=True)
    saved = signature_for(pt.id)
    assert (saved.kind, saved.mime, saved.typed_text) == ("drawn", "image/png", None)
    assert client.get(url(pt, "image")).mimetype == "image/png"


@pytest.mark.parametrize("value", [blank_png, lambda: None], ids=["transparent", "empty-field"])
def test_blank_drawing_is_refused(client, pt, value):
    png = value()
    client.login("pt@example.test")
    response = client.post(url(pt, "draw"), data={"data_url": data_url(png) if png else ""})
    assert response.status_code == 422
    assert shows(response, sig.BLANK_DRAWING)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert signature_for(pt.id) is None


@pytest.mark.parametrize(
    "value, message",
    [
        pytest.param(lambda: "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes()).decode(), sig.BAD_DRAWING, id="jpeg-data-url"),
        pytest.param(lambda: "data:image/png;base64,@@not base64@@", sig.BAD_DRAWING, id="not-base64"),
        pytest.param(lambda: "https://example.test/sig.png", sig.BAD_DRAWING, id="not-a-data-url"),
        pytest.param(lambda: data_url(gif_bytes()), sig.NOT_AN_IMAGE, id="gif-in-png-data-url"),
        pytest.param(lambda: data_url(jpeg_bytes()), sig.NOT_AN_IMAGE, id="jpeg-in-png-data-url"),
    ],
)
def test_bad_data_url_is_refused(client, pt, value, message):
    client.login("pt@example.test")
    response = client.post(url(pt, "draw"), data={"data_url": value()})
    assert response.status_code == 422
    assert shows(response, message)
    assert signature_for(pt.id) is None


# -- select (typed) -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Dana O'Kafor-Smith Jr.", "Zoë  Ñúñez ", "Dana O\u2019Kafor"])
def test_typed_signature_is_saved_and_shown_in_the_script_font(client, pt, name):
    client.login("pt@example.test")
    assert client.post(url(pt, "typed"), data={"typed_text": name}).status_code == 303
    saved = signature_for(pt.id)
    assert (saved.kind, saved.image, saved.mime) == ("typed", None, None)
    assert saved.typed_text == " ".join(name.split())
    page = client.get(url(pt)).get_data(as_text=True)
    assert f'<span class="typed-signature">{escape(saved.typed_text)}</span>' in page
    assert client.get(url(pt, "image")).status_code == 404  # nothing to serve for a typed signature


@pytest.mark.parametrize(
    "text, message",
    [
        ("<script>alert(1)</script>", sig.TYPED_CHARACTERS),
        ("Dana <b>Okafor</b>", sig.TYPED_CHARACTERS),
        ("Dana Okafor, PT 2", sig.TYPED_CHARACTERS),
        ("   ", sig.TYPED_REQUIRED),
        ("-- . --", sig.TYPED_REQUIRED),
        ("A" * 101, sig.TYPED_TOO_LONG),
    ],
)
def test_typed_signature_with_markup_or_other_characters_is_refused(client, pt, text, message):
    client.login("pt@example.test")
    response = client.post(url(pt, "typed"), data={"typed_text": text})
    assert response.status_code == 422
    assert shows(response, message)
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and "<b>Okafor" not in page
    assert 'id="signature-typed-text"' in page and 'aria-invalid="true"' in page
    assert signature_for(pt.id) is None


# -- remove, replace, audit -----------------------------------------------------------------------
def test_each_change_is_audited_without_image_or_name(client, pt, clinic):
    client.login("pt@example.test")
    client.post(url(pt, "typed"), data={"typed_text": "Dana Okafor"})
    upload(client, pt, png_bytes())
    client.post(url(pt, "draw"), data={"data_url": data_url(png_bytes())})
    response = client.post(url(pt, "delete"), follow_redirects=True)
    assert "Signature removed." in response.get_data(as_text=True)
    assert signature_for(pt.id) is None
    assert client.get(url(pt, "image")).status_code == 404

    events = audit_events(pt)
    assert [(e.summary, e.changes) for e in events] == [
        ("signature typed", {"before": None, "after": "typed"}),
        ("signature uploaded", {"before": "typed", "after": "upload"}),
        ("signature drawn", {"before": "upload", "after": "drawn"}),
        ("signature removed", {"before": "drawn", "after": None}),
    ]
    assert {(e.object_type, e.clinic_id, e.actor_id) for e in events} == {("user", clinic.id, pt.id)}
    for event in events:
        assert "Okafor" not in event.summary + str(event.changes)


def test_replacing_keeps_one_row_per_user(client, pt):
    client.login("pt@example.test")
    upload(client, pt, png_bytes())
    client.post(url(pt, "typed"), data={"typed_text": "Dana Okafor"})
    rows = list(db.session.scalars(select(ProviderSignature).where(ProviderSignature.user_id == pt.id)))
    assert [(r.kind, r.image) for r in rows] == [("typed", None)]


def test_removing_when_there_is_none_changes_nothing(client, pt):
    client.login("pt@example.test")
    response = client.post(url(pt, "delete"), follow_redirects=True)
    assert "There is no signature to remove." in response.get_data(as_text=True)
    assert audit_events(pt) == []


def test_post_without_csrf_token_is_refused_and_saves_nothing(client, pt):
    client.login("pt@example.test")
    raw = client.client
    response = raw.post(url(pt, "typed"), data={"typed_text": "Dana Okafor"})
    assert response.status_code == 400
    response = raw.post(url(pt, "upload"), data={"file": (io.BytesIO(png_bytes()), "x.png")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert signature_for(pt.id) is None
    assert audit_events(pt) == []


# -- who may see and change it --------------------------------------------------------------------
@pytest.mark.parametrize("user_type", [UserType.PTA, UserType.CLERICAL, UserType.SPT])
def test_non_therapists_have_no_signature(client, admin, make_user, clinic, user_type):
    other = make_user([clinic], user_type=user_type)
    client.login("admin@example.test")
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other, "typed"), data={"typed_text": "Pat Smith"}).status_code == 404
    assert upload(client, other, png_bytes()).status_code == 404
    assert signature_for(other.id) is None


def test_a_non_therapist_cannot_give_themselves_one(client, make_user, clinic):
    pta = make_user([clinic], email="pta@example.test", user_type=UserType.PTA)
    client.login("pta@example.test")
    assert client.get(url(pta)).status_code == 404
    assert client.post(url(pta, "typed"), data={"typed_text": "Pat Smith"}).status_code == 404


def test_therapist_of_another_clinic_is_not_found(client, admin, make_clinic, make_user):
    elsewhere = make_user([make_clinic("Elsewhere Clinic")], user_type=UserType.OT)
    client.login("admin@example.test")
    assert client.get(url(elsewhere)).status_code == 404
    assert client.get(url(elsewhere, "image")).status_code == 404
    assert client.post(url(elsewhere, "typed"), data={"typed_text": "Olga Smith"}).status_code == 404
    assert signature_for(elsewhere.id) is None


def test_clerical_without_edit_users_cannot_change_a_pt_signature(client, pt, make_user, clinic, permission):
    make_user([clinic], email="front@example.test", user_type=UserType.CLERICAL, permissions=[permission.VIEW_USERS])
    client.login("pt@example.test")
    upload(client, pt, png_bytes())
    client.login("front@example.test")
    page = client.get(url(pt))
    assert page.status_code == 200  # View Users: may look
    assert "Upload a signature" not in page.get_data(as_text=True)  # but is offered no forms
    assert client.get(url(pt, "image")).status_code == 200
    assert client.post(url(pt, "typed"), data={"typed_text": "Someone Else"}).status_code == 403
    assert client.post(url(pt, "draw"), data={"data_url": data_url(png_bytes())}).status_code == 403
    assert upload(client, pt, png_bytes()).status_code == 403
    assert client.post(url(pt, "delete")).status_code == 403
    assert signature_for(pt.id).kind == "upload"
    assert len(audit_events(pt)) == 1


def test_clerical_without_view_users_cannot_see_it(client, pt, make_user, clinic):
    make_user([clinic], email="front@example.test", user_type=UserType.CLERICAL)
    client.login("front@example.test")
    assert client.get(url(pt)).status_code == 403
    assert client.get(url(pt, "image")).status_code == 403


def test_user_manager_with_edit_users_may_change_a_pt_signature(client, pt, make_user, clinic, permission):
    manager = make_user([clinic], email="manager@example.test", user_type=UserType.CLERICAL,
                        permissions=[permission.VIEW_USERS, permission.EDIT_USERS])
    client.login("manager@example.test")
    assert "Upload a signature" in client.get(url(pt)).get_data(as_text=True)
    assert client.post(url(pt, "typed"), data={"typed_text": "Dana Okafor"}).status_code == 303
    saved = signature_for(pt.id)
    assert (saved.kind, saved.updated_by_id) == ("typed", manager.id)
    assert audit_events(pt)[0].actor_id == manager.id


def test_therapist_manages_own_signature_without_user_permissions(client, make_user, clinic):
    slp = make_user([clinic], email="slp@example.test", user_type=UserType.SLP, permissions=[])
    client.login("slp@example.test")
    assert client.get(url(slp)).status_code == 200
    assert client.post(url(slp, "typed"), data={"typed_text": "Sam Lee"}).status_code == 303
    assert signature_for(slp.id).typed_text == "Sam Lee"


def test_therapist_cannot_change_a_colleague_signature(client, pt, make_user, clinic):
    make_user([clinic], email="ot@example.test", user_type=UserType.OT)
    client.login("ot@example.test")
    assert client.get(url(pt)).status_code == 403
    assert client.post(url(pt, "typed"), data={"typed_text": "Not Dana"}).status_code == 403


def test_signature_pages_need_sign_in(client, pt):
    assert client.get(url(pt)).status_code == 302
    assert client.get(url(pt, "image")).status_code == 302


# -- for other pages ------------------------------------------------------------------------------
def test_preview_partial_and_signature_for(app, pt):
    assert signature_for(pt.id) is None and signature_for(None) is None
    db.session.add(ProviderSignature(user_id=pt.id, kind="typed", typed_text="Dana <Okafor>"))
    db.session.commit()
    template = '{% with signature=signature_for(uid) %}{% include "accounts/signatures/_preview.html" %}{% endwith %}'
    with app.test_request_context():
        html = render_template_string(template, uid=pt.id)
        assert '<span class="typed-signature">Dana &lt;Okafor&gt;</span>' in html
        signature = signature_for(pt.id)
        signature.kind, signature.typed_text, signature.image, signature.mime = "drawn", None, png_bytes(), "image/png"
        db.session.commit()
        html = render_template_string(template, uid=pt.id)
        assert f'src="/users/{pt.id}/signature/image?v=' in html and 'alt="Signature of Dana Okafor"' in html
        assert render_template_string(template, uid=None).strip() == ""
