"""Images from the kernel as Anthropic image content blocks (``--image X``, ``--plot``).

Accepted: a matplotlib Figure, Axes or artist list (what ``plt.plot`` returns),
a PIL image, an ``IPython.display.Image``, anything with ``_repr_png_`` /
``_repr_jpeg_``, PNG/JPEG/GIF/WebP bytes, a file path, or an output ``Out[n]``
(the cell's value, or the image that cell displayed when the capture below is
installed).  The format is read from magic bytes, never from a file name.

Images over the API's limits are downscaled and re-encoded with Pillow: the
longest side is brought to at most ``MAX_SIDE`` (the API resizes anything larger
anyway, and charges tokens by area) and the base64 payload under ``MAX_BYTES``.
matplotlib and Pillow are looked up in ``sys.modules``; Pillow is imported only
when an image actually needs re-encoding.
"""

from __future__ import annotations

import base64
import io
import os
import re
import stat
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from IPython.core.error import UsageError

from ..core.shell import NamespaceLike
from .image_capture import captured
from .text import type_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from numpy.typing import NDArray
    from PIL.Image import Image as PILImage

MAX_BYTES = 5 * 1024 * 1024  # per image; applied to the base64 text, the stricter reading
MAX_SIDE = 1568
MAX_FILE_BYTES = 100 * 1024 * 1024
# Declared width x height refused before anything is decoded: a few-KB PNG can declare
# 12,000 x 12,000 and cost hundreds of MB to decode.  32 MP still takes a phone photo.
MAX_PIXELS = 32_000_000
# The formats sniff() accepts: Pillow tries no other decoder on foreign bytes.
_PIL_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
_OUT_REF = re.compile(r"^\s*(?:Out\s*\[\s*(-?\d+)\s*\]|_(\d+))\s*$")
_ACCEPTED = (
    "a matplotlib Figure/Axes, a PIL image, an IPython.display.Image, "
    "PNG/JPEG/GIF/WebP bytes, a file path or Out[n]"
)


def sniff(data: bytes) -> str | None:
    """The image media type from magic bytes, or None for anything the API does not take."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _b64_len(n: int) -> int:
    return 4 * ((n + 2) // 3)


def image_block(
    obj: object, *, shell: NamespaceLike | None = None, max_side: int = MAX_SIDE
) -> dict[str, Any]:
    """An ``{"type": "image", "source": {"type": "base64", …}}`` block for ``obj``."""
    return block_from_bytes(_to_bytes(obj, shell, depth=0), max_side=max_side)


def block_from_bytes(data: bytes, *, max_side: int = MAX_SIDE) -> dict[str, Any]:
    """Image bytes as a content block, downscaled/re-encoded when over the limits."""
    media = sniff(data)
    if media is None:
        raise UsageError(f"--image: not a PNG, JPEG, GIF or WebP image; pass {_ACCEPTED}")
    data, media = _fit(data, media, max_side)
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media, "data": base64.b64encode(data).decode()},
    }


def current_figure_block(shell: NamespaceLike | None = None) -> dict[str, Any]:
    """The current matplotlib figure (``--plot``), else the image the last cell displayed."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None and plt.get_fignums():
        return image_block(plt.gcf())
    # Jupyter's inline backend closes figures once shown; the capture kept the image.
    capture = captured(shell)
    last = capture.last() if capture is not None else None
    if last is not None:
        return block_from_bytes(last)
    raise UsageError("--plot: no open matplotlib figure; draw a plot first, or pass --image fig")


# ---------------------------------------------------------------- sources


