"""The README's *Configuration* tables name every variable the settings read, and nothing the
settings do not read: an operator who reads them knows every switch there is.

The variables read are found in the code itself (django-environ's `env.*("NAME", …)` and
`os.environ.get("NAME")` in the settings modules and gunicorn.conf.py), not listed here.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULES = [
    ROOT / "bookstore" / "settings.py",
    ROOT / "bookstore" / "storage_settings.py",
    ROOT / "gunicorn.conf.py",
    ROOT / "catalog" / "management" / "commands" / "ensure_admin.py",  # ADMIN_PASSWORD
]
ENV_CALL = re.compile(r"^(env(\.\w+)?|os\.environ\.get)$")


def variables_read() -> set[str]:
    names = set()
    for path in SETTINGS_MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if ENV_CALL.match(ast.unparse(node.func)):
                names.add(first.value)
    return names


def configuration_rows() -> set[str]:
    """The variables named in the first column of the Configuration section's tables; a row
    of a family (`<PROVIDER>_RATE`) names its members' prefixes in its last column."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## Production\n", 1)[0]
    names = set()
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = line.split("|")
        for name in re.findall(r"`([^`]+)`", cells[1]):
            if name.startswith("<PROVIDER>_"):
                prefixes = re.findall(r"`([A-Z_]+)`", cells[-2])
                names.update(name.replace("<PROVIDER>", prefix) for prefix in prefixes)
            else:
                names.add(name)
    return names


def test_every_variable_the_settings_read_is_in_the_readme():
    read = variables_read()
    assert {"DATABASE_URL", "OPENLIBRARY_URL", "WEB_CONCURRENCY"} <= read  # the scan works
    missing = read - configuration_rows()
    assert not missing, f"read by the settings, not in the README's Configuration: {missing}"


def test_every_variable_in_the_readme_is_read_by_the_settings():
    unknown = configuration_rows() - variables_read()
    assert not unknown, f"in the README's Configuration, read by no setting: {unknown}"
