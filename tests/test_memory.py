"""Conversation threads: alternation, trimming, cache marks."""

from __future__ import annotations

from kuroryuu_magic.ask.memory import ConversationStore, Turn, estimate_tokens


def test_messages_alternate_and_end_with_the_new_prompt() -> None:
    store = ConversationStore()
    store.record("t", Turn("q1", "a1"))
    store.record("t", Turn("q2", "a2 "))
    messages, dropped = store.build_messages("t", "q3", max_history=10, token_budget=10_000)
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[3]["content"] == "a2"  # trailing whitespace trimmed for the API
    assert messages[-1]["content"] == "q3" and dropped == 0


def test_empty_answers_leave_no_orphan_turn() -> None:
    store = ConversationStore()
    store.record("t", Turn("q1", "   "))
    assert store.thread("t").turns == []


def test_max_history_keeps_recent_turns() -> None:
    store = ConversationStore()
    for i in range(5):
        store.record("t", Turn(f"q{i}", f"a{i}"))
    messages, _ = store.build_messages("t", "now", max_history=2, token_budget=10_000)
    assert [m["content"] for m in messages] == ["q3", "a3", "q4", "a4", "now"]


def test_budget_drops_oldest_turns_and_says_so() -> None:
    store = ConversationStore()
    for i in range(4):
        store.record("t", Turn("x" * 3500, f"a{i}"))
    messages, dropped = store.build_messages("t", "now", max_history=10, token_budget=2_500)
    assert dropped == 2 and len(messages) == 5


def test_no_history_thread_is_one_shot() -> None:
    store = ConversationStore()
    store.record("t", Turn("q", "a"))
    messages, _ = store.build_messages(None, "solo", max_history=10, token_budget=10_000)
    assert messages == [{"role": "user", "content": "solo"}]


def test_cache_marks_move_to_the_newest_turn() -> None:
    store = ConversationStore()
    cached = [{"type": "text", "text": "big context", "cache_control": {"type": "ephemeral"}}]
    store.record("t", Turn(cached, "a1"))
    messages, _ = store.build_messages("t", "follow-up", max_history=10, token_budget=10_000)
    assert "cache_control" not in messages[0]["content"][0]
    assert messages[-1]["content"] == [
        {"type": "text", "text": "follow-up", "cache_control": {"type": "ephemeral"}}
    ]


def test_reset_one_or_all() -> None:
    store = ConversationStore()
    store.record("a", Turn("q", "a"))
    store.record("b", Turn("q", "a"))
    assert store.reset("a") == 1 and store.names() == ["b"]
    assert store.reset(None) == 1 and store.names() == []


def test_estimate_counts_images() -> None:
    assert estimate_tokens([{"type": "image", "source": {}}]) > 1_000
