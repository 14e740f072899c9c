"""Korean first, English beside it: locale choice and message catalogs."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import has_app_context, request, session
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

PACKAGE_DIR = Path(__file__).resolve().parent
LANGUAGES = {"ko": "한국어", "en": "English"}


def select_locale() -> str:
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LANGUAGES else "ko"


def current_lang() -> str:
    """The language a page renders in ("ko" or "en"): what Flask-Babel chose for this request."""
    return "en" if str(get_locale()) == "en" else "ko"


def request_lang() -> str:
    """The language of an API answer: `?lang=en|ko`, else the Accept-Language header, else
    Korean (an API client has no session to remember a choice in)."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default="ko") or "ko"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention pybabel extracts by default
    """Marks an English sentence as a catalog message without translating it yet: tables of
    messages (an error's sentence per code) are defined once at import and rendered later, in
    whichever language the reader needs (`translate`)."""
    return message


def translate(message: str, lang: str, **params: object) -> str:
    """`message` (an English msgid) in `lang`, with `%(name)s` parameters filled in.

    Inside an app context this is Flask-Babel's gettext under `force_locale`, so it reads the
    app's catalogs and cache. Outside one (a thread, a script, a test without an app) the same
    compiled catalogs are read directly, so an error's message is the same sentence wherever it
    is rendered. A parameter that is itself bilingual (it has `message(lang)`, like a grader
    HostError or another DocklabError) is rendered in the same language."""
    values = {name: value.message(lang) if hasattr(value, "message") else value
              for name, value in params.items()}
    if has_app_context():
        with force_locale(lang):
            return _(message, **values)
    text = _catalogs(lang).gettext(message)
    return text % values if values else text


@lru_cache(maxsize=len(LANGUAGES))
def _catalogs(lang: str) -> NullTranslations:
    merged = Translations()
    for directory in translation_directories():
        merged.merge(Translations.load(directory, [lang]))
    return merged


def translation_directories() -> list[str]:
    """One catalog per area (docklab/translations, docklab/<area>/translations), merged."""
    return [str(path) for path in sorted(PACKAGE_DIR.glob("**/translations")) if path.is_dir()]


def role_name(role: str) -> str:
    """A role in the reader's language ("student" → "학생"), never the raw value."""
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
