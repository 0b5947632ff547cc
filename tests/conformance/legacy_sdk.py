"""Run inside the legacy venv (an ``anthropic`` 1.x SDK, which sends ``2023-06-01``).

Usage: ``python legacy_sdk.py CASE`` with ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY set;
prints one JSON object: what the SDK returned, or the error it raised.  The test in
the project venv scripts the fake and checks the result.
"""

from __future__ import annotations

import json
import sys

import anthropic

MODEL = "claude-sonnet-4-6"
USER = [{"role": "user", "content": "What is 2 + 3?"}]
ADD = {
    "name": "add",
    "description": "Add two integers",
    "input_schema": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
}


def main(case: str) -> dict:
    client = anthropic.Anthropic(max_retries=0)
    out: dict = {"sdk": anthropic.__version__}
    if case == "basic":
        # 1.x dropped the sampling keywords from create(); users pass them as extra_body.
        msg = client.messages.create(
            model=MODEL, max_tokens=200, messages=USER, extra_body={"temperature": 0.2}
        )
        out.update(text=msg.content[0].text, stop=msg.stop_reason)
    elif case == "stream":
        with client.messages.stream(
            model=MODEL, max_tokens=200, messages=USER, extra_body={"top_k": 5}
        ) as s:
            pieces = list(s.text_stream)
            final = s.get_final_message()
        out.update(pieces=len(pieces), text="".join(pieces), stop=final.stop_reason)
    elif case == "tool":
        first = client.messages.create(
            model=MODEL, max_tokens=300, tools=[ADD], messages=USER, extra_body={"temperature": 0}
        )
        call = next(b for b in first.content if b.type == "tool_use")
        result = call.input["a"] + call.input["b"]
        second = client.messages.create(
            model=MODEL,
            max_tokens=300,
            tools=[ADD],
            messages=[
                *USER,
                {"role": "assistant", "content": [b.model_dump() for b in first.content]},
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": call.id, "content": str(result)}
                    ],
                },
            ],
        )
        out.update(first_stop=first.stop_reason, call=call.name, text=second.content[0].text)
    elif case == "errors":
        for name, kwargs in {
            "retired": {"model": "claude-sonnet-4-5"},
            "temperature": {"extra_body": {"temperature": 1.5}},
        }.items():
            try:
                client.messages.create(
                    **{"model": MODEL, "max_tokens": 10, "messages": USER, **kwargs}
                )
                out[name] = None
            except anthropic.APIStatusError as exc:
                out[name] = [exc.status_code, type(exc).__name__, exc.body["error"]["message"]]
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
