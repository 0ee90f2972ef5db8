"""Upload a MIB through the MIB Manager, then browse to one of its objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import goto, login, open_page
from tests.e2e.endpoints import StackAddresses

pytestmark = pytest.mark.browser

MODULE = "SNMPLAB-UI-TEST-MIB"
TEMPERATURE_OID = "1.3.6.1.4.1.64999.7.1.1"
MIB_TEXT = f"""{MODULE} DEFINITIONS ::= BEGIN

IMPORTS
    MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE, Integer32, enterprises
        FROM SNMPv2-SMI
    DisplayString
        FROM SNMPv2-TC;

snmplabUiTest MODULE-IDENTITY
    LAST-UPDATED "202611260000Z"
    ORGANIZATION "snmplab"
    CONTACT-INFO "snmplab browser tests"
    DESCRIPTION  "A vendor-style MIB uploaded by the browser tests."
    ::= {{ enterprises 64999 7 }}

uiTestObjects OBJECT IDENTIFIER ::= {{ snmplabUiTest 1 }}

uiTestTemperature OBJECT-TYPE
    SYNTAX      Integer32 (-50..150)
    UNITS       "degrees Celsius"
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "The lab fridge temperature, as the test uploads it."
    ::= {{ uiTestObjects 1 }}

uiTestLabel OBJECT-TYPE
    SYNTAX      DisplayString
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "A label."
    ::= {{ uiTestObjects 2 }}

uiTestOverheat NOTIFICATION-TYPE
    OBJECTS     {{ uiTestTemperature }}
    STATUS      current
    DESCRIPTION "The fridge is too warm."
    ::= {{ snmplabUiTest 0 1 }}

END
"""


def test_mib_upload_then_browse_to_its_object(
    ui_stack: StackAddresses,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
    tmp_path: Path,
) -> None:
    mib_file = tmp_path / f"{MODULE}.mib"
    mib_file.write_text(MIB_TEXT)
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "mibs")

    page.click("#mib-upload")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.set_input_files("#mib-file-input", str(mib_file))
    # Validation runs before anything is saved: the file is valid, imports resolved.
    validation = page.locator("#mib-validation")
    expect(validation).to_contain_text(f"{MODULE}.mib → {MODULE}")
    expect(validation).to_contain_text("Valid")
    expect(validation).to_contain_text("Imports: SNMPv2-SMI, SNMPv2-TC")
    expect(validation).not_to_contain_text("Missing")
    submit = page.locator("#mib-upload-submit")
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.locator(".toast.success")).to_contain_text("Upload done: 1 loaded", timeout=60_000)
    expect(dialog).to_be_hidden()
    expect(page.locator("#mib-list")).to_contain_text(MODULE)

    goto(page, ui_stack, "browser")
    page.fill("#br-search", "uiTestTemperature")
    page.press("#br-search", "Enter")
    node = page.get_by_role("treeitem").filter(has_text="uiTestTemperature").first
    expect(node).to_contain_text(TEMPERATURE_OID)
    node.click()
    details = page.locator("#br-details")
    expect(details).to_contain_text(f"{MODULE}::uiTestTemperature")
    expect(details).to_contain_text(TEMPERATURE_OID)
    expect(details).to_contain_text("The lab fridge temperature, as the test uploads it.")
    expect(details).to_contain_text("read-only")
    expect(details.get_by_role("button", name="Walk this OID")).to_be_visible()

    # "Walk this" hands the object to the walker.
    details.get_by_role("button", name="Walk this OID").click()
    expect(page.locator("#main")).to_have_attribute("data-page", "walker")
    expect(page.locator("#walk-oid")).to_have_value(f"{MODULE}::uiTestTemperature")
    assert page_errors == []


def test_a_broken_mib_is_refused_before_saving_with_its_line(
    ui_stack: StackAddresses,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
    tmp_path: Path,
) -> None:
    broken = tmp_path / "BROKEN-UI-MIB.mib"
    broken.write_text(
        "BROKEN-UI-MIB DEFINITIONS ::= BEGIN\n"
        "IMPORTS enterprises FROM SNMPv2-SMI;\n"
        "brokenThing OBJECT IDENTIFIER ::= { enterprises 64999 8 \n"
        "brokenOther OBJECT-TYPE SYNTAX\n"
        "END\n"
    )
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "mibs")
    page.click("#mib-upload")
    page.set_input_files("#mib-file-input", str(broken))
    validation = page.locator("#mib-validation")
    expect(validation).to_contain_text("Invalid")
    expect(validation).to_contain_text("line ")
    expect(validation).to_contain_text("Nothing is saved until every file is valid")
    expect(page.locator("#mib-upload-submit")).to_be_disabled()
    page.keyboard.press("Escape")
    expect(page.locator("#mib-list")).not_to_contain_text("BROKEN-UI-MIB")
    assert page_errors == []


DROP_SCRIPT = """
([name, text]) => {
  const dt = new DataTransfer();
  dt.items.add(new File([text], name, { type: 'text/plain' }));
  const card = document.getElementById('mib-list').closest('.card');
  card.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
  card.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
}
"""


def test_dropping_files_on_the_library_opens_the_validated_upload(
    ui_stack: StackAddresses,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "mibs")
    expect(page.locator("#mib-list li").first).to_be_visible()
    text = MIB_TEXT.replace(MODULE, "SNMPLAB-UI-DROP-MIB").replace("64999 7", "64999 9")
    page.evaluate(DROP_SCRIPT, ["SNMPLAB-UI-DROP-MIB.my", text])
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("SNMPLAB-UI-DROP-MIB.my → SNMPLAB-UI-DROP-MIB")
    expect(dialog).to_contain_text("Valid")
    expect(page.locator("#mib-upload-submit")).to_be_enabled()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page_errors == []


def test_trap_library_hands_a_notification_to_the_sender(
    ui_stack: StackAddresses,
    new_context: Callable[..., BrowserContext],
    page_errors: list[str],
) -> None:
    page = open_page(new_context(), ui_stack.gateway_url, page_errors)
    login(page, ui_stack)
    goto(page, ui_stack, "mibs")
    page.get_by_label("Search notifications").fill("linkDown")
    page.get_by_role("button", name="Send linkDown").click()
    expect(page.locator("#main")).to_have_attribute("data-page", "traps")
    expect(page.locator("#tab-send")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#send-oid")).to_have_value("IF-MIB::linkDown")
    expect(page.get_by_label("Var-bind OID").first).to_have_value("IF-MIB::ifIndex.1")
    assert page_errors == []
