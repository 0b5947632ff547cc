"""Image blocks as the vision docs describe them: sources and the size limit.

Sources ``base64`` (jpeg, png, gif, webp), ``url`` and ``file``; an image over
8000 px on a side is refused (2000 px when the request has more than 20
images), with ``error.details.error_code = "image_dimensions_too_large"`` (the
SDK's ``ImageDimensionsTooLargeErrorDetails``).  Sizes are read from the header
bytes only, never by decoding the image.
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_SIDE = 8000
MAX_SIDE_MANY = 2000
MANY_IMAGES = 20


def check_source(where: str, source: object) -> str | None:
    """Why an image ``source`` is refused, or None."""
    if not isinstance(source, dict):
        return f"{where}.source: Field required"
    kind = source.get("type")
    if kind == "url":
        url = source.get("url")
        return None if isinstance(url, str) and url else f"{where}.source.url: Field required"
    if kind == "file":
        file_id = source.get("file_id")
        return (
            None
            if isinstance(file_id, str) and file_id
            else f"{where}.source.file_id: Field required"
        )
    if kind != "base64":
        return f"{where}.source.type: Input should be 'base64', 'url' or 'file'"
    if source.get("media_type") not in IMAGE_TYPES:
        return f"{where}.source.media_type: Input should be one of {', '.join(IMAGE_TYPES)}"
    raw = decode(source)
    if raw is None:
        return f"{where}.source.data: invalid base64 data"
    if not raw:
        return f"{where}.source.data: image data is empty"
    return None


def decode(source: dict[str, Any]) -> bytes | None:
    try:
        return base64.b64decode(str(source.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return None


def dimensions(raw: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF, JPEG or WebP header; None when unknown."""
    if raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) >= 24:
        return struct.unpack(">II", raw[16:24])
    if raw[:6] in (b"GIF87a", b"GIF89a") and len(raw) >= 10:
        return struct.unpack("<HH", raw[6:10])
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP" and len(raw) >= 30:
        chunk = raw[12:16]
        if chunk == b"VP8X":
            w = int.from_bytes(raw[24:27], "little") + 1
            h = int.from_bytes(raw[27:30], "little") + 1
            return w, h
        if chunk == b"VP8L" and len(raw) >= 25:
            bits = int.from_bytes(raw[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8 ":
            w, h = struct.unpack("<HH", raw[26:30])
            return w & 0x3FFF, h & 0x3FFF
    if raw[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(raw):
            if raw[i] != 0xFF:
                return None
            marker = raw[i + 1]
            size = struct.unpack(">H", raw[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", raw[i + 5 : i + 9])
                return w, h
            i += 2 + size
    return None


def image_blocks(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, block) of every image, nested tool_result content included."""
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(path: str, content: object) -> None:
        for j, block in enumerate(content if isinstance(content, list) else []):
            if not isinstance(block, dict):
                continue
            if block.get("type") == "image":
                out.append((f"{path}.{j}", block))
            elif block.get("type") == "tool_result":
                walk(f"{path}.{j}.content", block.get("content"))

    for i, msg in enumerate(body.get("messages") or []):
        if isinstance(msg, dict):
            walk(f"messages.{i}.content", msg.get("content"))
    return out


def too_large(body: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(message, error details) when an image is over the size limit, else None."""
    blocks = image_blocks(body)
    limit = MAX_SIDE_MANY if len(blocks) > MANY_IMAGES else MAX_SIDE
    paths = []
    for path, block in blocks:
        source = block.get("source") or {}
        raw = decode(source) if source.get("type") == "base64" else None
        size = dimensions(raw) if raw else None
        if size and max(size) > limit:
            paths.append(path)
    if not paths:
        return None
    message = (
        f"{paths[0]}.image.source.base64.data: At least one of the image dimensions "
        f"exceed max allowed size: {limit} pixels"
    )
    details = {
        "error_code": "image_dimensions_too_large",
        "max_side_length_pixels": limit,
        "paths": paths,
    }
    return message, details


def images_in(body: object) -> list[dict[str, Any]]:
    """Media type, source type and decoded size of every image block in a messages body."""
    if not isinstance(body, dict):
        return []
    out = []
    for _path, block in image_blocks(body):
        source = block.get("source") or {}
        data = str(source.get("data", ""))
        out.append(
            {
                "media_type": source.get("media_type"),
                "source": source.get("type"),
                "bytes": len(data) * 3 // 4,
            }
        )
    return out
