"""The demo campaign: the Xiamen Wuyuanwan No.1 residential estate of the seed (15 buildings x 16 storeys)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from forms.contract import items_json
from grading.codes import encode
from survey_app import location_tokens
from survey_app.clock import utcnow
from survey_app.models import Campaign, InstrumentVersion, Location, SurveyResponse, ident
from survey_app.services.campaigns.instruments import materialise, register_bundled
from survey_app.services.campaigns.lifecycle import register_campaign
from survey_app.services.grades.schemes import ensure_schemes

DEMO_CODE = "WYW1-2026"
SCOPE = "住宅物业服务：五缘湾1号 15 栋住宅楼（16 层）、地下车库（1,878 个车位）、设备用房及室外公共区域"
BUILDINGS = 15
STOREYS = 16


def seed_demo(
    *, session: Session, code: str = DEMO_CODE, year: int = 2026, previous: Campaign | None = None
) -> tuple[Campaign, list[Location], bool]:
    """Create a demo campaign once; return (campaign, locations, created). The current cycle opened 31 days
    ago (its simulated responses fall inside the window); an earlier cycle ran a year before and is closed."""
    rows = register_bundled(session=session)
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).first()
    created = campaign is None
    if campaign is None:
        now = utcnow() - timedelta(days=365 * (2026 - year))
        campaign = Campaign(
            code=code,
            name_zh=f"五缘湾1号 住宅物业服务认证 {year} 顾客感知调查",
            name_en=f"Wuyuanwan No.1 residential property certification {year} — resident survey",
            organisation="厦门联发 · 五缘湾1号",
            certification_body="方圆标志认证集团",
            scope=SCOPE,
            scheme_id=ident(ensure_schemes(session=session)["property-estate"]),
            survey_instrument_id=rows["property-resident-survey"],
            starts_at=now - timedelta(days=31),
            deadline=now + timedelta(days=30),
            sample_target=BUILDINGS * 12,
            ip_salt=secrets.token_hex(16),
            status="closed" if year < 2026 else "open",
            cycle=previous.cycle + 1 if previous else 0,
            previous_campaign_id=previous.id if previous else None,
        )
        register_campaign(session=session, campaign=campaign, actor="demo")
        for n in range(1, BUILDINGS + 1):
            session.add(
                Location(
                    campaign_id=ident(campaign),
                    code=f"B{n:02d}",
                    name=f"{n}号楼 单元入口",
                    building=f"{n}号楼",
                    entrance="1单元",
                    target=12,
                    token_nonce=location_tokens.new_nonce(),
                )
            )
        session.flush()
    locations = list(
        session.exec(select(Location).where(Location.campaign_id == campaign.id).order_by(Location.code))
    )
    return campaign, locations, created


def seed_demo_responses(
    *, session: Session, campaign: Campaign, locations: list[Location], seed: int = 2026, n_genuine: int = 300
) -> int:
    """Simulated residents for the demo estate (5% of them injected fraud), scored by the fraud model; only
    for a campaign without responses (use `add_simulated` to grow one)."""
    if (
        session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)).first()
        is not None
    ):
        return 0
    return add_simulated(
        session=session, campaign=campaign, locations=locations, n_genuine=n_genuine, seed=seed
    )


def add_simulated(
    *, session: Session, campaign: Campaign, locations: list[Location], n_genuine: int, seed: int
) -> int:
    """Add simulated responses inside the campaign's window (one bulk insert), then score the campaign."""
    from sqlalchemy import insert

    from fraud.simulate import SimConfig, simulate
    from survey_app.services.scoring.verdicts import rescore_campaign

    row = session.get(InstrumentVersion, campaign.survey_instrument_id)
    instrument = materialise(row)
    cfg = SimConfig(
        n_genuine=n_genuine,
        prevalence=0.05,
        n_locations=len(locations),
        seed=seed,
        start=campaign.starts_at + timedelta(hours=2),
    )
    _items, records, _labels = simulate(cfg, items_json(instrument))
    # fit every simulated response inside the survey window (opening + 2 h .. now or the deadline - 1 h)
    start = campaign.starts_at.timestamp() + 7200
    end = min(utcnow(), campaign.deadline).timestamp() - 3600
    first = min(_epoch(r["started_at"]) for r in records)
    last = max(_epoch(r["submitted_at"]) for r in records)
    scale = min(1.0, (end - start) / max(last - first, 1.0))

    def placed(stamp: str) -> datetime:
        return datetime.fromtimestamp(start + (_epoch(stamp) - first) * scale, UTC)

    by_code = {f"L{n + 1:02d}": loc.id for n, loc in enumerate(locations)}
    receipts = _receipts(session=session, n=len(records), seed=seed)
    rows = []
    for record in records:
        submitted = placed(record["submitted_at"])
        rows.append(
            {
                "public_id": receipts.pop(),
                "idempotency_key": f"demo-{campaign.code}-{seed}-{record['id']}",
                "campaign_id": ident(campaign),
                "location_id": by_code[record["location"]],
                "instrument_version_id": ident(row),
                "channel": "online",
                "status": "received",
                "answers": dict(record["answers"]),
                "answer_codes": encode(instrument, record["answers"]),
                "item_ms": record["item_ms"],
                "comment": record["comment"],
                "contact_consent": False,
                "client_id": record["client_id"],
                "ip_hash": record["ip_hash"],
                "user_agent": record["user_agent"],
                "locale": "zh_CN",
                "started_at": min(placed(record["started_at"]), submitted),
                "submitted_at": submitted,
                "received_at": submitted,
                "meta": {},
                "fraud_reasons": [],
                "fraud_model_version": "",
                "fraud_families": "",
            }
        )
    for start in range(0, len(rows), 5000):
        session.execute(insert(SurveyResponse), rows[start : start + 5000])
    session.flush()
    return rescore_campaign(session=session, campaign=campaign)


