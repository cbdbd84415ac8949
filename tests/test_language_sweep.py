"""Every page, email and printable file (packing slip, stamp labels, evaluation report) in Vietnamese
and in English: no string left in the other language, no number or date in the other language's
format, no internal key where a label belongs (detectors in tests/language_sweep.py).

The pages are those of tests/site_world.py, so a page added to the inventory is swept too; with them,
the feeds their scripts load (GeoJSON, map cards), because scripts show those texts as well.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict

import pytest
from django.apps import apps
from django.core import mail
from django.utils import translation

from tests import language_sweep as sweep
from tests.site_world import ROLES, build_world, pages, sign_in_client

LANGUAGES = ("vi", "en")
OUR_APPS = ("backend", "geo", "tracing", "marketplace", "oversight")

#: Pages checked for internal keys and repeated words only, with the reason.
KEYS_ONLY = {
    # Django's own admin templates: its Vietnamese catalogue leaves strings in English ("Skip to main
    # content", "Toggle theme"). Our models' names on it come from our catalogue, which
    # tests/backend/test_translations.py checks.
    "/admin/": "Django's admin",
}


@pytest.fixture
def world(db):
    return build_world(text=sweep.marked)


def world_data(language: str) -> list[str]:
    """Text of the world that is data but not typed through `text`: places, names, codes, accounts."""
    from django.contrib.auth.models import User

    from geo.models import AdminUnit, GrowingRegion, ProductKind, RetailPoint
    from marketplace.models import SellerProfile
    from tracing.models import Batch, Producer, Stamp

    data = [*User.objects.values_list("username", flat=True)]
    data += AdminUnit.objects.values_list("name", flat=True)
    data += GrowingRegion.objects.values_list("name", flat=True)
    data += Batch.objects.values_list("lot_code", flat=True)
    data += Stamp.objects.values_list("serial", flat=True)
    data += SellerProfile.objects.values_list("bank_account_name", flat=True)
    data += Producer.objects.values_list("phone", flat=True)
    data += RetailPoint.objects.values_list("phone", flat=True)
    suffix = "vi" if language == "vi" else "en"
    for kind in ProductKind.objects.all():
        data += [getattr(kind, f"name_{suffix}"), getattr(kind, f"description_{suffix}", "")]
    return sorted({d for d in data if d}, key=len, reverse=True)


def internal_keys() -> set[str]:
    """The identifiers the code uses that a person should never read: values of choices (where the label
    differs), audit actions and record types, rule and check codes, evidence and before/after fields."""
    from oversight import checks
    from oversight.models import AuditEntry
    from tracing.models import SuspicionFlag
    from tracing.models.producers import ProducerStatus
    from tracing.stamps import clone_rules, layouts

    keys: set[str] = set()
    words: set[str] = set()  # values that are also the label of some choice: "other", "kg"
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        keys.add(f"{model._meta.app_label}.{model._meta.model_name}")
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if not isinstance(value, str) or not value:
                    continue
                for language in LANGUAGES:
                    with translation.override(language):
                        (words if str(label).lower() == value.lower() else keys).add(value)
    keys |= set(clone_rules.RULES) | set(checks.CHECKS) | set(layouts.PRESETS)
    keys |= {f"producer.{status}" for status in ProducerStatus.values}
    for path in sweep.ROOT.glob("*/**/*.py"):
        if path.parts[len(sweep.ROOT.parts)] in OUR_APPS:
            keys |= set(re.findall(r"""action=["']([a-z_]+\.[a-z_]+)["']""", path.read_text(encoding="utf-8")))
    for entry in AuditEntry.objects.all():
        keys |= {entry.action, entry.target_type, *entry.before, *entry.after}
    for flag in SuspicionFlag.objects.all():
        keys |= set(flag.evidence)
    # A one-word key that is also an English string of the catalogue ("status", "batch") reads as that word
    # on an English page; on a Vietnamese one the English detector finds it.
    words |= {key for key in keys if re.fullmatch(r"[a-z]+", key) and key in sweep.english_vocabulary()}
    return {key for key in keys - words if key and len(key) >= 3}


def problems_in(lines: list[str], language: str, *, data: list[str], keys: set[str], keys_only: bool = False):
    """(kind, text, line) for every problem of the lines in the language."""
    found = []
    if not keys_only and language == "vi":
        found += [("English on a Vietnamese page", hit, line) for hit, line in sweep.english_left(lines, data)]
    if not keys_only and language == "en":
        found += [("Vietnamese on an English page", hit, line) for hit, line in sweep.vietnamese_left(lines, data)]
    if not keys_only:
        found += [("number or date", hit, line) for hit, line in sweep.numbers_misformatted(lines, language, data)]
    found += [("internal key", hit, line) for hit, line in sweep.keys_shown(lines, keys, data)]
    found += [("word said twice", hit, line) for hit, line in sweep.repeated_words(lines, data)]
    return found


def report(problems: dict[str, list]) -> str:
    out = []
    for where, found in problems.items():
        for kind, hit, line in found:
            out.append(f"{where}: {kind}: {hit!r} in {line[:160]!r}")
    return f"{len(out)} problems:\n" + "\n".join(out)


def feed_lines(client, path: str, language: str) -> list[str] | None:
    """The texts a page's script may show from one of its feeds (JSON values, or an HTML fragment)."""
    if path.startswith(("/static/", "/media/")) or "{" in path:
        return None
    response = client.get(path)
    if response.status_code != 200:
        return None
    kind = response.get("Content-Type", "")
    if "json" in kind:
        return sweep.json_strings(json.loads(response.content))
    if kind.startswith("text/html"):
        return sweep.visible_text(response.content.decode(), language)
    return None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_one_language_and_shows_no_internal_key(world, client, role, language):
    sign_in_client(client, world, role)
    client.cookies["hg_language"] = language
    data, keys = world_data(language), internal_keys()
    problems: dict[str, list] = defaultdict(list)
    feeds: dict[str, str] = {}
    for path in pages(world)[role]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        page = sweep.read_page(response.content.decode(), language)
        found = problems_in(page.lines, language, data=data, keys=keys, keys_only=path in KEYS_ONLY)
        found += [("number field", value, why) for value, why in sweep.number_inputs_misformatted(page.numbers)]
        if found:
            problems[path] += found
        for feed in page.feeds:
            feeds.setdefault(feed, path)
    for feed, page_path in feeds.items():
        lines = feed_lines(client, feed, language)
        if lines:
            found = problems_in(lines, language, data=data, keys=keys)
            if found:
                problems[f"{page_path} → {feed}"] += found
    assert not problems, report(problems)


# -- emails -------------------------------------------------------------------------------------


def _split_bilingual(message) -> dict[str, list[str]]:
    """Order emails carry Vietnamese then English: subject "vi / en", body parts around "— — —"."""
    subject = message.subject.split("] ", 1)[-1]
    subject_vi, _slash, subject_en = subject.partition(" / ")
    body_vi, _rule, body_en = message.body.partition("\n— — —\n")
    return {
        "vi": [subject_vi, *body_vi.splitlines()],
        "en": [subject_en, *body_en.splitlines()],
    }


def test_order_emails_speak_vietnamese_then_english(world):
    from marketplace.models import OrderStatusChange
    from marketplace.notifications import send_order_emails

    keys = internal_keys()
    problems: dict[str, list] = defaultdict(list)
    changes = OrderStatusChange.objects.filter(order__in=[world["pickup_order"], world["home_order"]])
    assert changes.exists()
    for change in changes:
        mail.outbox.clear()
        send_order_emails(change.pk)
        assert mail.outbox
        for message in mail.outbox:
            parts = _split_bilingual(message)
            for language in LANGUAGES:
                lines = [line.strip(" -") for line in parts[language] if line.strip(" -")]
                found = problems_in(lines, language, data=world_data(language), keys=keys)
                if found:
                    problems[f"{message.to} {change.action} ({language})"] += found
    assert not problems, report(problems)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["signup", "signup with a taken address", "password reset"])
