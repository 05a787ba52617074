"""Who may do what with imports: one rule each, used by the views, the admin and the templates.

The catalog is shared, so every importer sees every job; changing someone else's job (cancel,
retry) and reading someone else's uploaded file (a personal reading list) need more.
"""

IMPORT_PERMISSION = "catalog.import_books"
MANAGE_OTHERS_IMPORTS_PERMISSION = "catalog.manage_others_imports"
VIEW_IMPORTS_PERMISSION = "catalog.view_importjob"


def _is_uploader(user, job) -> bool:
    return job.uploaded_by_id is not None and job.uploaded_by_id == user.pk


def user_can_import(user) -> bool:
    return user.has_perm(IMPORT_PERMISSION)


def user_can_view_imports(user) -> bool:
    """Every job and every row of it: importers see them all (the catalog is shared)."""
    return user.has_perm(VIEW_IMPORTS_PERMISSION) or user_can_import(user)


def user_can_manage_import(user, job) -> bool:
    """Cancel or retry: an importer may always act on their own job; someone else's (or one
    started from the command line) needs manage_others_imports."""
    return user_can_import(user) and (
        _is_uploader(user, job) or user.has_perm(MANAGE_OTHERS_IMPORTS_PERMISSION)
    )


def user_can_read_import_cells(user, job) -> bool:
    """The uploaded file and its rows' cells are a personal reading list (reviews, private
    notes): its uploader's, and those who may view import jobs. Importing alone lets a user see
    every job and what its rows became in the shared catalog, never what they held."""
    return _is_uploader(user, job) or user.has_perm(VIEW_IMPORTS_PERMISSION)


def user_can_download_import_file(user, job) -> bool:
    return user_can_read_import_cells(user, job)


def user_can_correct_import_row(user, job) -> bool:
    """Correct a failed row's cells and re-run it: manage the job, and read its cells (the form
    shows them)."""
    return user_can_manage_import(user, job) and user_can_read_import_cells(user, job)
