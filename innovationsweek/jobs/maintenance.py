"""Housekeeping jobs."""

from __future__ import annotations

from datetime import timedelta

from innovationsweek import runtime
from innovationsweek.accounts import service as accounts

# Expired and revoked tokens are kept a while so that "token expired" can still be told apart
# from "token unknown" in logs, then removed.
KEEP_EXPIRED_TOKENS = timedelta(days=7)


def purge_expired_tokens() -> int:
    with runtime.current().database.unit_of_work() as session:
        return accounts.purge_expired_tokens(session, older_than=KEEP_EXPIRED_TOKENS)


def purge_expired_sign_ups() -> int:
    with runtime.current().database.unit_of_work() as session:
        return accounts.purge_expired_sign_ups(session)
