"""Officials' pages through the Django client: the queue, a producer's file, the survey, the decisions.

They are oversight's (/giam-sat/ho-so/); their old tracing addresses redirect (tests/oversight/test_moved_pages.py)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.tracing.conftest import apply_as, png_bytes, upload
from tests.tracing.test_workflow import bring_to
from tracing import services
from tracing.models import FieldSurvey, Producer

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def survey_post(**overrides) -> dict:
    data = {
        "surveyed_on": timezone.localdate().isoformat(),
        "lat": "22.8233",
        "lng": "104.9784",
        "identity_confirmed": "yes",
        "certificates_genuine": "yes",
        "areas_as_declared": "yes",
        "gap_practice_seen": "yes",
        "findings": "Vườn cam đúng như khai báo.",
    }
    data.update(overrides)
    return data


def after(html: str, marker: str) -> str:
    """The page from `marker` up to the next form field block."""
    start = html.index(marker)
    end = html.find('class="field', start)
    return html[start : end if end != -1 else len(html)]


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_queue_lists_waiting_applications_oldest_first(client, official, commune, headers):
    first = apply_as(make_user("a1"), commune, name="HTX Cũ")
    second = apply_as(make_user("a2"), commune, name="HTX Mới")
    Producer.objects.filter(pk=first.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=9))
    client.force_login(official)
    response = client.get("/giam-sat/ho-so/", **headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("HTX Cũ") < html.index("HTX Mới")
    assert f'data-producer="{first.pk}"' in html and f'data-producer="{second.pk}"' in html
    assert f'data-producer="{first.pk}" data-waiting-days="9"' in html  # the oldest has waited nine days


def test_the_queue_filters_by_status(client, official, approved_producer, commune):
    apply_as(make_user("a1"), commune, name="HTX Đang chờ")
    client.force_login(official)
    html = client.get("/giam-sat/ho-so/?status=approved").content.decode()
    assert approved_producer.name in html and "HTX Đang chờ" not in html
    assert approved_producer.name not in client.get("/giam-sat/ho-so/").content.decode()


@pytest.mark.parametrize("headers", [{}, EN])
def test_the_file_shows_the_whole_producer_on_one_page(client, official, world, owner, headers):
    producer = world["producer"]
    services.certificate_add(
        by=owner,
        producer=producer,
        scheme="organic",
        number="ORG-OLD",
        issuer="X",
        valid_from=datetime.date(2019, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    client.force_login(official)
    html = client.get(f"/giam-sat/ho-so/{producer.pk}/", **headers).content.decode()
    assert producer.tax_number in html and "VG-1" in html and "data-expired" in html
    assert "Vườn 1" in html and "data-region-warnings" in html  # the garden lies outside every region
    assert 'data-feature-map="file-map"' in html
    assert html.count("<tr><td><time") == 4  # applied, scheduled, surveyed, approved
    assert "Vườn cam đúng như khai báo." in html  # the recorded survey's findings
    assert world["colleague"].username in html


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("applied", {"schedule"}),
        ("survey_scheduled", {"record"}),
        ("surveyed", {"approve", "reject"}),
        ("approved", {"suspend"}),
        ("rejected", set()),
        ("suspended", {"reinstate"}),
    ],
)
def test_the_file_offers_only_the_steps_the_workflow_allows(client, official, producer, owner, status, offered):
    bring_to(status, producer, owner, official)
    client.force_login(official)
    html = client.get(f"/giam-sat/ho-so/{producer.pk}/").content.decode()
    shown = {name for name in ("approve", "reject", "suspend", "reinstate") if f'data-decision="{name}"' in html}
    if "data-schedule-form" in html:
        shown.add("schedule")
    if "data-record-survey" in html:
        shown.add("record")
    assert shown == offered


def test_an_official_schedules_records_and_approves_through_the_pages(
    client, official, producer, owner, mailbox, django_capture_on_commit_callbacks
):
    client.force_login(official)
    day = timezone.localdate() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/giam-sat/ho-so/{producer.pk}/lich-khao-sat/", {"scheduled_for": day.isoformat(), "note": "8 giờ sáng"}
        )
    assert response.status_code == 302
    assert FieldSurvey.objects.get(producer=producer).scheduled_for == day
    assert any(owner.email in message.to for message in mailbox)

    page = client.get(f"/giam-sat/ho-so/{producer.pk}/khao-sat/").content.decode()
    assert 'name="identity_confirmed"' in page and "data-pick-gps" in page and 'capture="environment"' in page
    photos = [upload("vuon.png", png_bytes()), upload("giay.png", png_bytes(colour=(1, 2, 3)))]
    assert client.post(f"/giam-sat/ho-so/{producer.pk}/khao-sat/", survey_post(photos=photos)).status_code == 302
    survey = FieldSurvey.objects.get(producer=producer)
    assert survey.is_recorded and survey.photos.count() == 2 and survey.location.y == pytest.approx(22.8233)

    assert (
        client.post(f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/approve/", {"reason": "Đủ điều kiện"}).status_code == 302
    )
    producer.refresh_from_db()
    assert producer.status == "approved"
    assert producer.status_changes.last().reason == "Đủ điều kiện"


def test_a_failed_check_needs_findings_shown_next_to_the_field(client, official, producer, owner):
    bring_to("survey_scheduled", producer, owner, official)
    client.force_login(official)
    response = client.post(
        f"/giam-sat/ho-so/{producer.pk}/khao-sat/", survey_post(gap_practice_seen="no", findings=""), **EN
    )
    assert response.status_code == 400
    assert "Describe what was found" in after(response.content.decode(), 'id="id_findings"')
    producer.refresh_from_db()
    assert producer.status == "survey_scheduled"


def test_an_unanswered_check_is_refused(client, official, producer, owner):
    bring_to("survey_scheduled", producer, owner, official)
    client.force_login(official)
    data = survey_post()
    del data["areas_as_declared"]
    assert client.post(f"/giam-sat/ho-so/{producer.pk}/khao-sat/", data).status_code == 400
    assert not FieldSurvey.objects.filter(recorded_at__isnull=False).exists()


def test_a_decision_without_a_reason_is_refused_next_to_the_reason(client, official, producer, owner):
    bring_to("surveyed", producer, owner, official)
    client.force_login(official)
    response = client.post(f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/reject/", {"reason": "  "}, **EN)
    assert response.status_code == 400 and "This field is required" in after(
        response.content.decode(), 'id="id_reason"'
    )
    producer.refresh_from_db()
    assert producer.status == "surveyed"


@pytest.mark.parametrize(
    ("status", "action"), [("applied", "approve"), ("approved", "reinstate"), ("surveyed", "suspend")]
)
def test_a_step_the_workflow_refuses_is_409_and_changes_nothing(client, official, producer, owner, status, action):
    bring_to(status, producer, owner, official)
    client.force_login(official)
    response = client.post(f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/{action}/", {"reason": "Thử"}, **EN)
    assert response.status_code == 409 and "is not possible while" in response.content.decode()
    producer.refresh_from_db()
    assert producer.status == status


def test_a_survey_cannot_be_recorded_before_it_is_scheduled(client, official, producer):
    client.force_login(official)
    assert client.get(f"/giam-sat/ho-so/{producer.pk}/khao-sat/").status_code == 409
    assert client.post(f"/giam-sat/ho-so/{producer.pk}/khao-sat/", survey_post()).status_code == 400
    assert not FieldSurvey.objects.exists()


def test_suspending_hides_the_producer_and_reinstating_shows_it_again(client, official, world):
    producer = world["producer"]
    client.force_login(official)
    client.post(f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/suspend/", {"reason": "Tem giả trên thị trường"})
    client.logout()
    assert client.get(f"/nha-san-xuat/san-pham/{world['product'].pk}/").status_code == 404
    client.force_login(official)
    client.post(f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/reinstate/", {"reason": "Đã khắc phục"})
    client.logout()
    assert client.get(f"/nha-san-xuat/san-pham/{world['product'].pk}/").status_code == 200


def official_urls(producer) -> list[tuple[str, str, dict]]:
    return [
        ("get", "/giam-sat/ho-so/", {}),
        ("get", f"/giam-sat/ho-so/{producer.pk}/", {}),
        ("get", f"/giam-sat/ho-so/{producer.pk}/khao-sat/", {}),
        ("post", f"/giam-sat/ho-so/{producer.pk}/lich-khao-sat/", {"scheduled_for": timezone.localdate().isoformat()}),
        ("post", f"/giam-sat/ho-so/{producer.pk}/khao-sat/", survey_post()),
        ("post", f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/approve/", {"reason": "x"}),
        ("post", f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/suspend/", {"reason": "x"}),
    ]


@pytest.mark.parametrize("who", ["owner", "stranger", "consumer"])
def test_producers_and_consumers_are_refused_every_official_page(client, request, producer, other_producer, who):
    client.force_login(request.getfixturevalue(who))
    for method, url, data in official_urls(producer):
        assert getattr(client, method)(url, data).status_code == 403, url
    producer.refresh_from_db()
    assert producer.status == "applied" and not FieldSurvey.objects.filter(producer=producer).exists()


def test_anonymous_visitors_are_sent_to_log_in_for_every_official_page(client, producer):
    for method, url, data in official_urls(producer):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_an_unknown_decision_is_404(client, official, producer):
    client.force_login(official)
    assert client.post(f"/giam-sat/ho-so/{producer.pk}/quyet-dinh/delete/", {"reason": "x"}).status_code == 404


def test_the_queue_and_the_file_use_a_bounded_number_of_queries(
    client, official, world, commune, django_assert_max_num_queries
):
    for index in range(8):
        apply_as(make_user(f"q{index}"), commune, name=f"HTX chờ {index}")
    client.force_login(official)
    with django_assert_max_num_queries(10):
        assert client.get("/giam-sat/ho-so/").status_code == 200
    # The one producer's file: tracing's part (22 queries when it was a page of its own) and oversight's
    # (stamp figures, cases, orders, cross-checks, inspections, audit); 44 measured.
    with django_assert_max_num_queries(44):
        assert client.get(f"/giam-sat/ho-so/{world['producer'].pk}/").status_code == 200
