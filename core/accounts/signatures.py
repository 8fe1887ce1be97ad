"""Provider signatures: one current signature per therapist (PT, OT, SLP), shown on their finalized notes.

The seed's "Adding Signatures" offers three ways to set it, and so does the page
(``GET /users/<id>/signature``):

* **Upload a signature**: a PNG or JPEG picture (``kind="upload"``).
* **Draw a signature**: signature_pad on a ``<canvas>`` posts a PNG data URL (``kind="drawn"``).
* **Select a signature**: the typed name, shown in the Dancing Script font (``kind="typed"``).

Images are checked by content, not by name or declared type (magic bytes, then Pillow must open,
verify and decode them as PNG or JPEG), limited to 1 MB and 2000 x 1000 pixels, and then re-encoded,
which drops metadata a phone photo carries (EXIF, GPS) and anything appended to the file. Replacing
or removing a signature keeps its history in the audit trail (``user.signature``: kind before and
after, never the image or the name).

Access: only therapist profiles have a signature (others answer 404); the profile must have access to
the signed-in user's current clinic (else 404). A therapist may always view and change their own
signature; for anyone else's, View Users (or Edit Users) lets you see it and Edit Users lets you
change it.

Templates show a signature with ``{% include "accounts/signatures/_preview.html" %}`` and a ``signature``
variable, e.g. ``{% with signature=signature_for(note.signed_by_id) %}...{% endwith %}``
(``signature_for`` is a template global). Pages that may show a typed signature load
``css/signature.css`` for the font.
"""
from __future__ import annotations

import base64
import binascii
import io
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship
from wtforms import HiddenField, StringField, ValidationError
from wtforms.validators import StopValidation

from core.accounts.authority import may_act_on
from core.accounts.models import User, clinic_user_or_404
from core.audit import record
from core.extensions import db, utcnow
from core.tenancy import current_clinic
from core.web import CaseloadForm, Permission

KINDS = ("upload", "drawn", "typed")
IMAGE_KINDS = ("upload", "drawn")

MAX_BYTES = 1024 * 1024
MAX_WIDTH, MAX_HEIGHT = 2000, 1000
TYPED_MAX = 100
DATA_URL_PREFIX = "data:image/png;base64,"

_MAGIC = {"PNG": b"\x89PNG\r\n\x1a\n", "JPEG": b"\xff\xd8\xff"}
_MIME = {"PNG": "image/png", "JPEG": "image/jpeg"}
_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "I", "I;16", "La", "RGBa"}

NOT_AN_IMAGE = "This file is not a PNG or JPEG image. Save your signature as a PNG or JPEG and try again."
TOO_LARGE = "This file is larger than 1 MB. Upload a smaller picture of your signature (at most 1 MB)."
TOO_MANY_PIXELS = f"This picture is too big: a signature may be at most {MAX_WIDTH} × {MAX_HEIGHT} pixels."
BLANK_UPLOAD = "This picture is blank. Upload a picture that shows your signature."
BLANK_DRAWING = "Draw your signature before saving."
BAD_DRAWING = "The drawing could not be read. Clear it, draw your signature again and save."
DRAWING_TOO_LARGE = "This drawing is too large to save (at most 1 MB). Clear it and draw your signature again."
TYPED_REQUIRED = "Type your name as it should appear on your notes."
TYPED_TOO_LONG = f"Use at most {TYPED_MAX} characters."
TYPED_CHARACTERS = "Use letters, spaces, hyphens, apostrophes, periods and commas only (e.g. Daniel Okafor, PT)."

_TYPED_PUNCTUATION = frozenset(" -'\u2019.,")  # a comma before credentials: "Daniel Okafor, PT"
_SUMMARY = {"upload": "signature uploaded", "drawn": "signature drawn", "typed": "signature typed", None: "signature removed"}
_FLASH = {"upload": "Signature uploaded.", "drawn": "Drawn signature saved.", "typed": "Signature saved.", None: "Signature removed."}


