"""The canonical store: database access, the bulk merge, batch commits, hierarchy and migrations."""

from __future__ import annotations

from canonical_model.store.batch import (
    BatchCommit,
    QuarantineRow,
    add_stream_counts,
    commit_batch,
    finish_run,
    load_all_states,
    load_state,
    start_run,
)
from canonical_model.store.database import create_engine, database_errors, redacted_url, resolve_url
from canonical_model.store.hierarchy import (
    is_in_subtree,
    refresh_dealer_closure,
    subtree_codes,
    subtree_select,
)
from canonical_model.store.merge import MERGE_METHOD_FOR_DIALECT, MergeResult, merge_rows, soft_delete_missing

__all__ = [
    "MERGE_METHOD_FOR_DIALECT",
    "BatchCommit",
    "MergeResult",
    "QuarantineRow",
    "add_stream_counts",
    "commit_batch",
    "create_engine",
    "database_errors",
    "finish_run",
    "is_in_subtree",
    "load_all_states",
    "load_state",
    "merge_rows",
    "redacted_url",
    "refresh_dealer_closure",
    "resolve_url",
    "soft_delete_missing",
    "start_run",
    "subtree_codes",
    "subtree_select",
]