def grow_demo(*, session: Session, campaign: Campaign, locations: list[Location], target: int) -> int:
    """Grow the campaign to about `target` responses (5% of those added injected fraud); return how many."""
    from sqlalchemy import func

    have = session.exec(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)
    ).one()
    if target <= have:
        return 0
    seed = 3000 + int(have)
    return add_simulated(
        session=session,
        campaign=campaign,
        locations=locations,
        n_genuine=round((target - have) / 1.05),
        seed=seed,
    )


def _receipts(*, session: Session, n: int, seed: int) -> list[str]:
    """Receipts in the format residents are given (K7M-4QX), reproducible for a seed, none already used."""
    import random

    from survey_app.short_codes import ALPHABET, LENGTH, grouped

    rng = random.Random(seed)
    taken = set(session.exec(select(SurveyResponse.public_id)).all())
    out: list[str] = []
    while len(out) < n:
        code = grouped("".join(rng.choice(ALPHABET) for _ in range(LENGTH)))
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


DEMO_USERS = (
    ("admin", ["admin"], "管理员"),
    ("lead", ["lead"], "王审"),
    ("field", ["field"], "李查"),
    ("field2", ["field"], "张核"),
    ("reviewer", ["reviewer"], "赵评"),  # the certification body's reviewer: not on the audit team
    ("wyw-pm", ["auditee"], "联发物业 陈经理"),  # the audited organisation, invited to the current cycle
)


def seed_demo_users(
    *, session: Session, campaigns: list[Campaign], var_dir: Path
) -> list[tuple[str, str, str]]:
    """Demo accounts (admin, lead auditor of the demo campaign, field auditor on it); passwords in var/."""
    from survey_app.auth.accounts import create_user, find_user
    from survey_app.services.campaigns.membership import add_member

    store = var_dir / "demo-logins.txt"
    known = dict(line.split(" ", 1) for line in store.read_text().splitlines()) if store.exists() else {}
    logins = []
    for username, roles, name in DEMO_USERS:
        user = find_user(session=session, username=username)
        if user is None:
            known[username] = secrets.token_urlsafe(9)
            user = create_user(
                session=session,
                username=username,
                password=known[username],
                roles=roles,
                display_name=name,
                actor="demo",
            )
        if roles[0] in ("lead", "field"):
            for campaign in campaigns:
                add_member(session=session, campaign=campaign, user=user, role=roles[0], actor="demo")
        if roles[0] == "auditee":
            add_member(session=session, campaign=campaigns[-1], user=user, role="auditee", actor="demo")
        logins.append((username, roles[0], known.get(username, "(set earlier; change with: user passwd)")))
    var_dir.mkdir(parents=True, exist_ok=True)
    store.write_text("".join(f"{u} {p}\n" for u, p in known.items()))
    store.chmod(0o600)
    return logins


def demo_certificate(*, session: Session, campaign: Campaign) -> str | None:
    """Lock the demo campaign's grade once, so the certificate result page has something to show."""
    from survey_app.services.grades.locks import latest_snapshot, lock

    snapshot = latest_snapshot(session=session, campaign_id=campaign.id)
    if snapshot is None:
        snapshot = lock(session=session, campaign=campaign, actor="demo")
    return f"/cert/{snapshot.certificate_token}" if snapshot.certificate_token else None