def _to_bytes(obj: object, shell: NamespaceLike | None, depth: int) -> bytes:
    if depth > 3:  # Out[n] holding a name holding Out[m]…: stop rather than loop
        raise UsageError(f"--image: can't use a {type_name(obj)}; pass {_ACCEPTED}")
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj)
    if isinstance(obj, str) and shell is not None:
        ref = _OUT_REF.match(obj)
        if ref:
            return _from_out(int(ref.group(1) or ref.group(2)), shell, depth)
        if obj.isidentifier() and obj in shell.user_ns:
            return _to_bytes(shell.user_ns[obj], shell, depth + 1)
    if isinstance(obj, (str, os.PathLike)):
        return _read_file(obj)
    figure = _figure_of(obj)
    if figure is not None:
        return _figure_png(figure)
    if _is(obj, "PIL.Image", "Image"):
        return _pil_bytes(cast("PILImage", obj))  # _is checked the class
    if _is(obj, "IPython.core.display", "Image"):
        data = getattr(obj, "data", None)
        if isinstance(data, bytes):
            return data
        raise UsageError(
            "--image: this IPython Image holds only a URL; load it with "
            "Image(url=..., embed=True) or pass the file path"
        )
    data = _from_repr_methods(obj)
    if data is not None:
        return data
    raise UsageError(f"--image: can't use a {type_name(obj)}; pass {_ACCEPTED}")


def _is(obj: object, module: str, name: str) -> bool:
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(obj, cls)


