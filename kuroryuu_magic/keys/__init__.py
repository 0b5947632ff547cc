"""The Anthropic API key: where it is looked up, how it is stored and entered.

Shaped like ``oauth``: the credential chain (``chain``), the key store
(``_store``: keyring or the 0600 key file), the key's shape (``_shape``), the
panel (``panel``) and the terminal setup (``_terminal``).

May import ``core`` only.
"""
