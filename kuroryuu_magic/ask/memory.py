"""Conversation threads: what earlier turns a request carries.

A thread is a list of completed turns (user content, assistant text).  A turn
is only recorded once an answer — complete or partial — exists, so the
messages sent always alternate user/assistant and never end on an orphan user
turn, whatever happened to the previous request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .usage import IMAGE_TOKENS
from .usage import estimate_tokens as estimate_tokens_of

Content = str | list[dict[str, Any]]

INTERRUPTED_MARK = "[answer interrupted]"
INCOMPLETE_MARK = "[answer incomplete: the stream failed]"


@dataclass
class Turn:
    user: Content
    assistant: str
    model: str = ""


@dataclass
class Thread:
    name: str
    turns: list[Turn] = field(default_factory=list)


# A thread that overflows the context window is a failed request; one trimmed a turn
# early costs little: the thread's budget errs high (about 3.5 characters a token).
MARGIN = 8 / 7


def estimate_tokens(content: Content) -> int:
    """A turn's tokens for the thread budget: ``usage.estimate_tokens`` with a margin."""
    if isinstance(content, str):
        return estimate_tokens_of(content, margin=MARGIN) + 4
    total = 4
    for block in content:
        if block.get("type") == "image":
            total += IMAGE_TOKENS
        else:
            total += estimate_tokens_of(str(block.get("text", "")), margin=MARGIN)
    return total


class ConversationStore:
    """Named threads for one kernel session."""

    def __init__(self) -> None:
        self._threads: dict[str, Thread] = {}

    def thread(self, name: str) -> Thread:
        return self._threads.setdefault(name, Thread(name))

    def names(self) -> list[str]:
        return [name for name, thread in self._threads.items() if thread.turns]

    def reset(self, name: str | None = None) -> int:
        """Forget one thread (or all with ``None``); the number of turns dropped."""
        if name is None:
            dropped = sum(len(t.turns) for t in self._threads.values())
            self._threads.clear()
            return dropped
        thread = self._threads.pop(name, None)
        return len(thread.turns) if thread else 0

    def record(self, name: str, turn: Turn) -> None:
        """Keep a turn that has an answer.  An empty answer records nothing."""
        if turn.assistant.strip():
            self.thread(name).turns.append(turn)

    def build_messages(
        self,
        name: str | None,
        user: Content,
        *,
        max_history: int,
        token_budget: int,
    ) -> tuple[list[dict[str, Any]], int]:
        """Messages for a new prompt and how many old turns the token budget forced out.

        Keeps at most ``max_history`` recent turns, then drops the oldest until
        the estimate fits ``token_budget``; the new prompt itself is never cut.
        """
        turns = self._threads[name].turns if name in self._threads else []
        kept = turns[-max_history:] if max_history > 0 else []
        dropped = 0  # only what the budget forced out; max_history is the user's own choice
        budget = token_budget - estimate_tokens(user)
        sizes = [estimate_tokens(t.user) + estimate_tokens(t.assistant) for t in kept]
        while kept and sum(sizes) > budget:
            kept, sizes = kept[1:], sizes[1:]
            dropped += 1
        messages: list[dict[str, Any]] = []
        cached_before = False
        for turn in kept:
            content, was_cached = _without_cache_marks(turn.user)
            cached_before = cached_before or was_cached
            messages.append({"role": "user", "content": content})
            messages.append({"role": "assistant", "content": turn.assistant.rstrip()})
        if cached_before:
            # Keep one breakpoint, on the newest turn: the API reads the cached
            # prefix from it and caps breakpoints at four.
            user = _with_cache_mark(user)
        messages.append({"role": "user", "content": user})
        return messages, dropped


def _without_cache_marks(content: Content) -> tuple[Content, bool]:
    if isinstance(content, str) or not any("cache_control" in b for b in content):
        return content, False
    return [{k: v for k, v in b.items() if k != "cache_control"} for b in content], True


def _with_cache_mark(content: Content) -> Content:
    blocks: list[dict[str, Any]] = (
        [{"type": "text", "text": content}]
        if isinstance(content, str)
        else [dict(b) for b in content]
    )
    blocks[-1]["cache_control"] = {"type": "ephemeral"}
    return blocks
