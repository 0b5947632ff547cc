"""The text of ``%claude help``."""

from __future__ import annotations

HELP = """\
%%claude [options]      the cell is the prompt; {name} pulls in notebook values
%claude [options] TEXT  a one-line prompt
%claude setup           add an Anthropic API key (kept out of the notebook)
%claude login           OAuth diagnostics: why a Claude subscription can't be used here
%claude logout          delete the stored OAuth tokens
%claude status          credential source (masked), base URL, model, threads, usage
%claude models          models the API offers
%claude history [-c T]  show a conversation thread;  %claude reset [-c T | --all]
%claude usage           tokens and estimated cost this session, per model
%claude fix             explain the last error and propose a corrected cell
%claude batch ID        fetch the results of a Message Batch (or a split batch's group id)
%claude cache [clear [--older-than DAYS]]  the answer cache: size, entries, hits; clear it
Options: see `%%claude?`."""
