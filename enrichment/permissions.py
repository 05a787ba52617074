"""Who may do what with enrichment: one rule each, used by the admin and the JSON API."""

REVIEW_PERMISSION = "enrichment.review_enrichment"
REVERT_PERMISSION = "enrichment.revert_enrichment"
VIEW_BULK_OPERATIONS_PERMISSION = "enrichment.view_bulkoperation"


def user_can_view_bulk_operations(user) -> bool:
    """Holders of "view bulk operation", and reviewers: they start bulk operations, so they may
    always follow them."""
    return user.has_perm(VIEW_BULK_OPERATIONS_PERMISSION) or user.has_perm(REVIEW_PERMISSION)
