"""One settings object, read from the environment by the app factory (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from forms.numbers import whole_number

if TYPE_CHECKING:
    from survey_app.keyring import Keyring

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_FILE = "secret_key"
DEV_DATA_KEY_FILE = "data_key"


class SettingsError(ValueError):
    """The environment describes an unusable configuration."""


@dataclass(frozen=True)
class Settings:
    env: str = "dev"
    var_dir: Path = ROOT / "var"
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    default_timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    max_body_bytes: int = 64 * 1024
    hard_body_bytes: int = 1024 * 1024
    max_text_chars: int = 2000
    templates_dir: Path = ROOT / "templates"
    static_dir: Path = ROOT / "static"
    https_only: bool = False
    cjk_font: str = ""
    ratelimit_storage: str = "memory://"
    data_key: str = ""
    queue_url: str = ""  # huey storage: sqlite:///var/jobs.db (default), redis://..., memory://
    queue_name: str = "mingcha"  # several deployments may share one Redis: give each its own name
    embedded_worker: bool = False  # `serve` starts a worker process beside the app (unless --no-worker)
    login_failure_delay: float = 0.5  # seconds a failed login waits (slows guessing, locks nobody out)
    contact_retention_days: int = 90
    replay_retention_days: int = 30  # outbox replay keys (web.outbox), then swept by the worker
    session_hours: int = 12  # a staff session ends this long after login, however active (idle: 2 hours)
    behind_proxy: bool = False  # `serve --behind-proxy`: client addresses come from X-Forwarded-For
    api_rate: str = "120/minute"  # requests per API token (a `limits` rate string)
    smtp_url: str = field(default="", repr=False)  # the reminder digest's mail server; "" sends nothing
    mail_from: str = "mingcha@localhost"
    min_cell: int = 5  # a breakdown cell (building x dimension) with fewer responses is hidden
    grade_inline_limit: int = 50_000  # larger campaigns are graded by the job worker for the report page
    signing_keys: Path = (
        ROOT / "var" / "signing_keys.json"
    )  # the keyring (survey_app.keyring), outside the database
    signing_keyring: str = field(default="", repr=False)  # or the keyring itself, from the environment

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from MINGCHA_* variables (and DATABASE_URL), refusing unsafe production values."""
        env = dict(os.environ if environ is None else environ)
        mode = env.get("MINGCHA_ENV", "dev")
        var_dir = Path(env.get("MINGCHA_VAR_DIR", str(ROOT / "var")))
        secret = env.get("MINGCHA_SECRET_KEY", "")
        if not secret:
            if mode == "production":
                raise SettingsError("MINGCHA_SECRET_KEY must be set when MINGCHA_ENV=production")
            secret = _dev_secret(var_dir)
        if mode == "production" and len(secret) < 32:
            raise SettingsError("MINGCHA_SECRET_KEY must be at least 32 characters in production")
        data_key = env.get("MINGCHA_DATA_KEY", "")
        if not data_key:
            if mode == "production":
                raise SettingsError("MINGCHA_DATA_KEY must be set when MINGCHA_ENV=production")
            data_key = _dev_file(var_dir, DEV_DATA_KEY_FILE, _new_data_key)
        from survey_app.services.review.contacts import DataKeyError, parse_keys

        try:
            parse_keys(data_key)
        except DataKeyError as exc:
            raise SettingsError(str(exc)) from None
        keys, keyring_text = env.get("MINGCHA_SIGNING_KEYS", ""), env.get("MINGCHA_SIGNING_KEYRING", "")
        if mode == "production" and not keys and not keyring_text:
            raise SettingsError(
                "MINGCHA_SIGNING_KEYS must name the signing keyring (or MINGCHA_SIGNING_KEYRING hold it) "
                "when MINGCHA_ENV=production (create one with: "
                "python -m survey_app rotate-signing-key --keyring PATH)"
            )
        if mode == "production" and keys and not Path(keys).is_file():
            raise SettingsError(f"MINGCHA_SIGNING_KEYS: no keyring at {keys}")
        settings = cls(
            env=mode,
            signing_keys=Path(keys) if keys else var_dir / "signing_keys.json",
            signing_keyring=keyring_text,
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'mingcha.db'}",
            secret_key=secret,
            base_url=env.get("MINGCHA_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            default_timezone=env.get("MINGCHA_TIMEZONE", "Asia/Shanghai"),
            https_only=env.get("MINGCHA_HTTPS", "0") == "1",
            cjk_font=env.get("MINGCHA_CJK_FONT", ""),
            ratelimit_storage=env.get("MINGCHA_RATELIMIT_STORAGE", "memory://"),
            data_key=data_key,
            queue_url=env.get("MINGCHA_QUEUE_URL") or f"sqlite:///{var_dir / 'jobs.db'}",
            queue_name=env.get("MINGCHA_QUEUE_NAME", "mingcha"),
            api_rate=_rate(env.get("MINGCHA_API_RATE", "120/minute")),
            contact_retention_days=_whole(
                env.get("MINGCHA_CONTACT_RETENTION_DAYS", "90"), "MINGCHA_CONTACT_RETENTION_DAYS"
            ),
            grade_inline_limit=_whole(
                env.get("MINGCHA_GRADE_INLINE_LIMIT", "50000"), "MINGCHA_GRADE_INLINE_LIMIT"
            ),
            replay_retention_days=_whole(
                env.get("MINGCHA_REPLAY_RETENTION_DAYS", "30"), "MINGCHA_REPLAY_RETENTION_DAYS"
            ),
            smtp_url=_smtp(env.get("MINGCHA_SMTP_URL", "")),
            mail_from=env.get("MINGCHA_MAIL_FROM", "mingcha@localhost"),
            min_cell=_whole(env.get("MINGCHA_MIN_CELL", "5"), "MINGCHA_MIN_CELL", low=1),
            session_hours=_whole(env.get("MINGCHA_SESSION_HOURS", "12"), "MINGCHA_SESSION_HOURS", low=1),
        )
        return settings


