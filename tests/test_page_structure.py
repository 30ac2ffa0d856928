"""What assistive technology relies on in every page's markup: ids are unique,
a label names the control it says it names, ARIA attributes are never empty and
point at elements that exist. Every page of the access-matrix crawl is read,
for every role that may open it, and every form the crawl sends back with errors."""

from __future__ import annotations

import pytest

from tests.htmltree import dom
from tests.test_access_matrix import MATRIX, ROLES, matrix_values

# The elements a <label for> can name (HTML's "labelable elements").
LABELABLE = {"button", "input", "meter", "output", "progress", "select", "textarea"}
# ARIA attributes whose value is a list of ids.
ID_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage", "aria-owns")


def structure_problems(html: str) -> list[str]:
    """Duplicate ids, labels naming no control or the wrong one, empty ARIA
    attributes and ARIA references to missing ids, in one page."""
    doc = dom(html)
    problems, by_id = [], {}
    for element in doc.elements():
        if "id" in element:
            if element["id"] in by_id:
                problems.append(f"duplicate id={element['id']!r}")
            by_id.setdefault(element["id"], element)
    for element in doc.elements():
        for name, value in element.attrs.items():
            if (name.startswith("aria-") or name == "role") and not value.strip():
                problems.append(f"empty {name} on {element!r}")
            if name in ID_REFERENCES:
                problems += [f"{name} on {element!r} names missing id={ref!r}"
                             for ref in value.split() if ref not in by_id]
        if element.tag == "label" and "for" in element:
            target = by_id.get(element["for"])
            if target is None:
                problems.append(f"{element!r} names no element")
            elif target.tag not in LABELABLE or target.get("type") == "hidden":
                problems.append(f"{element!r} names a {target!r}, which a label cannot name")
            elif element.closest("form") is not target.closest("form"):
                problems.append(f"{element!r} names a control in another form")
    return sorted(set(problems))


def test_the_check_finds_each_kind_of_problem():
    page = """<form><label for="a">A</label><input id="a" aria-describedby="">
              <label for="b">B</label><input id="a"></form>
              <form><label for="c">C</label></form><p id="p" aria-labelledby="gone"></p>
              <label for="p">P</label><form><label for="x">X</label></form><form><input id="x"></form>"""
    assert structure_problems(page) == sorted([
        "duplicate id='a'",
        "empty aria-describedby on <input id=\"a\" aria-describedby=\"\">",
        '<label for="b"> names no element',
        '<label for="c"> names no element',
        "aria-labelledby on <p id=\"p\" aria-labelledby=\"gone\"> names missing id='gone'",
        '<label for="p"> names a <p id="p" aria-labelledby="gone">, which a label cannot name',
        '<label for="x"> names a control in another form',
    ])
    assert structure_problems('<label for="a">A</label><input id="a" aria-describedby="a-hint">'
                              '<p id="a-hint">Hint</p>') == []


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_unique_ids_true_labels_and_aria_that_points_somewhere(web, role):
    client = web.login(role)
    values = matrix_values(web)
    pages = {"/tilgjengelighet"} | {
        template.format(**values) for method, template, allowed, *_ in MATRIX if method == "GET" and role in allowed}
    checked, failures = 0, []
    for path in sorted(pages):
        response = client.get(path)
        if response.status_code != 200 or not response.headers["content-type"].startswith("text/html"):
            continue
        checked += 1
        failures += [f"{path}: {problem}" for problem in structure_problems(response.text)]
    # The forms sent back with errors (the matrix's placeholder data is mostly refused).
    token = client.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0]
    for method, template, allowed, *_ in MATRIX:
        if method != "POST" or role not in allowed:
            continue
        path = template.format(**values)
        # As a whole page, and as the fragment htmx swaps in (it must hold what it refers to).
        for how, headers in (("POST", {}), ("htmx POST", {"HX-Request": "true"})):
            response = client.post(path, data={"csrf_token": token, "name": "X"}, headers=headers,
                                   follow_redirects=False)
            if response.status_code in (200, 409, 422) and response.headers["content-type"].startswith("text/html"):
                checked += 1
                failures += [f"{how} {path}: {problem}" for problem in structure_problems(response.text)]
    assert checked >= 3, f"only {checked} pages read for {role}"
    assert failures == [], "\n".join(failures)
