"""Image sources → Anthropic image content blocks, with limits enforced."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.display import Image as IPyImage
from PIL import Image

from kuroryuu_magic.context import image_capture, images
from kuroryuu_magic.context.images import current_figure_block, image_block


def encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def decoded(block: dict) -> Image.Image:
    assert block["type"] == "image"
    assert block["source"]["type"] == "base64"
    data = base64.b64decode(block["source"]["data"], validate=True)
    img = Image.open(io.BytesIO(data))
    assert Image.MIME[img.format] == block["source"]["media_type"]
    return img


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_bytes_of_each_format_pass_through_unchanged(fmt: str, media: str) -> None:
    data = encode(Image.new("RGB", (40, 30), (200, 10, 10)), fmt)
    block = image_block(data)
    assert block["source"]["media_type"] == media
    assert base64.b64decode(block["source"]["data"]) == data
    assert image_block(bytearray(data)) == block
    assert image_block(memoryview(data)) == block


def test_file_path_as_str_and_path(tmp_path: Path) -> None:
    path = tmp_path / "chart.misleading-extension"
    path.write_bytes(encode(Image.new("RGB", (10, 10)), "JPEG"))
    assert image_block(str(path))["source"]["media_type"] == "image/jpeg"
    assert image_block(path)["source"]["media_type"] == "image/jpeg"


def test_pil_image_keeps_size_and_alpha() -> None:
    img = Image.new("RGBA", (64, 48), (0, 0, 255, 128))
    out = decoded(image_block(img))
    assert out.size == (64, 48)
    assert out.mode == "RGBA"
    cmyk = decoded(image_block(Image.new("CMYK", (8, 8))))
    assert cmyk.size == (8, 8)


def test_ipython_display_image() -> None:
    data = encode(Image.new("RGB", (12, 12)), "PNG")
    assert decoded(image_block(IPyImage(data=data))).size == (12, 12)
    with pytest.raises(UsageError, match="URL"):
        image_block(IPyImage(url="https://example.invalid/x.png", embed=False))


def test_matplotlib_figure_axes_artists_and_subplots() -> None:
    fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
    lines = ax.plot([1, 3, 2])
    expected = (200, 150)
    assert decoded(image_block(fig)).size == expected
    assert decoded(image_block(ax)).size == expected
    assert decoded(image_block(lines)).size == expected  # what `plt.plot(...)` returns
    _fig2, axes = plt.subplots(2, 2, figsize=(2, 2), dpi=50)
    assert decoded(image_block(axes)).size == (100, 100)


def test_big_figure_is_downscaled() -> None:
    fig = plt.figure(figsize=(40, 30), dpi=100)  # 4000 × 3000 px
    fig.add_subplot().plot(np.sin(np.linspace(0, 10, 100)))
    out = decoded(image_block(fig))
    assert max(out.size) <= images.MAX_SIDE
    assert out.size[0] > out.size[1] >= 1100


def test_big_bitmap_is_downscaled_and_keeps_aspect() -> None:
    data = encode(Image.new("RGB", (4000, 3000), (1, 2, 3)), "PNG")
    out = decoded(image_block(data))
    assert out.size == (1568, 1176)
    assert out.format == "PNG"


def test_oversized_noisy_image_is_reencoded_under_the_byte_limit() -> None:
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (1500, 1500, 3), dtype=np.uint8))
    data = encode(noise, "PNG")
    assert len(data) > images.MAX_BYTES  # random pixels barely compress
    block = image_block(data)
    assert len(block["source"]["data"]) <= images.MAX_BYTES
    assert block["source"]["media_type"] == "image/jpeg"
    assert decoded(block).size[0] >= 500


def test_animated_gif_downscales_to_first_frame() -> None:
    frames = [Image.new("P", (2000, 100), i) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = decoded(image_block(buf.getvalue()))
    assert out.size == (1568, 78)


@pytest.mark.parametrize(
    "bad",
    [b"not an image", b"", 42, object(), {"a": 1}, b"\x89PNG\r\n\x1a\n" + b"\0" * 20],
)
def test_anything_else_is_a_usage_error(bad: object) -> None:
    with pytest.raises(UsageError) as info:
        image_block(bad)
    assert type(info.value) is UsageError
    assert "\n" not in str(info.value)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="neither a file nor a variable"):
        image_block(str(tmp_path / "nope.png"))


class FakeShell:
    def __init__(self, user_ns: dict) -> None:
        self.user_ns = user_ns
        self.execution_count = 1


def test_out_references_and_names_resolve_through_the_shell() -> None:
    png = encode(Image.new("RGB", (5, 5)), "PNG")
    _fig, ax = plt.subplots(figsize=(1, 1), dpi=30)
    shell = FakeShell({"Out": {3: IPyImage(data=png), 4: ax.plot([1, 2])}, "pic": png})
    assert base64.b64decode(image_block("Out[3]", shell=shell)["source"]["data"]) == png
    assert decoded(image_block("_4", shell=shell)).size == (30, 30)
    assert decoded(image_block("Out[-1]", shell=shell)).size == (30, 30)
    assert base64.b64decode(image_block("pic", shell=shell)["source"]["data"]) == png
    with pytest.raises(UsageError, match=r"Out\[9\] holds no image"):
        image_block("Out[9]", shell=shell)


def test_current_figure_block() -> None:
    plt.close("all")
    with pytest.raises(UsageError, match="no open matplotlib figure"):
        current_figure_block()
    plt.figure(figsize=(2, 1), dpi=40)
    plt.plot([0, 1])
    assert decoded(current_figure_block()).size == (80, 40)


class FakePublisher:
    def __init__(self) -> None:
        self.hooks: list = []

    def register_hook(self, hook: Any) -> None:
        self.hooks.append(hook)

    def unregister_hook(self, hook: Any) -> None:
        self.hooks.remove(hook)

    def publish(self, data: dict) -> Any:
        msg: Any = {"content": {"data": data}}
        for hook in self.hooks:
            msg = hook(msg)
        return msg


def test_displayed_images_are_captured_for_plot_and_out() -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryAccessor.enabled = False
    shell = InteractiveShell(config=config)
    shell.display_pub = FakePublisher()  # ipykernel's publisher has the same hook API
    assert image_capture.install(shell)
    assert not image_capture.install(shell)  # idempotent
    try:
        from IPython.core.interactiveshell import ExecutionResult

        png = encode(Image.new("RGB", (7, 7)), "PNG")
        count = shell.execution_count
        msg = shell.display_pub.publish({"image/png": base64.b64encode(png).decode()})
        assert msg["content"]["data"]["image/png"]  # passed on untouched
        result = ExecutionResult(None)
        result.execution_count = count
        shell.events.trigger("post_run_cell", result)  # the cell ends: its image is filed
        plt.close("all")
        assert base64.b64decode(current_figure_block(shell)["source"]["data"]) == png
        block = image_block(f"Out[{count}]", shell=shell)
        assert base64.b64decode(block["source"]["data"]) == png
    finally:
        image_capture.uninstall(shell)
    assert shell.display_pub.hooks == []
    assert image_capture.captured() is None  # another shell's session has no capture


# -- bounds on foreign images (security.md 24) ------------------------------------------


def _png_declaring(width: int, height: int, rows: int | None = None) -> bytes:
    """A 1-bit PNG of ``width`` x ``height`` zeros (only ``rows`` of them encoded, when
    given): a few KB that decode to width x height bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\0" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    count = height if rows is None else rows
    idat = b"".join(packer.compress(row) for _ in range(count)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(12_000, 12_000), (200_000, 200_000)])
