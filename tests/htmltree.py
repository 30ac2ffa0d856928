"""Reading pages as a tree, for assertions about their structure (that an error
sits beside its field, that a form has an input, that a link exists).

    form = dom(response.text).one("form#new-concern")
    assert form.one("input[name=version]")["value"] == "3"

Selectors: a small subset of CSS, enough for tests: `tag`, `#id`, `.class`,
`[attr]`, `[attr=value]` (value quoted or not), `[attr^=value]`, `[attr$=value]`,
`[attr*=value]`, combined, alternatives separated by commas
(`input.wide[name=q]`), with descendant (space) and child (`>`) combinators.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A start tag that ends an open sibling whose end tag HTML lets one leave out.
IMPLIED_END = {"option": {"option"}, "li": {"li"}, "tr": {"tr", "td", "th"}, "td": {"td", "th"},
               "th": {"td", "th"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "p": {"p"}}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def __contains__(self, name: str) -> bool:
        """Whether the element has the attribute (`"checked" in box`)."""
        return name in self.attrs

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        """The text inside, with white space collapsed."""
        return " ".join("".join(self._texts()).split())

    def _texts(self):
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child._texts()

    @property
    def child_elements(self) -> list[Element]:
        return [child for child in self.children if isinstance(child, Element)]

    def elements(self):
        """Every element inside, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.elements()

    def select(self, selector: str) -> list[Element]:
        """The elements inside matching `selector` (a comma separates alternatives), in document order."""
        alternatives = [parse_selector(part) for part in selector.split(",")]
        return [e for e in self.elements() if any(matches(e, steps, self) for steps in alternatives)]

    def one(self, selector: str) -> Element:
        """The single element matching `selector`; fails the test otherwise."""
        found = self.select(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def has(self, selector: str) -> bool:
        return bool(self.select(selector))

    def closest(self, selector: str) -> Element | None:
        """This element or its nearest ancestor matching `selector` (one compound, no combinators)."""
        [(_, compound)] = parse_selector(selector)
        node: Element | None = self
        while node is not None and node.tag != "#root":
            if compound_matches(node, compound):
                return node
            node = node.parent
        return None

    def __repr__(self) -> str:
        attrs = "".join(f' {k}="{v}"' for k, v in self.attrs.items())
        return f"<{self.tag}{attrs}>"


def field_error(doc: Element, name: str) -> str:
    """The error shown beside the form control named `name` (checkboxes: the
    group): the one `.field-error` inside the control's `.field`."""
    controls = doc.select(f"[name={name}]")
    assert controls, f"no control named {name}"
    fields = {id(field): field for field in (c.closest(".field") for c in controls)}
    assert len(fields) == 1 and None not in fields.values(), f"{name} is not inside one .field"
    [field] = fields.values()
    return field.one(".field-error").text


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        while self.current.tag in IMPLIED_END.get(tag, ()):
            self.current = self.current.parent
        element = Element(tag, {k: "" if v is None else v for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: "" if v is None else v for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is self.root:
            return  # a stray end tag (e.g. of a void element): nothing was open
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(html: str) -> Element:
    """The parsed document (or fragment); select from it."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# -- selectors ----------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(>)\s*|(\s+)|([a-zA-Z][\w-]*|\*)|\#([\w-]+)|\.([\w-]+)"""
    r"""|\[\s*([\w:-]+)\s*(?:([\^$*]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+))\s*)?\]"""
)


def parse_selector(selector: str) -> list[tuple[str, list[tuple]]]:
    """[(combinator, compound)], combinator "" for the first, " " or ">"; a compound
    is a list of tests: ("tag", name), ("attr", name, op, value)."""
    steps: list[tuple[str, list[tuple]]] = []
    combinator, compound = "", []
    pos, selector = 0, selector.strip()
    while pos < len(selector):
        m = _TOKEN.match(selector, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read selector {selector!r} at {pos}")
        pos = m.end()
        child, space, tag, id_, cls, attr, op, *value = m.groups()
        if child or space:
            if not compound:
                raise ValueError(f"a combinator without a left side in {selector!r}")
            steps.append((combinator, compound))
            combinator, compound = (">" if child else " "), []
        elif tag:
            compound.append(("tag", tag.lower()))
        elif id_:
            compound.append(("attr", "id", "=", id_))
        elif cls:
            compound.append(("class", cls))
        else:
            val = next((v for v in value if v is not None), None)
            compound.append(("attr", attr.lower(), op, val))
    if not compound:
        raise ValueError(f"empty selector {selector!r}")
    steps.append((combinator, compound))
    return steps


def compound_matches(element: Element, compound: list[tuple]) -> bool:
    for test in compound:
        if test[0] == "tag":
            if test[1] != "*" and element.tag != test[1]:
                return False
        elif test[0] == "class":
            if test[1] not in element.classes:
                return False
        else:
            _, name, op, value = test
            actual = element.attrs.get(name)
            if actual is None:
                return False
            if op == "=" and actual != value:
                return False
            if op == "^=" and not actual.startswith(value):
                return False
            if op == "$=" and not actual.endswith(value):
                return False
            if op == "*=" and value not in actual:
                return False
    return True


def matches(element: Element, steps: list[tuple[str, list[tuple]]], scope: Element) -> bool:
    """Whether `element` is matched by the selector's last step, its ancestors
    (inside `scope`) matching the steps before."""
    *before, (combinator, compound) = steps
    if not compound_matches(element, compound):
        return False
    if not before:
        return True
    parent = element.parent
    if combinator == ">":
        return parent is not None and parent is not scope and matches(parent, before, scope)
    while parent is not None and parent is not scope:
        if matches(parent, before, scope):
            return True
        parent = parent.parent
    return False
