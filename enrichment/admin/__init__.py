"""The review panel: the enrichment queue and its review page, the audit log, bulk operations,
provider health, the dashboard, the works list's enrichment triggers and filters, and the
author list's.

Everything here is presentation and wiring: decisions are services in `enrichment.review`,
`enrichment.revert` and `enrichment.bulk_operations`, views in `enrichment.views`, what the
pages show in `enrichment.presenters` and `enrichment.review_page`. Buttons and actions show
only to users with the permission, and every view checks it again on the server.
"""

from enrichment.admin import (  # noqa: F401 (importing registers the admins)
    audit,
    authors,
    backfill,
    bulk,
    cover_uploads,
    merges,
    providers,
    requests,
    works,
)
