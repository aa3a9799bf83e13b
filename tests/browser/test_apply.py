"""The apply helper: who signs (LA clauses 2.2-2.4) and the file name of the signed LA."""

from __future__ import annotations

import re

import pytest

from casme3_compliance import api

from .test_lookup import tab_to

pytestmark = pytest.mark.browser


def signer(page) -> tuple[str, str]:
    """`data-signer` and the one visible answer."""
    shown = page.locator("#apply-signer > p:visible")
    assert shown.count() == 1
    return page.get_attribute("#apply-signer", "data-signer"), shown.text_content()


def test_a_student_without_a_work_email_has_the_supervisor_sign(tab):
    tab.goto("apply/")
    assert signer(tab.page)[0] == ""
    # Keyboard alone: Tab into the first question, Space picks "Yes"; the second, arrow to "No".
    tab_to(tab.page, "#apply-student-yes")
    tab.page.keyboard.press("Space")
    assert tab.page.is_checked("#apply-student-yes")
    assert signer(tab.page)[0] == ""  # one answer is not enough
    tab_to(tab.page, "input[name=apply-email]")
    tab.page.keyboard.press("ArrowRight")
    assert tab.page.is_checked("#apply-email-no")
    who, text = signer(tab.page)
    assert who == "supervisor"
    assert "supervisor signs" in text and "work email" in text
    assert "name" in text and "registered competition ID" in text


def test_anyone_with_a_fixed_work_email_signs_themselves(tab):
    tab.goto("apply/")
    for student in ("yes", "no"):
        tab.page.check(f"#apply-student-{student}")
        tab.page.check("#apply-email-yes")
        who, text = signer(tab.page)
        assert who == "user" and "You sign" in text and "fixed work email" in text
    tab.page.check("#apply-email-no")  # not a student, no work email: still the user, who needs one
    who, text = signer(tab.page)
    assert who == "user" and "get one before you apply" in text


def test_the_signers_name_gives_the_file_name_and_the_copy_button_copies_it(tab, kb):
    tab.goto("apply/")
    copy = tab.page.locator("#apply-filename-copy")
    assert copy.is_disabled()
    for name in ("Jane Doe", "Zoë O'Neil-Smith", "李明", "  Padded Name  "):
        tab.page.fill("#apply-signer-name", name)
        want = kb.agreement.filename_template.replace("{name}", name.strip())
        assert tab.page.text_content("#apply-filename") == want
        assert tab.page.get_attribute("#apply-filename", "data-valid") == "true"
        assert tab.page.text_content("#apply-filename-error") == ""
    assert want == "License Agreement for CAS(ME)3 Padded Name.pdf"
    copy.click()
    assert tab.page.evaluate("navigator.clipboard.readText()") == want
    assert want in tab.page.text_content("#apply-copy-status")


def test_a_name_that_cannot_be_in_a_file_name_is_refused(tab):
    tab.goto("apply/")
    names = [
        "Jane/Doe",
        "Jane\\Doe",
        "J:D",
        "Who?",
        "a*b",
        'The "Boss"',
        "<x>",
        "a|b",
        "a\x07b",
        " ",
        "",
    ]
    for name in names:
        tab.page.fill("#apply-signer-name", "Jane Doe")
        tab.page.fill("#apply-signer-name", name)
        bad = set(re.findall(api.FILENAME_FORBIDDEN, name))
        assert bad or not name.strip(), name
        assert tab.page.text_content("#apply-filename") == "", name
        assert tab.page.get_attribute("#apply-filename", "data-valid") == "false", name
        error = tab.page.locator("#apply-filename-error")
        assert error.is_visible() and error.text_content().strip(), name
        for ch in bad - {"\x07"}:  # a control character is named by its escape
            assert ch in error.text_content(), name
        assert tab.page.locator("#apply-filename-copy").is_disabled(), name
