"""The application logs' secret: the salt of hashed tag values."""

from __future__ import annotations

import dagster as dg
from pydantic import Field


class BizLogsResource(dg.ConfigurableResource):
    """Without a salt, a hashed user id or email can be found again by hashing guesses. Set
    it once: changing it changes every digest from then on."""

    hash_salt: str = Field(default="", repr=False, description="TA_BIZ_HASH_SALT")
