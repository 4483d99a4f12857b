"""What a poster says (调查要求, 时效要求, who runs it), in the poster's language."""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.clock import localtime
from survey_app.i18n import N_, gettext, pick, speaking, zone_name
from survey_app.models import Campaign, Location


@dataclass(frozen=True)
class PosterText:
    heading: str
    title: str
    subtitle: str
    location: str
    purpose: str
    requirements_title: str
    requirements: list[str]
    deadline: str
    scan: str
    url_label: str
    url: str  # what the QR code opens (the signed survey link)
    footer: str
    typed: str = ""  # what a person types instead: the short poster address, case-insensitive
    deadline_line: str = ""  # "截止时间：…" / "Deadline: …", punctuated for its language


# Posters speak to residents and guests: Chinese, whatever language the lead auditor's desk is in (an
# English poster is asked for explicitly).
POSTER_LOCALE = "zh_CN"


def poster_text(
    campaign: Campaign, location: Location, url: str, typed: str = "", locale: str = POSTER_LOCALE
) -> PosterText:
    """The texts of one poster in `locale` (Chinese unless asked otherwise)."""
    with speaking(locale):
        return _texts(campaign, location, url, typed)


def _texts(campaign: Campaign, location: Location, url: str, typed: str) -> PosterText:
    body = campaign.certification_body or gettext(N_("the certification body"))
    zone = zone_name(campaign.timezone)
    return PosterText(
        heading=gettext(N_("Service certification · customer survey")),
        title=campaign.organisation,
        subtitle=pick(campaign.name_zh, campaign.name_en),
        location=gettext(N_("Posted at: %(name)s (%(code)s)"))
        % {"name": location.name, "code": location.code},
        purpose=gettext(
            N_(
                "To evaluate the service quality here objectively, %(body)s is running an independent "
                "customer survey for the service certification. The organisation being evaluated does not "
                "collect or see your answers."
            )
        )
        % {"body": body},
        requirements_title=gettext(N_("Survey requirements")),
        requirements=[
            gettext(N_("One response per household, please.")),
            gettext(N_("It takes about 2 minutes.")),
            gettext(
                N_(
                    "Anonymous. If you leave a phone number for a callback, "
                    "only the certification body sees it."
                )
            ),
        ],
        deadline=gettext(N_("%(time)s (%(zone)s)"))
        % {"time": localtime(campaign.deadline, campaign.timezone, "%Y-%m-%d %H:%M"), "zone": zone},
        scan=gettext(N_("Scan the QR code with your phone to answer")),
        url_label=gettext(N_("Cannot scan? Type this address:")),
        url=url,
        typed=typed or url,
        footer=gettext(N_("Run by %(body)s · this code belongs to this notice only")) % {"body": body},
        deadline_line=gettext(N_("Deadline: %(time)s (%(zone)s)"))
        % {"time": localtime(campaign.deadline, campaign.timezone, "%Y-%m-%d %H:%M"), "zone": zone},
    )
