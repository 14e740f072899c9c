"""The language of an API answer: `?lang=en|ko`, else the Accept-Language header, else Korean."""
from flask import request


def request_lang() -> str:
    chosen = request.args.get("lang")
    if chosen in ("ko", "en"):
        return chosen
    return request.accept_languages.best_match(["ko", "en"], default="ko") or "ko"
