"""The HTML page of a concept map: our Jinja2 template (``templates/map.html``) with vis-network,
the page script and its style inlined, the map's data as JSON in a
``<script type="application/json">`` block, and a Content-Security-Policy that allows only the
page's own two scripts (by hash) and no request at all (see :mod:`kg.render.map`, "Safety").
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

_VIS_JS = ("templates", "lib", "vis-9.1.2", "vis-network.min.js")
_SCRIPT_END = re.compile(r"</script|<!--", re.IGNORECASE)
_STYLE_END = re.compile(r"</style", re.IGNORECASE)


def script_json(data: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``</script>``, no HTML comment, no U+2028.

    ``<``, ``>`` and ``&`` only ever occur inside JSON strings, where ``\\u003c`` etc. mean the
    same characters, so the parsed value is unchanged.

    Example
    -------
    >>> script_json({"t": "</script><!--\\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028"}'
    >>> json.loads(script_json({"t": "</script>"}))["t"]
    '</script>'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """vis-network (from the pinned pyvis package), and our page script and style."""
    vis_js = resources.files("pyvis").joinpath(*_VIS_JS).read_text(encoding="utf-8")
    here = resources.files("kg.render").joinpath("templates")
    page_js = here.joinpath("map.js").read_text(encoding="utf-8")
    page_css = here.joinpath("map.css").read_text(encoding="utf-8")
    for name, text in (("vis-network.min.js", vis_js), ("map.js", page_js)):
        if _SCRIPT_END.search(text):
            raise RuntimeError(f"{name} contains '</script' or '<!--' and cannot be inlined safely")
    if _STYLE_END.search(page_css):
        raise RuntimeError("map.css contains '</style' and cannot be inlined safely")
    return vis_js, page_js, page_css


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _template():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("kg.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("map.html")


def render_html(model: dict) -> str:
    """The complete HTML page for a :func:`map_model`: scripts and style inlined, no external reference."""
    vis_js, page_js, page_css = _assets()
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(page_js)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    return _template().render(
        title=model["title"],
        notes=model["notes"],
        legend=model["legend"],
        physics=model["physics"],
        csp=csp,
        vis_js=vis_js,
        page_js=page_js,
        page_css=page_css,
        data_json=script_json(
            {
                "nodes": model["nodes"],
                "edges": model["edges"],
                "options": model["options"],
                "communities": model["communities"],
                "folded": model["folded"],
                "more": model.get("more", []),
                "centre": model["centre"],
                "colours": {row["type"]: row["colour"] for row in model["legend"]},
            }
        ),
    )
