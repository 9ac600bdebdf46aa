"""Every write, one module per feature: validate, change, write the Revision, flush; never
commit (the face commits once, through `transaction.commit`).

The faces (curate, api, workshop, cli) and the scrapers import from here only:

- claims: create, edit and the review workflow of claims
- platforms: the editor of platform-like entries, and platforms with their host rules
- vendors: vendors, through the same editor
- changes: changes waiting for review, publishing them, restoring an earlier version
- proposals: user suggestions and scrapers' findings, accepting and dismissing them
- sources: link-check results and archived copies
- users: accounts, passwords, sessions
- imports: dataset files written to the database (seed, import)
- common, review, transaction: errors and checks, the review gate, the commit
"""

from ..records import record_of
from .changes import (
    ENTITY_MODELS,
    PENDING_ACTIONS,
    change_entity,
    pending_changes,
    publish_change,
    revert,
    revert_target,
    review_change,
    withdraw_change,
)
from .claims import (
    TRANSITIONS,
    allowed_actions,
    can_edit_claim,
    change_claim_status,
    create_claim,
    suggest_claim_key,
    update_claim,
)
from .common import (
    Conflict,
    Forbidden,
    Invalid,
    OperationError,
    StaleChange,
    Unavailable,
    flat_messages,
    forget_public_change,
    public_changed,
    review_required,
)
from .imports import ImportReport, import_dataset, import_files
from .platforms import create_platform, update_platform
from .proposals import (
    accept_proposal,
    create_suggestion,
    dismiss_proposal,
    proposal_change,
    proposed_record,
    queue_proposals,
)
from .review import needs_review
from .sources import archive_sources, record_check, record_checks, set_archive_url
from .transaction import commit, rollback
from .users import (
    authenticate,
    change_password,
    create_user,
    hash_password,
    new_session_token,
    normalise_email,
    password_fingerprint,
    update_user,
)
from .vendors import create_vendor, update_vendor

__all__ = [
    "ENTITY_MODELS", "PENDING_ACTIONS", "TRANSITIONS", "Conflict", "Forbidden",
    "ImportReport", "Invalid", "OperationError", "StaleChange", "Unavailable", "accept_proposal",
    "archive_sources",
    "allowed_actions", "authenticate", "can_edit_claim", "change_claim_status", "change_entity",
    "change_password", "commit", "create_claim", "create_platform", "create_suggestion",
    "create_user", "create_vendor", "dismiss_proposal", "flat_messages",
    "forget_public_change", "hash_password", "import_dataset", "import_files", "needs_review",
    "new_session_token", "normalise_email", "password_fingerprint", "pending_changes",
    "proposal_change", "proposed_record", "public_changed", "publish_change", "queue_proposals",
    "record_check", "record_checks", "record_of", "revert", "revert_target", "review_change",
    "review_required", "rollback", "set_archive_url", "suggest_claim_key", "update_claim",
    "update_platform", "update_user", "update_vendor", "withdraw_change",
]
