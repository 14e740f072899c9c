"""Korean first, English beside it: locale choice and message catalogs."""
from __future__ import annotations

from pathlib import Path

from flask import request, session

PACKAGE_DIR = Path(__file__).resolve().parent
LANGUAGES = {"ko": "한국어", "en": "English"}


def request_lang() -> str:
    """The language of an answer that has no session (the API): `?lang=en|ko`, else the
    Accept-Language header, else Korean."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default="ko") or "ko"


def select_locale() -> str:
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LANGUAGES else "ko"


def translation_directories() -> list[str]:
    """One catalog per area (docklab/translations, docklab/<area>/translations), merged."""
    return [str(path) for path in sorted(PACKAGE_DIR.glob("**/translations")) if path.is_dir()]


def role_name(role: str) -> str:
    """A role in the reader's language ("student" → "학생"), never the raw value."""
    from flask_babel import gettext as _

    names = {"student": _("student"), "instructor": _("instructor"),
             "admin": _("administrator")}
    return names.get(str(role), str(role))


def compile_catalogs() -> int:
    """Compile every .po into .mo when the .mo is missing or older. Returns how many compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = 0
    for po_path in PACKAGE_DIR.glob("**/translations/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        compiled += 1
    return compiled


if __name__ == "__main__":  # `python -m docklab.i18n` from make install and the Dockerfile
    print(f"compiled {compile_catalogs()} message catalog(s)")