def _smtp(value: str) -> str:
    from urllib.parse import urlsplit

    if value and (urlsplit(value).scheme not in ("smtp", "smtps") or not urlsplit(value).hostname):
        raise SettingsError("MINGCHA_SMTP_URL must look like smtp://host:port or smtps://user:password@host")
    return value


def _rate(value: str) -> str:
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise SettingsError(f"MINGCHA_API_RATE must look like 120/minute, got {value!r}") from None
    return value


def _dev_secret(var_dir: Path) -> str:
    """Keep one random secret per checkout so printed survey links stay valid across restarts."""
    return _dev_file(var_dir, DEV_SECRET_FILE, lambda: secrets.token_urlsafe(32))


def _new_data_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _dev_file(var_dir: Path, name: str, make: Callable[[], str]) -> str:
    """A development secret kept under var/ (created once, readable by the owner only)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _whole(value: str, name: str, *, low: int = 0) -> int:
    number = whole_number(value.strip(), low=low)
    if number is None:
        raise SettingsError(
            f"{name} must be a whole number, {low} or more (ASCII digits), got {value[:30]!r}"
        )
    return number


def load_keyring(settings: Settings) -> Keyring:
    """The signing keyring: required in production (a file named by MINGCHA_SIGNING_KEYS, or the keyring
    itself in MINGCHA_SIGNING_KEYRING); made under var/ in development."""
    from survey_app.keyring import Keyring

    if settings.signing_keyring:  # a secret store handed the keyring itself
        return Keyring.from_json(settings.signing_keyring, source="MINGCHA_SIGNING_KEYRING")
    if settings.env == "production":
        return Keyring.load(settings.signing_keys)
    return Keyring.load_or_create(settings.signing_keys)
