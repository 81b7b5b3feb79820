"""Personal links envoys share (an opening, a policy): tokens, signing, QR codes.

A link carries a row's random token, signed with the app's secret and a
salt of its own kind (itsdangerous), so a guessed, forged or altered link is
refused before the database is even asked, and an opening's link never
opens a policy. Views are counted with an atomic UPDATE, so concurrent
visitors all count.
"""

import io
import secrets
import struct
import zlib
from typing import TypeVar

import segno
from flask import Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from envoycrm.extensions import db
from envoycrm.models.base import SharedLink


def new_token() -> str:
    """A random, unguessable token for a new personal link."""
    return secrets.token_hex(16)


L = TypeVar("L", bound=SharedLink)


def personal_link(model: type[L], envoy_id: int, **shared: int) -> tuple[L, bool]:
    """The envoy's link row of ``model`` for what ``shared`` names (an
    opening, a policy): (found, False) if it exists, else (made, True).

    The table's unique constraint on (what, envoy) settles two clicks racing
    each other: the loser's flush fails and its view reads the winner's.
    """
    found = db.session.scalar(select(model).filter_by(envoy_id=envoy_id, **shared))
    if found is not None:
        return found, False
    made = model(envoy_id=envoy_id, token=new_token(), **shared)  # type: ignore[call-arg]
    db.session.add(made)
    db.session.flush()
    return made, True


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(token: str, salt: str) -> str:
    """The signed form of ``token`` that goes into a link."""
    return _serializer(salt).dumps(token)


def unsign(signed: str, salt: str) -> str | None:
    """The token inside a signed link; None when forged, altered or odd."""
    if not signed or len(signed) > 200:
        return None
    try:
        token = _serializer(salt).loads(signed)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def count_view(model: type[SharedLink], row_id: int) -> None:
    """Add one view to ``model``'s row (a push) with an atomic UPDATE."""
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(views=model.views + 1)
        .execution_options(synchronize_session=False)
    )


# An SVG scales by itself; a PNG (what WeChat and chat apps take) is drawn
# large enough to stay sharp when printed or shown on another screen.
SVG_OPTIONS: dict[str, object] = {
    "scale": 4,
    "xmldecl": True,
    "svgns": True,
    "title": None,
}
PNG_SCALE = 10
QR_MIMETYPES = {"svg": "image/svg+xml", "png": "image/png"}


def qr_image(url: str, kind: str) -> bytes:
    """A QR code of ``url`` as an SVG or PNG file."""
    code = segno.make(url, error="m")
    if kind == "png":
        return qr_png(code, scale=PNG_SCALE)
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, border=2, **SVG_OPTIONS)
    return buffer.getvalue()


def qr_png(code: segno.QRCode, scale: int, border: int = 2) -> bytes:
    """``code`` as a black-and-white PNG, ``scale`` pixels a module.

    segno writes a PNG pixel by pixel in Python (several milliseconds a
    code); a row of modules becomes a row of one-bit pixels in a single
    integer conversion here, and the image is one zlib call. A mail that
    carries a personal code, 3,000 times in a reminder run, needs it fast.
    """
    dark, light = "0" * scale, "1" * scale  # greyscale, one bit: 0 is black
    margin = light * border
    width = (len(code.matrix[0]) + 2 * border) * scale
    row_bytes = (width + 7) // 8
    padding = "1" * (row_bytes * 8 - width)

    def pixels(bits: str) -> bytes:
        line = int(bits + padding, 2).to_bytes(row_bytes, "big")
        return (b"\x00" + line) * scale  # filter "none", then the pixels

    blank = pixels(light * (len(code.matrix[0]) + 2 * border))
    lines = [blank] * border
    for modules in code.matrix:
        lines.append(
            pixels(margin + "".join(dark if m else light for m in modules) + margin)
        )
    lines += [blank] * border
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(b"".join(lines), 9)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def qr_response(url: str, kind: str, filename: str, download: bool) -> Response:
    """The QR code of ``url`` as an image answer, a download when asked."""
    response = Response(qr_image(url, kind), mimetype=QR_MIMETYPES[kind])
    if download:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{filename}.{kind}"'
        )
    return response
