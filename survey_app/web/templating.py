"""Jinja2 environment and `render`: one URL serves the page or, for an htmx request, its fragment."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from survey_app import clock, i18n
from survey_app.i18n import N_
from survey_app.services.grades.presentation import verdict
from survey_app.web.labels import (
    ACTION_LABELS,
    ACTOR_LABELS,
    CERTIFICATE_STATUS,
    CHANGE_LABELS,
    CHANNEL_LABELS,
    CRITERION_SOURCES,
    DECISION_KINDS,
    DECISION_LABELS,
    EVIDENCE_FLAGS,
    FAMILY_LABELS,
    FINDING_MOVES,
    FINDING_STATES,
    FINDING_TYPES,
    JOB_LABELS,
    JOB_STATES,
    KIND_LABELS,
    MODE_LABELS,
    OUTCOME_LABELS,
    REMINDER_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TASK_LABELS,
    VISIT_STATUS_LABELS,
)
from survey_app.web.messages import error_message


def make_environment(templates_dir: Path) -> Environment:
    """Create the shared Jinja2 environment with the i18n extension wired to the request's locale."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["url_for"] = url_for
    env.globals["verdict"] = verdict
    env.globals["time_range"] = time_range
    env.filters["localtime"] = localtime
    env.filters["zone_name"] = i18n.zone_name
    env.filters["reason_lines"] = reason_lines
    env.filters["device_name"] = device_name
    env.filters["action_label"] = lambda action: i18n.gettext(
        ACTION_LABELS.get(action) or N_("change recorded")
    )
    env.filters["actor_label"] = _labeller(ACTOR_LABELS)
    env.filters["local"] = local_text
    env.filters["tr"] = translated
    env.filters["role_label"] = lambda role: i18n.gettext(ROLE_LABELS.get(role) or role)
    env.filters["change_label"] = lambda verdict: i18n.gettext(CHANGE_LABELS.get(verdict) or verdict)
    env.filters["error_message"] = error_message
    env.filters["channel_label"] = lambda channel: i18n.gettext(CHANNEL_LABELS.get(channel) or channel)
    for name, labels in (
        ("status_label", STATUS_LABELS),
        ("outcome_label", OUTCOME_LABELS),
        ("decision_label", DECISION_LABELS),
        ("family_label", FAMILY_LABELS),
        ("task_label", TASK_LABELS),
        ("mode_label", MODE_LABELS),
        ("job_label", JOB_LABELS),
        ("job_state", JOB_STATES),
        ("visit_status", VISIT_STATUS_LABELS),
        ("evidence_flag", EVIDENCE_FLAGS),
        ("cert_status", CERTIFICATE_STATUS),
        ("kind_label", KIND_LABELS),
        ("finding_type", FINDING_TYPES),
        ("criterion_source", CRITERION_SOURCES),
        ("finding_state", FINDING_STATES),
        ("finding_move", FINDING_MOVES),
        ("decision_kind", DECISION_KINDS),
        ("reminder_label", REMINDER_LABELS),
    ):
        env.filters[name] = _labeller(labels)
    return env


@pass_context
def url_for(context: Context, name: str, /, **params: Any) -> str:
    """The path of a named route (absolute URLs for print are built from MINGCHA_BASE_URL elsewhere)."""
    request: Request = context["request"]
    return str(request.app.url_path_for(name, **{k: str(v) for k, v in params.items()}))


def local_text(obj: Any, field: str) -> str:
    """`obj.<field>_zh` or `obj.<field>_en` in the reader's language (English falls back to Chinese)."""
    zh = getattr(obj, f"{field}_zh", "") or ""
    en = getattr(obj, f"{field}_en", "") or ""
    return i18n.pick(zh, en)


def translated(label: Any) -> str:
    """A {zh, en} label (a mapping or a forms Label) in the reader's language."""
    if isinstance(label, dict):
        return i18n.pick(str(label.get("zh") or ""), str(label.get("en") or ""))
    return i18n.pick(getattr(label, "zh", "") or "", getattr(label, "en", "") or "")


DEFAULT_TIMEZONE = "Asia/Shanghai"


def _labeller(labels: dict[str, str]) -> Any:
    return lambda key: i18n.gettext(labels.get(str(key)) or str(key))


def localtime(value: datetime | None, tz: str | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """The `localtime` filter: a stored UTC time in a campaign's time zone (the configured default zone
    otherwise)."""
    return clock.localtime(value, tz or DEFAULT_TIMEZONE, fmt)


def time_range(start: datetime | None, end: datetime | None, tz: str | None = None) -> str:
    """A window in the campaign's zone: "12-02 11:00–13:00" within a day, "12-02 11:00 – 12-04 13:00" across
    days, with the year when it is not the same year."""
    zone = tz or DEFAULT_TIMEZONE
    if start is None or end is None:
        return clock.localtime(start or end, zone)
    day = "%Y-%m-%d" if clock.localtime(start, zone, "%Y") != clock.localtime(end, zone, "%Y") else "%m-%d"
    begins = clock.localtime(start, zone, f"{day} %H:%M")
    if clock.localtime(start, zone, "%Y-%m-%d") == clock.localtime(end, zone, "%Y-%m-%d"):
        return f"{begins}–{clock.localtime(end, zone, '%H:%M')}"
    return f"{begins} – {clock.localtime(end, zone, f'{day} %H:%M')}"


def action_label(action: str) -> str:
    """What an audit row records, in words (never the stored code)."""
    return i18n.gettext(ACTION_LABELS.get(action) or N_("change recorded"))


_BROWSERS = (
    ("MicroMessenger", N_("WeChat")),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", N_("iPhone")),
    ("iPad", N_("iPad")),
    ("Windows", "Windows"),
    ("Mac OS X", N_("Mac")),
    ("Linux", "Linux"),
)


def device_name(user_agent: str | None) -> str:
    """A browser's self-description as a person would say it ("Chrome on Android"), never the raw string."""
    text = user_agent or ""
    browser = next((i18n.gettext(name) for key, name in _BROWSERS if key in text), "")
    system = next((i18n.gettext(name) for key, name in _SYSTEMS if key in text), "")
    if browser and system:
        return i18n.gettext(N_("%(browser)s on %(system)s")) % {"browser": browser, "system": system}
    return browser or system or i18n.gettext(N_("an unknown device"))


def reason_lines(reasons: Any, limit: int | None = None) -> list[str]:
    """Flag reasons in the reader's language, each once (two rules can word the same finding alike)."""
    lines = list(dict.fromkeys(t for t in (translated(r).strip() for r in reasons or []) if t))
    return lines[:limit] if limit else lines


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_text(request: Request, name: str, context: dict[str, Any] | None = None) -> str:
    """A template rendered for this request (its locale, url_for) as text."""
    locale = getattr(request.state, "locale", None) or i18n.negotiate(request)
    ctx = {"request": request, "locale": locale, "lang_attr": "zh-CN" if locale == "zh_CN" else "en"}
    ctx.update(context or {})
    text: str = request.app.state.templates.get_template(name).render(ctx)
    return text


def render(
    request: Request,
    page: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `page`, or `fragment` when htmx asked; always `Vary: HX-Request`."""
    html = render_text(request, fragment if fragment and is_htmx(request) else page, context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response
