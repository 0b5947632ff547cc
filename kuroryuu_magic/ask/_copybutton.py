"""Code shown with a copy-to-clipboard button, for front ends that ignore ``set_next_input``.

VS Code and Colab render outputs in sandboxed iframes where the async
clipboard API may be missing or refused, so the button falls back to
``execCommand('copy')`` on a temporary textarea and, failing that, selects the
code so Ctrl/Cmd+C finishes the job.  The code travels only as escaped HTML
text, never inside the script, so no code can break out of the markup.
"""

from __future__ import annotations

import html

_SCRIPT = (
    "(function(b){"
    "var box=b.closest('.kuroryuu-code');var code=box.querySelector('code');"
    "var t=code.textContent;"
    "function say(m){b.textContent=m;setTimeout(function(){b.textContent='Copy'},1600);}"
    "function manual(){var r=document.createRange();r.selectNodeContents(code);"
    "var s=window.getSelection();s.removeAllRanges();s.addRange(r);say('Press Ctrl+C');}"
    "function legacy(){var a=document.createElement('textarea');a.value=t;"
    "a.setAttribute('readonly','');a.style.position='fixed';a.style.opacity='0';"
    "document.body.appendChild(a);a.select();var ok=false;"
    "try{ok=document.execCommand('copy');}catch(e){}"
    "document.body.removeChild(a);if(ok){say('Copied');}else{manual();}}"
    "if(navigator.clipboard&&window.isSecureContext){"
    "navigator.clipboard.writeText(t).then(function(){say('Copied');},legacy);}"
    "else{legacy();}"
    "})(this)"
)

_BUTTON_STYLE = (
    "position:absolute;top:4px;right:4px;padding:2px 8px;font-size:12px;"
    "cursor:pointer;border:1px solid #999;border-radius:4px;background:#f6f6f6;color:#222"
)
_PRE_STYLE = "margin:0;padding:8px 64px 8px 8px;overflow:auto;white-space:pre"


def copy_button_html(code: str) -> str:
    """HTML: ``code`` in a ``<pre>`` with a working Copy button (JupyterLab, VS Code, Colab)."""
    escaped = html.escape(code, quote=True)
    return (
        '<div class="kuroryuu-code" style="position:relative">'
        f'<button type="button" title="Copy to clipboard" style="{_BUTTON_STYLE}" '
        f'onclick="{html.escape(_SCRIPT, quote=True)}">Copy</button>'
        f'<pre style="{_PRE_STYLE}"><code>{escaped}</code></pre>'
        "</div>"
    )
