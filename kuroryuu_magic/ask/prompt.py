"""Building the user turn: interpolation, attached variables and images, caching marks."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError
from ..core.shell import NamespaceLike
from .interpolate import Interpolation, interpolate
from .settings import Request

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic

# About the API's smallest cacheable prompt (1,024 tokens on most models).  A mark
# on a shorter prompt is simply not cached, so erring low costs nothing.
CACHE_MIN_CHARS = 4_000


# An attachment that would get less than this is left out and named instead: a frame
# summary squeezed below it is a header and a cut, not a summary.
MIN_ATTACHMENT_CHARS = 300
LEFT_OUT_CHARS = 200  # kept back for the line naming what did not fit
LEFT_OUT_VALUE = "<left out: context_chars reached>"


class _Context:
    """``context_chars`` as one cap over everything a prompt attaches: ``{…}`` values and
    ``--vars`` blocks spend from the same total, at most ``per_object`` each."""

    def __init__(self, total: int, per_object: int, schema_only: bool) -> None:
        self.total = max(0, int(total))
        self.remaining = self.total
        self.per_object = per_object
        self.schema_only = schema_only

    def spend(self, text: str) -> str:
        self.remaining = max(0, self.remaining - len(text))
        return text

    def render(self, value: object) -> str:
        """One ``{…}`` value; strings go through render_value too (it masks key-shaped text)."""
        from ..context.render import render_value

        budget = min(self.per_object, self.remaining)
        if budget < len(LEFT_OUT_VALUE):
            return self.spend(LEFT_OUT_VALUE)
        return self.spend(render_value(value, max_chars=budget, schema_only=self.schema_only))


def build_content(
    shell: NamespaceLike,
    text: str,
    opts: Request,
    *,
    context_chars: int,
    object_chars: int,
    schema_only: bool,
) -> tuple[str | list[dict[str, Any]], Interpolation]:
    """The user turn for ``text``: a string, or content blocks when images or caching apply."""
    schema_only = schema_only or opts.schema_only
    context = _Context(context_chars, object_chars, schema_only)
    # Room for the line naming left-out --vars is kept from the {…} values too.
    held = min(context.remaining, LEFT_OUT_CHARS + 2) if opts.vars else 0
    context.remaining -= held
    if opts.no_interpolate:
        filled = Interpolation(text)
    else:
        filled = interpolate(text, shell.user_ns, context.render)
    context.remaining += held
    attachments = _attachments(shell, opts, context)
    prompt_text = "\n\n".join([*attachments, filled.text]) if attachments else filled.text
    images = _images(shell, opts)
    if not prompt_text.strip() and not images:
        raise UsageError("Empty prompt: write a question in the cell (or after %claude).")
    context_size = sum(size for _, _, size in filled.substituted) + sum(map(len, attachments))
    cache = opts.cache or context_size >= CACHE_MIN_CHARS
    if not images and not cache:
        return prompt_text, filled
    blocks: list[dict[str, Any]] = list(images)
    if prompt_text.strip():
        blocks.append({"type": "text", "text": prompt_text})
    if cache:
        blocks[-1]["cache_control"] = {"type": "ephemeral"}
    return blocks, filled


def _attachments(shell: NamespaceLike, opts: Request, context: _Context) -> list[str]:
    """One block per ``--vars`` name while the context budget lasts, whole or visibly cut;
    the names that did not fit are said in a last line, inside the same budget."""
    if not opts.vars:
        return []
    from ..context.render import render_attachment
    from ..context.text import truncate

    blocks, left = [], []
    for name in opts.vars:
        if name not in shell.user_ns:
            raise UsageError(f"--vars: no variable named {name!r} in this notebook.")
    for name in opts.vars:
        # Two characters join each block to the next; the last line keeps its room.
        budget = min(context.per_object, context.remaining - LEFT_OUT_CHARS - 2)
        if budget < MIN_ATTACHMENT_CHARS:
            left.append(name)
            continue
        block = render_attachment(
            name, shell.user_ns[name], max_chars=budget, schema_only=context.schema_only
        )
        blocks.append(context.spend(block))
        context.spend("\n\n")
    if left:
        note = (
            f"[--vars: {len(left):,} of {len(opts.vars):,} variables left out, "
            f"context_chars = {context.total:,} reached: {', '.join(left)}]"
        )
        room = min(LEFT_OUT_CHARS, context.remaining)
        blocks.append(context.spend(truncate(note, room)))
    return blocks


def _images(shell: NamespaceLike, opts: Request) -> list[dict[str, Any]]:
    if not opts.image and not opts.plot:
        return []
    from ..context import images

    blocks = [
        images.image_block(_image_source(shell, ref), shell=shell) for ref in opts.image or []
    ]
    if opts.plot:
        blocks.append(images.current_figure_block(shell))
    return blocks


def _image_source(shell: NamespaceLike, ref: str) -> Any:
    """``--image`` names a variable, an ``Out[n]`` entry, or a file path."""
    from .interpolate import _MISSING, _resolve

    value = _resolve(ref, shell.user_ns)
    return ref if value is _MISSING else value


def _redact_images(request: dict[str, Any]) -> dict[str, Any]:
    shown = copy.deepcopy(request)
    for message in shown.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            for block in content:
                source = block.get("source") if isinstance(block, dict) else None
                if isinstance(source, dict) and "data" in source:
                    source["data"] = f"<{len(source['data']):,} base64 characters>"
    return shown


def show_dry_run(
    shell: NamespaceLike,
    client: Anthropic | None,
    request: dict[str, Any],
    *,
    offline: bool = False,
) -> None:
    """Show exactly what would be sent, with the API's token count (``client`` may be ``None``
    when no credential resolves); send nothing else.  ``offline`` (replay mode): the count is
    a local estimate, since replay sends no request at all, not even a token count."""
    from ..core.frontend import is_rich_frontend
    from ..core.nomath import literal_inline

    count_args = {
        k: v for k, v in request.items() if k in ("model", "messages", "system", "thinking")
    }
    if offline:
        from .usage import estimate_tokens

        size = json.dumps(count_args, ensure_ascii=False, default=str)
        tokens = f"~{estimate_tokens(size):,} input tokens (a local estimate: replay mode asks the API nothing)"
    elif client is None:
        tokens = "No credential, so tokens can't be counted (run `%claude setup` or `%claude demo`)"
    else:
        try:
            tokens = f"{client.messages.count_tokens(**count_args).input_tokens:,} input tokens (counted by the API)"
        except Exception as exc:  # counting is advisory; the dry run itself must still show
            tokens = f"token count unavailable ({type(exc).__name__})"
    body = json.dumps(_redact_images(request), indent=2, ensure_ascii=False, default=str)
    header = f"Dry run: nothing was sent. {tokens}."
    if is_rich_frontend(shell):
        from IPython.display import display

        display(
            {
                "text/markdown": f"**{literal_inline(header)}**\n\n```json\n{body}\n```",
                "text/plain": f"{header}\n{body}",
            },
            raw=True,
        )
    else:
        print(header)
        print(body)
