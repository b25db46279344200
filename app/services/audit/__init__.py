"""The audit trail: every change and every read of plan content, as events of one hash chain.

`events` writes an event in the caller's transaction; `sequencer` links committed events into the
chain; `integrity` verifies the chain and signs checkpoints; `search` and `contributions` are the
officer's views of it.
"""

from app.services.audit.events import (
    CHAINED_FIELDS,
    GENESIS_HASH,
    HASH_VERSION,
    canonical_form,
    canonical_json,
    canonical_time,
    fields_of,
    hash_of,
    plan_id_of,
    reason_digest,
    record,
    with_words,
    words_match,
)

__all__ = [
    "CHAINED_FIELDS",
    "GENESIS_HASH",
    "HASH_VERSION",
    "canonical_form",
    "canonical_json",
    "canonical_time",
    "fields_of",
    "hash_of",
    "plan_id_of",
    "reason_digest",
    "record",
    "with_words",
    "words_match",
]