def test_small_png_declaring_huge_dimensions_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch, width: int, height: int
) -> None:
    from PIL import ImageFile

    decoded_at_all: list[int] = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded_at_all.append(1) or real_load(self)
    )
    data = _png_declaring(width, height, rows=None if width < 50_000 else 1)
    assert len(data) < 100_000
    with pytest.raises(UsageError, match="million pixels") as info:
        image_block(data)
    assert type(info.value) is UsageError
    assert decoded_at_all == []  # refused from the header alone


def test_large_declared_jpeg_under_the_limit_still_works() -> None:
    img = Image.new("RGB", (4000, 3000), (10, 200, 30))
    block = image_block(encode(img, "JPEG"))
    assert max(decoded(block).size) <= images.MAX_SIDE


@pytest.mark.parametrize("path", ["/proc/self/mem", "unreadable"])
def test_unreadable_files_are_one_line_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    import os

    if path == "unreadable":
        target = tmp_path / "secret.png"
        target.write_bytes(encode(Image.new("RGB", (4, 4)), "PNG"))
        path = str(target)
        real_open = os.open

        def refuse(name, *args, **kwargs):  # what chmod 000 does to anyone but root
            if str(name) == path:
                raise PermissionError(13, "Permission denied", path)
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
        monkeypatch.setattr(Path, "read_bytes", lambda self: refuse(str(self)))
    with pytest.raises(UsageError, match="can't read") as info:
        image_block(path)
    assert type(info.value) is UsageError
    assert "\n" not in str(info.value)


def test_file_reads_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 1000)
    target = tmp_path / "big.png"
    target.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 2000)
    with pytest.raises(UsageError, match="over"):
        image_block(str(target))