def _read_file(path: str | os.PathLike[str]) -> bytes:
    p = Path(path).expanduser()
    shown = str(path)[:200]
    if not p.is_file():
        raise UsageError(f"--image: {shown!r} is neither a file nor a variable")
    try:
        # O_NONBLOCK: a FIFO swapped in after the check cannot hang the cell; the size is
        # checked on the open descriptor, and the read is capped anyway (/proc files
        # claim 0 bytes and /proc/self/mem fails on read).
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UsageError(f"--image: {shown!r} is not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise _too_big(p)
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"--image: can't read {shown!r} ({reason})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(p)
    return data


def _too_big(p: Path) -> UsageError:
    return UsageError(f"--image: {p.name} is over {MAX_FILE_BYTES // 2**20} MB; shrink it first")


def _figure_of(obj: object) -> Figure | None:
    """The matplotlib Figure behind a Figure, SubFigure, Axes, artist, or list/array of them."""
    # No figure can exist before matplotlib.figure is imported (it also imports the artist
    # module): then nothing here imports anything, and the classes below are real types.
    if "matplotlib.figure" not in sys.modules:
        return None
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure, SubFigure

    if isinstance(obj, (list, tuple)) and obj:
        obj = obj[0]
    elif _is(obj, "numpy", "ndarray"):
        array = cast("NDArray[Any]", obj)  # _is checked the class; numpy arrays hold any dtype
        if array.dtype == object and array.size:
            obj = array.flat[0]  # plt.subplots(2, 2) returns an array of Axes
    if isinstance(obj, Figure):
        return obj
    if isinstance(obj, (SubFigure, Artist)):
        fig: Figure | SubFigure | None
        try:
            fig = obj.get_figure(root=True)
        except TypeError:  # matplotlib < 3.10 has no root= and returns the root already
            fig = obj.get_figure()
        return fig if isinstance(fig, Figure) else None
    return None


def _figure_png(fig: Figure) -> bytes:
    # Render at a dpi that already respects MAX_SIDE: crisper and cheaper than resizing.
    w, h = fig.get_size_inches()
    dpi = float(fig.dpi)
    longest = max(w, h) * dpi
    if longest > MAX_SIDE:
        dpi *= MAX_SIDE / longest
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _pil_bytes(img: PILImage) -> bytes:
    buf = io.BytesIO()
    if img.format == "JPEG" and img.mode in ("RGB", "L"):
        img.save(buf, format="JPEG", quality=90)  # a photo stays a photo, not a 10× PNG
    else:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            img = img.convert("RGBA")
        img.save(buf, format="PNG")
    return buf.getvalue()


def _from_repr_methods(obj: object) -> bytes | None:
    for method in ("_repr_png_", "_repr_jpeg_"):
        fn = getattr(obj, method, None)
        if callable(fn):
            try:
                data = fn()
            except Exception:  # noqa: S112 - a rich repr that fails just isn't an image
                continue
            data = data[0] if isinstance(data, tuple) else data
            if isinstance(data, str):
                data = base64.b64decode(data)
            if isinstance(data, bytes):
                return data
    return None


def _from_out(n: int, shell: NamespaceLike, depth: int) -> bytes:
    outputs = shell.user_ns.get("Out", {})
    capture = captured(shell)
    shown = capture.images if capture is not None else {}
    if n < 0:  # Out[-1]: the latest cell that produced something
        keys = sorted(set(outputs) | set(shown))
        if len(keys) < -n:
            raise UsageError(f"--image: there is no Out[{n}]")
        n = keys[n]
    if n in outputs:
        try:
            return _to_bytes(outputs[n], shell, depth + 1)
        except UsageError:
            pass  # the value isn't an image; the cell may still have displayed one
    data = shown.get(n) or _history_image(shell, n)
    if data is None:
        raise UsageError(f"--image: Out[{n}] holds no image (run the plotting cell again?)")
    return data


def _history_image(shell: NamespaceLike | None, n: int) -> bytes | None:
    """Images IPython itself kept for cell ``n`` (IPython >= 9 stores display outputs)."""
    outputs = getattr(getattr(shell, "history_manager", None), "outputs", None) or {}
    for out in reversed(outputs.get(n, [])):
        bundle = getattr(out, "bundle", {}) or {}
        for mime in ("image/png", "image/jpeg"):
            if mime in bundle:
                data = bundle[mime]
                return base64.b64decode(data) if isinstance(data, str) else bytes(data)
    return None


# ---------------------------------------------------------------- limits


def _fit(data: bytes, media: str, max_side: int) -> tuple[bytes, str]:
    try:
        from PIL import Image
    except ImportError:
        if _b64_len(len(data)) > MAX_BYTES:
            raise UsageError(
                f"--image: the image is {len(data) / 2**20:.1f} MB, over the API's 5 MB; "
                "pip install pillow to have it downscaled"
            ) from None
        return data, media
    too_many = UsageError(
        f"--image: the image declares more than {MAX_PIXELS // 10**6} million pixels; "
        "downscale it first"
    )
    try:
        # Opening reads only the header; Pillow's own bomb check then refuses anything past
        # twice our limit, and the declared size is checked below before any decoding.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Image, not ImageFile: the downscaling below rebinds it to plain copies.
            img: Image.Image = Image.open(io.BytesIO(data), formats=_PIL_FORMATS)
        size = img.size
    except Image.DecompressionBombError:
        raise too_many from None
    except Exception:
        raise UsageError("--image: the image data is corrupt or truncated") from None
    if size[0] * size[1] > MAX_PIXELS:
        raise too_many
    if max(size) <= max_side and _b64_len(len(data)) <= MAX_BYTES:
        return data, media
    try:
        img.seek(0)  # animated GIF/WebP: the first frame is what the model sees
        if img.format == "JPEG":
            img.draft(img.mode, (max_side, max_side))  # decode at a reduced scale: cheaper
        img.load()
    except Exception:
        raise UsageError("--image: the image data is corrupt or truncated") from None
    if max(size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    keep_png = media in ("image/png", "image/gif")
    while True:
        out = _encode(img, "PNG" if keep_png else "JPEG", 90)
        if _b64_len(len(out)) > MAX_BYTES and keep_png:
            keep_png = False
            continue
        for quality in (80, 65):
            if _b64_len(len(out)) <= MAX_BYTES:
                break
            out = _encode(img, "JPEG", quality)
        if _b64_len(len(out)) <= MAX_BYTES:
            return out, "image/png" if keep_png else "image/jpeg"
        img = img.resize((max(1, img.width * 3 // 4), max(1, img.height * 3 // 4)))


def _encode(img: PILImage, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        if img.mode not in ("RGB", "L"):
            # JPEG has no alpha: flatten onto white, which is what a notebook shows.
            rgba = img.convert("RGBA")
            from PIL import Image

            bg = Image.new("RGB", rgba.size, (255, 255, 255))
            bg.paste(rgba, mask=rgba.getchannel("A"))
            img = bg
        img.save(buf, format="JPEG", quality=quality, optimize=True)
    else:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            img = img.convert("RGBA")
        img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