def test_the_account_emails_speak_the_language_of_the_page(world, language, kind):
    from backend.account_emails import password_reset_email, signup_email

    mail.outbox.clear()
    consumer = world.users["consumer"]
    if kind == "signup":
        signup_email.call(consumer.pk, "moi@example.test", language)
    elif kind == "signup with a taken address":
        signup_email.call(world.users["retailer"].pk, consumer.email, language)
    else:
        password_reset_email.call(consumer.email, language)
    (message,) = mail.outbox
    lines = [line for line in (message.subject, *message.body.splitlines()) if line.strip()]
    found = problems_in(lines, language, data=world_data(language), keys=internal_keys())
    assert not found, report({f"{kind} email": found})


# -- printable files ----------------------------------------------------------------------------


def pdf_lines(content: bytes) -> list[str]:
    """The text of a PDF, a line per block (pdftotext puts a blank line between blocks; a block's lines
    are one paragraph wrapped, or one table cell)."""
    assert content.startswith(b"%PDF"), content[:40]
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    blocks = re.split(r"\n\s*\n|\f", text)
    return [" ".join(block.split()) for block in blocks if block.strip()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_packing_slips_speak_the_language_of_the_page(world, client, language):
    from django.urls import reverse

    sign_in_client(client, world, "producer")
    client.cookies["hg_language"] = language
    problems = {}
    for order in (world["pickup_order"], world["home_order"]):
        response = client.get(reverse("marketplace:desk_packing", args=[order.pk]))
        assert response.status_code == 200
        found = problems_in(pdf_lines(response.content), language, data=world_data(language), keys=internal_keys())
        if found:
            problems[order.reference] = found
    assert not problems, report(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_evaluation_report_speaks_the_language_it_was_asked_in(world, language):
    from django.utils import timezone

    from backend.models import Job
    from oversight.evaluation import evaluation_report_job

    job = Job.objects.create(handler="oversight.evaluation.evaluation_report_job", title="report")
    today = timezone.localdate()
    evaluation_report_job(
        job,
        lambda *args, **kwargs: None,
        since=today.replace(month=1, day=1).isoformat(),
        until=today.isoformat(),
        fmt="pdf",
        language=language,
    )
    lines = pdf_lines(job.result_file.read())
    found = problems_in(lines, language, data=world_data(language), keys=internal_keys())
    assert not found, report({"evaluation report": found})


def test_the_stamp_labels_speak_to_buyers_in_vietnamese(world):
    """Labels are printed once for products sold in Việt Nam: Vietnamese, with the caption's English half
    (tracing.jobs.CAPTION) for foreign buyers."""
    from backend.models import Job
    from tracing.stamps.jobs import CAPTION, stamp_labels_print_job

    run, official = world["run"], world.users["official"]
    job = Job.objects.create(handler="tracing.stamps.jobs.stamp_labels_print_job", title="labels", owner=official)
    stamp_labels_print_job(
        job, lambda *args, **kwargs: None, run_id=run.pk, first=1, last=6, layout="roll-50x30", user_id=official.pk
    )
    lines = pdf_lines(job.result_file.read())
    assert any("Quét để kiểm tra" in line for line in lines), lines[:5]
    english_caption = CAPTION.split(" · ")[-1]
    found = problems_in(lines, "vi", data=[*world_data("vi"), english_caption], keys=internal_keys())
    assert not found, report({"labels": found})