class ProviderSignature(db.Model):
    """A therapist's current signature: an image (uploaded or drawn) or a typed name."""

    __tablename__ = "provider_signature"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    mime: Mapped[str | None] = mapped_column(String(20))
    typed_text: Mapped[str | None] = mapped_column(String(TYPED_MAX))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __table_args__ = (
        CheckConstraint("kind IN ('upload', 'drawn', 'typed')", name="kind"),
        CheckConstraint(
            "(kind = 'typed' AND typed_text IS NOT NULL) OR (kind IN ('upload', 'drawn') AND image IS NOT NULL)",
            name="content",
        ),
    )

    @property
    def has_image(self) -> bool:
        return self.kind in IMAGE_KINDS and self.image is not None

    @property
    def version(self) -> str:
        """Changes whenever the signature does: a cache-busting query value for the image URL."""
        return self.updated_at.strftime("%Y%m%d%H%M%S%f") if self.updated_at else "0"


def signature_for(user_id: int | None) -> ProviderSignature | None:
    """The current signature of user ``user_id``, or None. Also a template global of the same name."""
    if user_id is None:
        return None
    return db.session.scalar(select(ProviderSignature).where(ProviderSignature.user_id == user_id))


# -- checking what people send ------------------------------------------------------------------
class SignatureImageError(ValueError):
    """The bytes are not an acceptable signature image; ``str(error)`` is the message for the user."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    width: int
    height: int


def clean_image(data: bytes, *, formats=("PNG", "JPEG"), blank_message: str = BLANK_UPLOAD) -> CleanImage:
    """Check ``data`` is a PNG or JPEG by content and of sane size, and return it re-encoded.

    Raises :class:`SignatureImageError` with the message to show. The pixel count is checked from the
    header before anything is decoded, so a decompression bomb is never expanded.
    """
    if not data:
        raise SignatureImageError(NOT_AN_IMAGE)
    if len(data) > MAX_BYTES:
        raise SignatureImageError(TOO_LARGE)
    fmt = next((name for name, magic in _MAGIC.items() if data.startswith(magic)), None)
    if fmt is None or fmt not in formats:
        raise SignatureImageError(NOT_AN_IMAGE)

    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.format != fmt:
                    raise SignatureImageError(NOT_AN_IMAGE)
                width, height = probe.size
                if width < 1 or height < 1:
                    raise SignatureImageError(NOT_AN_IMAGE)
                if width * height > MAX_WIDTH * MAX_HEIGHT or max(width, height) > MAX_WIDTH:
                    raise SignatureImageError(TOO_MANY_PIXELS)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as opened:
                opened.load()  # a full decode: truncated or corrupt data fails here
                image = ImageOps.exif_transpose(opened)
                if image.mode not in _MODES:
                    raise SignatureImageError(NOT_AN_IMAGE)
                if image.width > MAX_WIDTH or image.height > MAX_HEIGHT:
                    raise SignatureImageError(TOO_MANY_PIXELS)
                if _is_blank(image):
                    raise SignatureImageError(blank_message)
                out = io.BytesIO()
                if fmt == "PNG":
                    image.save(out, "PNG")
                else:
                    if image.mode not in ("L", "RGB", "CMYK"):
                        image = image.convert("RGB")
                    image.save(out, "JPEG", quality=92)
    except SignatureImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise SignatureImageError(TOO_MANY_PIXELS) from None
    except Exception:  # Pillow raises many kinds of error on hostile or broken files
        raise SignatureImageError(NOT_AN_IMAGE) from None
    return CleanImage(out.getvalue(), _MIME[fmt], image.width, image.height)


def _is_blank(image) -> bool:
    """True for a fully transparent image or one of a single colour (a blank canvas or page)."""
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getbbox() is None:
        return True
    return all(low == high for low, high in rgba.getextrema())


def decode_data_url(value: str) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,...`` URL (signature_pad's ``toDataURL("image/png")``)."""
    value = (value or "").strip()
    if not value:
        raise SignatureImageError(BLANK_DRAWING)
    if not value.startswith(DATA_URL_PREFIX):
        raise SignatureImageError(BAD_DRAWING)
    payload = value[len(DATA_URL_PREFIX):]
    if len(payload) > (MAX_BYTES * 4) // 3 + 4:
        raise SignatureImageError(DRAWING_TOO_LARGE)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureImageError(BAD_DRAWING) from None


