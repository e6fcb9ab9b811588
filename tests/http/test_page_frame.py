"""The frame every page shares, through the Flask test client: the phone tab bar, 长辈版, titles and ids,
and the applicant's list with what waits for them first."""

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from services import clock
from services.models import Application, ApplicationStatus, Notification, Role, Task, TaskStatus
from services.notifications import IN_APP
from tests.factories import make_application, make_citizen, make_staff
from tests.sample import submitted

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}
ITEM = "330100-CIVIL-001"


def html_of(web, path: str, headers=EN) -> str:
    response = web.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def tab_bar(html: str) -> str:
    found = re.search(r'<nav class="tabbar[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "no tab bar on the page"
    return found.group(1)


def tabs(html: str) -> list[tuple[str, str, str | None]]:
    """(href, visible label, aria-current) of each tab."""
    return [
        (href, re.sub(r"<[^>]+>", "", label).strip(), current or None)
        for href, current, label in re.findall(
            r'<a class="tabbar-link[^"]*" href="([^"]+)"(?: aria-current="(\w+)")?>.*?'
            r'<span class="tabbar-label">(.*?)</span>',
            html,
            re.S,
        )
    ]


def is_elder(html: str) -> bool:
    return re.search(r'<html lang="[^"]+" class="elder">', html) is not None


def sent(db, user, read: bool = False) -> None:
    now = clock.now()
    db.add(
        Notification(
            user_id=user.id,
            channel=IN_APP,
            template="Hello %(name)s",
            params={"name": "x"},
            sent_at=now,
            read_at=now if read else None,
        )
    )
    db.commit()


@pytest.fixture
def citizen(db):
    return make_citizen(db)


def test_a_signed_in_citizen_gets_five_labelled_tabs_and_the_current_one_is_marked(web, db, citizen):
    web.login(citizen.login_name)
    bar = tab_bar(html_of(web, "/applications", ZH))
    assert [(href, label) for href, label, _ in tabs(bar)] == [
        ("/", "办事"),
        ("/applications", "我的办件"),
        ("/wallet", "证照"),
        ("/inbox", "消息"),
        ("/account", "我的"),
    ]
    assert [current for _, _, current in tabs(bar)] == [None, "page", None, None, None]
    assert bar.count("<svg") == 5 and 'aria-hidden="true"' in bar

    # A page inside a tab's section lights that tab without claiming to be it.
    application = make_application(db, citizen, ITEM, status=ApplicationStatus.SUBMITTED, number="ZJ-20261102-000001")
    bar = tab_bar(html_of(web, f"/applications/{application.key}"))
    assert [current for _, _, current in tabs(bar)] == [None, "true", None, None, None]
    assert [current for _, _, current in tabs(tab_bar(html_of(web, "/account")))][-1] == "page"


def test_the_messages_tab_counts_unread_messages_and_says_so_to_screen_readers(web, db, citizen):
    other = make_citizen(db)
    sent(db, citizen)
    sent(db, citizen)
    sent(db, citizen, read=True)
    sent(db, other)  # someone else's message is not counted
    web.login(citizen.login_name)
    bar = tab_bar(html_of(web, "/"))
    assert re.search(r'<span class="tabbar-badge">2<span class="visually-hidden"> unread</span></span>', bar)

    assert web.post("/inbox/read").status_code == 302
    assert "tabbar-badge" not in tab_bar(html_of(web, "/"))


def test_visitors_keep_a_labelled_menu_and_no_tab_bar_and_a_clerk_gets_the_tabs_of_a_clerk(web, db):
    html = html_of(web, "/")
    assert 'class="tabbar' not in html and "has-tabbar" not in html
    assert '<span class="menu-label">Menu</span>' in html

    clerk = make_staff(db, Role.CLERK, department="HRSS")
    web.login(clerk.login_name)
    html = html_of(web, "/clerk")
    assert [(href, label) for href, label, _ in tabs(tab_bar(html))] == [
        ("/clerk", "Queue"),
        ("/clerk/inbox", "My tasks"),
        ("/inbox", "Messages"),
        ("/account", "Me"),
    ]
    assert '<span class="menu-label">Menu</span>' in html  # the archive and the certificate check stay there


def test_my_account_offers_language_elder_mode_and_sign_out(web, citizen):
    web.login(citizen.login_name)
    main = html_of(web, "/account").split('<main id="main"', 1)[1]
    assert 'action="/language"' in main and 'action="/elder-mode"' in main and 'action="/logout"' in main


def test_elder_mode_is_switched_by_its_form_and_follows_the_account_to_the_next_sign_in(web, other_web, citizen):
    web.login(citizen.login_name)
    assert not is_elder(html_of(web, "/applications"))
    response = web.post("/elder-mode", {"mode": "on", "next": "/applications"})
    assert response.status_code == 302 and response.headers["Location"] == "/applications"
    html = html_of(web, "/applications", ZH)
    assert is_elder(html) and ">标准版</button>" in html

    web.post("/logout")
    other_web.login(citizen.login_name)  # another device, a later sign-in
    assert is_elder(html_of(other_web, "/"))
    other_web.post("/elder-mode", {"mode": "off", "next": "/"})
    assert not is_elder(html_of(other_web, "/"))
    web.login(citizen.login_name)
    assert not is_elder(html_of(web, "/"))


def test_a_visitor_s_elder_mode_lives_in_their_session_only(web, other_web):
    web.post("/elder-mode", {"mode": "on", "next": "/"})
    assert is_elder(html_of(web, "/"))
    assert not is_elder(html_of(other_web, "/"))
    web.post("/language", {"lang": "en", "next": "/"})
    assert is_elder(html_of(web, "/")), "changing the language keeps it"


def test_titles_end_in_the_product_name_of_the_page_s_language(web):
    assert re.search(r"<title>[^<]* · 最多跑一次</title>", html_of(web, "/", ZH))
    assert re.search(r"<title>[^<]* · AtMostOnce</title>", html_of(web, "/", EN))


@pytest.mark.parametrize("path", ["/", "/applications", "/account", "/inbox", "/wallet"])
def test_no_id_appears_twice_on_a_page(web, citizen, path):
    web.login(citizen.login_name)
    ids = Counter(re.findall(r'\sid="([^"]+)"', html_of(web, path)))
    assert [name for name, count in ids.items() if count > 1] == []


def test_what_waits_for_the_applicant_comes_first_with_what_to_do(web, db, citizen):
    long_ago = datetime(2026, 1, 5, tzinfo=UTC)
    newer = make_application(
        db, citizen, ITEM, status=ApplicationStatus.COMPLETED, number="ZJ-20261101-000001", updated_at=clock.now()
    )
    notice = make_application(
        db, citizen, ITEM, status=ApplicationStatus.NEEDS_CORRECTION, number="ZJ-20260105-000002", updated_at=long_ago
    )
    owing = make_application(
        db,
        citizen,
        ITEM,
        status=ApplicationStatus.IN_REVIEW,
        number="ZJ-20260106-000003",
        updated_at=long_ago + timedelta(days=1),
    )
    db.add(
        Task(
            application_id=owing.id,
            item_code=ITEM,
            department="CIVIL",
            status=TaskStatus.CLAIMED,
            owed_materials=["x"],
            supplement_due=date(2026, 1, 13),
        )
    )
    reviewed = make_application(db, citizen, ITEM, status=ApplicationStatus.IN_REVIEW, number="ZJ-20261101-000004")
    db.commit()
    web.login(citizen.login_name)
    html = html_of(web, "/applications")

    waiting, rest = html.split("Other applications")
    assert waiting.index(notice.number) < waiting.index(owing.number)  # oldest first
    assert f'href="/applications/{notice.key}#notice"' in waiting and "Read the notice and fix it" in waiting
    assert f'href="/applications/{owing.key}#owed"' in waiting and "Hand in the missing materials" in waiting
    assert newer.number not in waiting and reviewed.number not in waiting
    assert newer.number in rest and reviewed.number in rest
    assert notice.number not in rest and owing.number not in rest  # listed once


def test_nothing_waiting_means_no_waiting_section(web, db, citizen):
    make_application(db, citizen, ITEM, status=ApplicationStatus.SUBMITTED, number="ZJ-20261101-000009")
    web.login(citizen.login_name)
    html = html_of(web, "/applications")
    assert "Waiting for you" not in html and "ZJ-20261101-000009" in html


def test_the_acceptance_queue_colours_the_wait_by_the_five_working_day_limit_in_words(web, app, db, catalog, frozen):
    store = app.extensions["file_store"]
    _, fresh = submitted(db, catalog, store, ITEM)
    frozen.advance(timedelta(days=10))  # past five working days
    _, late = submitted(db, catalog, store, ITEM)
    frozen.advance(timedelta(hours=1))
    db.expire_all()
    late_number, fresh_number = db.get(Application, late.id).number, db.get(Application, fresh.id).number
    front_desk = make_staff(db, Role.FRONT_DESK)
    web.login(front_desk.login_name)
    html = html_of(web, "/desk")
    rows = {
        number: row for row in html.split('<li class="list-group-item">') for number in re.findall(r"ZJ-[\d-]+", row)
    }
    assert '<span class="badge sla sla-red">Overdue</span>' in rows[fresh_number]
    assert '<span class="badge sla sla-green">On time</span>' in rows[late_number]
    assert "waiting" in rows[fresh_number]


def test_english_pages_join_names_with_commas_and_chinese_with_the_enumeration_comma(web, catalog):
    bundle = catalog.service("BUNDLE-NEWBORN")
    names = [catalog.departments[code].name for code in bundle.departments]
    assert len(names) > 1
    english = html_of(web, f"/services/{bundle.code}", EN)
    chinese = html_of(web, f"/services/{bundle.code}", ZH)
    assert ", ".join(name.en for name in names) in english and "、" not in english
    assert "、".join(name.zh for name in names) in chinese


def test_one_working_day_is_singular(web, catalog):
    one_day = catalog.service("330100-AMR-001")
    assert one_day.promised_limit_days == 1 and not one_day.instant
    html = html_of(web, f"/services/{one_day.code}", EN)
    assert ">1 working day</dd>" in html and "1 working days" not in html


def test_the_search_box_is_explained_by_a_hint_that_stays_while_typing(web, catalog):
    html = html_of(web, "/")
    box = re.search(r'<input[^>]*id="q"[^>]*>', html).group(0)
    assert "placeholder" not in box, "an example in the box vanishes as one types and is cut at phone width"
    hint = re.search(r'aria-describedby="([^"]+)"', box).group(1)
    assert re.search(rf'<p id="{hint}"[^>]*>e\.g\. newborn, business licence', html)


def test_a_stored_message_says_one_working_day_and_many_working_days(app):
    from services.workflow.task_rules import EXTENSION_ASKED
    from web.views.inbox import message_text

    asked = {"number": "ZJ-20261207-000001"}
    with app.test_request_context(headers=EN):
        assert message_text(EXTENSION_ASKED, {**asked, "days": 1}).startswith("Extension of 1 working day asked")
        assert message_text(EXTENSION_ASKED, {**asked, "days": 3}).startswith("Extension of 3 working days asked")
    with app.test_request_context(headers=ZH):
        assert message_text(EXTENSION_ASKED, {**asked, "days": 1}) == "办件ZJ-20261207-000001申请延期1个工作日"
