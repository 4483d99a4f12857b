"""Issue 26: a photo question on the anonymous survey. Off by default: the question says photos are added by
auditors and a photo answer is refused. Where the lead allows residents' photos, "add this photo" (without
JavaScript: the page posted as multipart to the photo route) keeps the photo re-encoded without metadata, and
the page comes back with every answer kept and a reference signed for that form; a made-up reference, or one
from another form, is refused. The lead sees the photo beside the answers; nobody else does."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import Blob, Campaign, SurveyResponse
from tests.conftest import form_token, survey_path
from tests.factories import add_member, csrf_of, login, make_user, serving_xlsform
from tests.web.field_work import scene
from tests.xlsform_books import workbook

FORM = workbook(
    [
        ["type", "name", "label", "required"],
        ["text", "what", "What is broken?", "yes"],
        ["image", "pic", "A photo of it", "no"],
    ],
    settings=[["form_id", "form_title"], ["broken-things", "Broken things"]],
)


def _gps_photo() -> bytes:
    """A photo whose EXIF says when and where it was taken, and on which phone."""
    image = Image.open(io.BytesIO(scene(3, when="2026:12:02 09:30:00")))
    exif = image.getexif()
    exif[0x0110] = "Resident Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (24.0, 28.0, 47.0), 3: "E", 4: (118.0, 5.0, 22.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _allow(session: Session, code: str) -> None:
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).one()
    campaign.resident_photos = True
    session.add(campaign)
    session.commit()


def test_off_by_default_a_photo_answer_is_refused(client: TestClient, session: Session) -> None:
    path = survey_path(serving_xlsform(session, "PIC-1", FORM)[0])
    page = client.get(path)
    assert "照片由审核员在现场应用中添加" in page.text and 'type="file"' not in page.text
    token = form_token(page.text)
    forged = client.post(path, data={"_form": token, "_step": "submit", "a.what": "lift", "a.pic": "0" * 64})
    assert forged.status_code == 422 and "本表单不能上传照片" in forged.text
    refused = client.post(
        f"{path}/photo",
        data={"_form": token, "_photo": "pic", "a.what": "lift"},
        files={"photo.pic": ("p.jpg", _gps_photo(), "image/jpeg")},
    )
    assert refused.status_code == 403 and "不接收居民的照片" in refused.text
    assert session.exec(select(SurveyResponse)).all() == [] and session.exec(select(Blob)).all() == []


def test_where_allowed_the_photo_is_kept_without_metadata_and_shown_to_the_lead(
    client: TestClient, session: Session
) -> None:
    locations = serving_xlsform(session, "PIC-2", FORM)
    _allow(session, "PIC-2")
    path = survey_path(locations[0])
    page = client.get(path)
    assert 'type="file"' in page.text and 'formenctype="multipart/form-data"' in page.text
    token = form_token(page.text)
    empty = client.post(
        f"{path}/photo",
        data={"_form": token, "_photo": "pic", "a.what": "lift"},
        files={"photo.pic": ("", b"", "application/octet-stream")},  # what a browser sends with no file
    )
    assert empty.status_code == 422 and "请先选择一张照片" in empty.text
    junk = client.post(
        f"{path}/photo",
        data={"_form": token, "_photo": "pic", "a.what": "lift"},
        files={"photo.pic": ("p.jpg", b"not a photo at all", "image/jpeg")},
    )
    assert junk.status_code == 422 and "这个文件不是照片" in junk.text and ">lift</textarea>" in junk.text
    added = client.post(
        f"{path}/photo",
        data={"_form": token, "_photo": "pic", "a.what": "lift"},
        files={"photo.pic": ("p.jpg", _gps_photo(), "image/jpeg")},
    )
    assert added.status_code == 200 and "已添加照片" in added.text and ">lift</textarea>" in added.text
    ref = re.search(r'name="a.pic" value="([0-9a-f]{64}\.[0-9a-f]{24})"', added.text)
    assert ref is not None
    blob = session.exec(select(Blob)).one()
    kept = Image.open(io.BytesIO(blob.data))
    assert not kept.getexif() and b"Resident Phone" not in blob.data, "no place, time or phone model"
    tampered = ref.group(1)[:-1] + ("0" if ref.group(1)[-1] != "0" else "1")
    other_form = form_token(client.get(path).text)
    for bad, form in ((tampered, token), (ref.group(1), other_form), ("f" * 64, token)):
        posted = client.post(path, data={"_form": form, "_step": "submit", "a.what": "lift", "a.pic": bad})
        assert posted.status_code == 422 and "本表单不能上传照片" in posted.text
    done = client.post(
        path, data={"_form": token, "_step": "submit", "a.what": "lift", "a.pic": ref.group(1)}
    )
    assert done.status_code == 303
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.answers == {"what": "lift", "pic": blob.sha256}
    campaign = session.exec(select(Campaign).where(Campaign.code == "PIC-2")).one()
    lead = make_user(session, "pic-lead", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    other = make_user(session, "pic-field", ["field"])
    add_member(session=session, campaign_id=campaign.id, user_id=other.id, role="field")
    session.commit()
    login(client, "pic-lead")
    detail = client.get(f"/c/PIC-2/r/{stored.public_id}")
    photo_url = f"/c/PIC-2/r/{stored.public_id}/photo/pic"
    assert detail.status_code == 200 and photo_url in detail.text
    shown = client.get(photo_url)
    assert (
        shown.status_code == 200
        and shown.headers["content-type"] == "image/jpeg"
        and shown.content == blob.data
    )
    assert client.get(f"/c/PIC-2/r/{stored.public_id}/photo/what").status_code == 404
    field = TestClient(client.app, follow_redirects=False)
    login(field, "pic-field")
    assert field.get(photo_url).status_code == 403
    assert csrf_of(client)
