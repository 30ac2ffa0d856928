"""A visible focus outline where the keyboard is: the date field's calendar
button takes focus of its own in Chromium (Tab after the year), and without a
rule of ours it showed no outline at all, the field's own having gone."""

from __future__ import annotations

import base64

from tests.e2e.people import sign_in

FOCUS = (0xB3, 0x59, 0x00)  # --focus in static/app.css
# Pixels of the focus colour in a PNG, counted by the browser itself (a canvas).
COUNT_FOCUS_PIXELS = """async ([src, rgb]) => {
  const image = new Image(); image.src = src; await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width; canvas.height = image.height;
  const g = canvas.getContext('2d'); g.drawImage(image, 0, 0);
  const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (Math.abs(d[i] - rgb[0]) < 40 && Math.abs(d[i + 1] - rgb[1]) < 40 && Math.abs(d[i + 2] - rgb[2]) < 60) n++;
  return n;
}"""


def focus_pixels(page, locator) -> int:
    shot = "data:image/png;base64," + base64.b64encode(locator.screenshot()).decode()
    return page.evaluate(COUNT_FOCUS_PIXELS, [shot, list(FOCUS)])


def test_the_date_fields_calendar_button_shows_where_focus_is(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    page.goto(server.url + "/bekymringer/ny")
    date_field = page.locator("#f-observed_on")
    field = date_field.locator("xpath=ancestor::div[contains(@class, 'field')][1]")
    date_field.focus()  # the day
    assert focus_pixels(page, field) > 500  # the field's outline
    for _ in range(3):  # month, year, the calendar button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-observed_on"
    assert focus_pixels(page, field) > 100, "the calendar button has focus but no outline"
    page.keyboard.press("Tab")  # and on, out of the field
    assert page.evaluate("document.activeElement.id") != "f-observed_on"