def clean_typed_text(value: str | None) -> str:
    """The typed name, tidied (NFC, single spaces); raises ValueError with the message to show."""
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not text:
        raise ValueError(TYPED_REQUIRED)
    if len(text) > TYPED_MAX:
        raise ValueError(TYPED_TOO_LONG)
    previous_is_letter = False
    for ch in text:
        if ch.isalpha():
            previous_is_letter = True
        elif unicodedata.category(ch).startswith("M") and previous_is_letter:
            continue  # combining marks that belong to a letter (e.g. Devanagari vowel signs)
        elif ch in _TYPED_PUNCTUATION:
            previous_is_letter = False
        else:
            raise ValueError(TYPED_CHARACTERS)
    if not any(ch.isalpha() for ch in text):
        raise ValueError(TYPED_REQUIRED)
    return text


# -- forms ------------------------------------------------------------------------------------
class UploadSignatureForm(CaseloadForm):
    file = FileField(
        "Signature image (PNG or JPEG)",
        id="signature-file",
        validators=[FileRequired("Choose a PNG or JPEG picture of your signature.")],
        render_kw={"accept": "image/png,image/jpeg"},
    )
    clean: CleanImage | None = None

    def validate_file(self, field):
        data = field.data.stream.read(MAX_BYTES + 1)
        try:
            self.clean = clean_image(data)
        except SignatureImageError as error:
            raise StopValidation(str(error)) from None


class DrawSignatureForm(CaseloadForm):
    data_url = HiddenField("Drawn signature", id="signature-data-url", render_kw={"data-signature-input": ""})
    clean: CleanImage | None = None

    def validate_data_url(self, field):
        try:
            self.clean = clean_image(decode_data_url(field.data), formats=("PNG",), blank_message=BLANK_DRAWING)
        except SignatureImageError as error:
            raise StopValidation(str(error)) from None


