"""Startup checks for settings whose mistakes would only show up under load, or in public."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def q_cluster_retry_exceeds_timeout(app_configs, **kwargs):
    cluster = settings.Q_CLUSTER
    timeout, retry = cluster.get("timeout"), cluster.get("retry")
    if timeout is not None and retry is not None and retry <= timeout:
        return [
            Error(
                f"Q_CLUSTER retry ({retry}s) must be greater than timeout ({timeout}s).",
                hint="Otherwise the broker hands a slow task to a second worker while the first "
                "is still running it. Raise Q_RETRY or lower Q_TIMEOUT.",
                id="bookstore.E001",
            )
        ]
    return []


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _prefix_inside(prefix: str, root: str) -> bool:
    # An empty root is the bucket itself: covers at the root and imports under their own prefix
    # are separate (their objects' ACLs differ; README: scope a public bucket policy).
    prefix, root = prefix.strip("/"), root.strip("/")
    return bool(root) and (prefix == root or prefix.startswith(f"{root}/"))


@register()
def import_storage_is_private(app_configs, **kwargs):
    """Uploaded exports are personal data: their storage must be one nothing serves."""
    from django.core.files.storage import FileSystemStorage, storages

    from catalog.storage import IMPORT_STORAGE_ALIAS

    hint = (
        "Set IMPORT_STORAGE_LOCATION to a directory outside MEDIA_ROOT and STATIC_ROOT "
        "(filesystem), or IMPORT_STORAGE_PREFIX / IMPORT_STORAGE_BUCKET_NAME to a private "
        "prefix or bucket (S3)."
    )
    if IMPORT_STORAGE_ALIAS not in settings.STORAGES:
        return [Error('STORAGES has no "imports" storage.', hint=hint, id="bookstore.E002")]
    imports, default = storages[IMPORT_STORAGE_ALIAS], storages["default"]
    problems = []
    if isinstance(imports, FileSystemStorage):
        location = Path(imports.location).resolve()
        served = {Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)}
        if isinstance(default, FileSystemStorage):
            served.add(Path(default.location))
        for root in served:
            root = root.resolve()
            if _inside(location, root):
                problems.append(
                    f"The import storage ({location}) is inside {root}, which is served."
                )
    elif hasattr(imports, "bucket_name"):  # django-storages' S3
        problems.extend(_s3_import_storage_problems(imports, default))
    return [Error(problem, hint=hint, id="bookstore.E002") for problem in problems]


def _s3_import_storage_problems(imports: Any, default: Any) -> list[str]:
    """What makes an S3 import storage public. Both are django-storages' S3 storages (the
    default one maybe not), which ship no types: hence Any."""
    problems = []
    object_acl = (getattr(imports, "object_parameters", None) or {}).get("ACL", "")
    if str(imports.default_acl or object_acl).startswith("public"):
        problems.append("The import storage gives uploaded files a public ACL.")
    if imports.custom_domain:
        problems.append("The import storage serves files through a custom domain (a CDN).")
    if not imports.querystring_auth:
        problems.append("The import storage makes unsigned URLs.")
    if not imports.location.strip("/"):
        problems.append("The import storage has no key prefix of its own.")
    elif getattr(default, "bucket_name", None) == imports.bucket_name and (
        _prefix_inside(imports.location, default.location)
        or _prefix_inside(default.location, imports.location)
    ):
        problems.append(
            f"The import prefix {imports.location!r} overlaps the covers' prefix "
            f"{default.location!r} in the same bucket."
        )
    return problems
