"""Cross-origin by design: what a host answers the newsroom pages that run the player.

The player on ``https://www.gazette.example/…`` fetches ``embed/<slug>.json``, the lookup files
and the WebVTT transcript from the show's host: another origin, so the host must say CORS yes to
the ``[embed] origins`` (GET and HEAD; ``Range`` may be asked; the lengths and ranges readable).
One rule, here, for the S3 bucket ``invoke publish`` configures and for ``invoke serve``.
"""
from __future__ import annotations

RULE_ID = "balado-embed"  # our rule among the bucket's: the others are left as they are
METHODS = ("GET", "HEAD")
ALLOWED_HEADERS = ("Range",)
EXPOSED_HEADERS = ("Content-Length", "Content-Range", "Accept-Ranges")
MAX_AGE_SECONDS = 86400  # how long a browser may keep a preflight's answer


def bucket_rule(origins: tuple[str, ...]) -> dict:
    """The S3 CORS rule (``PutBucketCors``'s shape) for ``origins``."""
    return {"ID": RULE_ID, "AllowedMethods": list(METHODS), "AllowedOrigins": list(origins),
            "AllowedHeaders": list(ALLOWED_HEADERS), "ExposeHeaders": list(EXPOSED_HEADERS),
            "MaxAgeSeconds": MAX_AGE_SECONDS}


def with_rule(rules: list[dict], origins: tuple[str, ...]) -> list[dict]:
    """A bucket's ``rules`` with ours in place of any earlier version of it."""
    return [r for r in rules if r.get("ID") != RULE_ID] + [bucket_rule(origins)]


def same_rules(a: list[dict], b: list[dict]) -> bool:
    """Equal as S3 applies them: rule order counts, the order inside each list does not."""
    def shape(rule: dict) -> dict:
        return {k: sorted(v) if isinstance(v, list) else v for k, v in rule.items()}
    return [shape(r) for r in a] == [shape(r) for r in b]


def allowed_origin(origins: tuple[str, ...], origin: str | None) -> str | None:
    """The ``Access-Control-Allow-Origin`` to answer a request from ``origin`` (None: no CORS)."""
    if not origin:
        return None
    if "*" in origins:
        return "*"
    return origin if origin.rstrip("/").lower() in origins else None


def response_headers(origins: tuple[str, ...], origin: str | None) -> list[tuple[str, str]]:
    """CORS headers of a GET/HEAD answer (an error's too: the player tells a 404 lookup from a fault)."""
    allowed = allowed_origin(origins, origin)
    if allowed is None:
        return [("Vary", "Origin")] if origins and "*" not in origins else []
    vary = [] if allowed == "*" else [("Vary", "Origin")]
    return [("Access-Control-Allow-Origin", allowed), ("Access-Control-Expose-Headers", ", ".join(EXPOSED_HEADERS)),
            *vary]


def preflight_headers(origins: tuple[str, ...], origin: str | None, method: str | None) -> list[tuple[str, str]]:
    """The answer to an ``OPTIONS`` preflight: allowed for a listed origin asking GET or HEAD."""
    allowed = allowed_origin(origins, origin)
    if allowed is None or (method or "").upper() not in METHODS:
        return []
    return [("Access-Control-Allow-Origin", allowed), ("Access-Control-Allow-Methods", ", ".join(METHODS)),
            ("Access-Control-Allow-Headers", ", ".join(ALLOWED_HEADERS)),
            ("Access-Control-Max-Age", str(MAX_AGE_SECONDS)), *([] if allowed == "*" else [("Vary", "Origin")])]