class TypedSignatureForm(CaseloadForm):
    typed_text = StringField(
        "Your name as it should appear",
        id="signature-typed-text",
        render_kw={
            "maxlength": TYPED_MAX,
            "autocomplete": "name",
            "spellcheck": "false",
            "data-typed-source": "typed-preview",
        },
    )

    def validate_typed_text(self, field):
        try:
            field.data = clean_typed_text(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class RemoveSignatureForm(CaseloadForm):
    pass


# -- views ------------------------------------------------------------------------------------
bp = Blueprint("signatures", __name__)


@bp.app_template_global("signature_for")
def _signature_for_template(user_id):
    return signature_for(user_id)


def _target_or_404(user_id: int) -> User:
    """The therapist whose signature this is, when they have access to the current clinic."""
    user = clinic_user_or_404(current_clinic(), user_id)
    if not user.is_therapist:
        abort(404)
    return user


def may_view_signature(user: User) -> bool:
    me = current_user
    return me.id == user.id or me.can(Permission.VIEW_USERS) or me.can(Permission.EDIT_USERS)


def may_change_signature(user: User) -> bool:
    """The provider themself, or a user manager with Edit Users who outranks them (see ``authority``)."""
    if current_user.id == user.id:
        return True
    return current_user.can(Permission.EDIT_USERS) and may_act_on(current_user, user)


def _viewable(user_id: int) -> User:
    user = _target_or_404(user_id)
    if not may_view_signature(user):
        abort(403)
    return user


def _changeable(user_id: int) -> User:
    user = _target_or_404(user_id)
    if not may_change_signature(user):
        abort(403)
    return user


def _page(user: User, *, status: int = 200, open_section: str | None = None, **forms):
    signature = signature_for(user.id)
    context = {
        "upload_form": forms.get("upload_form") or UploadSignatureForm(formdata=None),
        "draw_form": forms.get("draw_form") or DrawSignatureForm(formdata=None),
        "typed_form": forms.get("typed_form")
        or TypedSignatureForm(formdata=None, typed_text=(signature.typed_text if signature and signature.typed_text else user.name)),
        "remove_form": RemoveSignatureForm(formdata=None),
    }
    if open_section is None and signature is not None:
        open_section = {"upload": "upload", "drawn": "draw", "typed": "select"}[signature.kind]
    return (
        render_template(
            "accounts/signatures/page.html",
            user=user,
            signature=signature,
            may_change=may_change_signature(user),
            is_self=user.id == current_user.id,
            open_section=open_section or "upload",
            **context,
        ),
        status,
    )


def _save(user: User, kind: str | None, *, image: CleanImage | None = None, typed_text: str | None = None):
    """Set (or, with ``kind=None``, remove) ``user``'s signature, audit it, commit, and redirect."""
    for attempt in (1, 2):
        signature = signature_for(user.id)
        before = signature.kind if signature else None
        if kind is None:
            if signature is None:
                flash("There is no signature to remove.", "info")
                return redirect(url_for(".show", user_id=user.id), code=303)
            db.session.delete(signature)
        else:
            if signature is None:
                signature = ProviderSignature(user_id=user.id)
                db.session.add(signature)
            signature.kind = kind
            signature.image = image.data if image else None
            signature.mime = image.mime if image else None
            signature.typed_text = typed_text
            signature.updated_at = utcnow()
            signature.updated_by_id = current_user.id
        record(
            "user.signature",
            "user",
            user.id,
            clinic_id=current_clinic().id,
            summary=_SUMMARY[kind],
            changes={"before": before, "after": kind},
        )
        try:
            db.session.commit()
            break
        except IntegrityError:
            # Two first saves at once: the other one won the unique user_id; update its row instead.
            db.session.rollback()
            if attempt == 2:
                raise
    flash(_FLASH[kind], "success")
    return redirect(url_for(".show", user_id=user.id), code=303)


@bp.get("/users/<int:user_id>/signature")
@login_required
def show(user_id: int):
    return _page(_viewable(user_id))


@bp.post("/users/<int:user_id>/signature/upload")
@login_required
def upload(user_id: int):
    user = _changeable(user_id)
    form = UploadSignatureForm()
    if not form.validate_on_submit():
        return _page(user, status=422, open_section="upload", upload_form=form)
    return _save(user, "upload", image=form.clean)


@bp.post("/users/<int:user_id>/signature/draw")
@login_required
def draw(user_id: int):
    user = _changeable(user_id)
    form = DrawSignatureForm()
    if not form.validate_on_submit():
        return _page(user, status=422, open_section="draw", draw_form=form)
    return _save(user, "drawn", image=form.clean)


@bp.post("/users/<int:user_id>/signature/typed")
@login_required
def typed(user_id: int):
    user = _changeable(user_id)
    form = TypedSignatureForm()
    if not form.validate_on_submit():
        return _page(user, status=422, open_section="select", typed_form=form)
    return _save(user, "typed", typed_text=form.typed_text.data)


@bp.post("/users/<int:user_id>/signature/delete")
@login_required
def delete(user_id: int):
    user = _changeable(user_id)
    if not RemoveSignatureForm().validate_on_submit():
        abort(400)
    return _save(user, None)


@bp.get("/users/<int:user_id>/signature/image")
@login_required
def image(user_id: int):
    user = _viewable(user_id)
    signature = signature_for(user.id)
    if signature is None or not signature.has_image:
        abort(404)
    response = Response(signature.image, mimetype=signature.mime)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    extension = "png" if signature.mime == "image/png" else "jpg"
    response.headers["Content-Disposition"] = f'inline; filename="signature.{extension}"'
    return response
