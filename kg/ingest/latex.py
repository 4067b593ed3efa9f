"""LaTeX in titles and abstracts made readable as plain Unicode text.

arXiv metadata, the arXiv API and BibTeX carry LaTeX: ``\\emph{x}``, accents (``\\'e``,
``{\\"o}``), ``$\\alpha$``-math, ``~`` ties, ``\\%``. This module turns it into the text a reader
would see, without a TeX engine: commands it knows become characters (``\\alpha`` -> α,
``\\times`` -> ×), formatting commands keep their argument, math delimiters are dropped and the
formula is kept as plain text (``$\\mathcal{O}(n^{2})$`` -> ``O(n^2)``). URLs are left alone
(``~`` in a URL is not a tie). ``--`` and ``---`` stay as written.

Every rule is a single regular-expression pass repeated until nothing changes (at most a few
times), so arbitrary input cannot make it loop or backtrack badly.
"""

from __future__ import annotations

import re
import unicodedata

#: Accent commands -> combining characters (composed with NFC afterwards).
ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}

#: Commands standing for one character or word.
SYMBOLS = {
    # letters
    "aa": "å", "AA": "Å", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "ss": "ß", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ",
    "ng": "ŋ", "NG": "Ŋ",
    # text symbols
    "ldots": "…", "dots": "…", "cdots": "⋯", "textendash": "–", "textemdash": "—",
    "textasciitilde": "~", "textbackslash": "\\", "textbar": "|", "S": "§", "P": "¶",
    "copyright": "©", "textregistered": "®", "texttrademark": "™", "pounds": "£", "euro": "€",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "textdegree": "°", "degree": "°",
    # greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # math operators and relations
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "div": "÷", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃",
    "cong": "≅", "equiv": "≡", "propto": "∝", "infty": "∞", "partial": "∂", "nabla": "∇",
    "sum": "∑", "prod": "∏", "int": "∫", "oint": "∮", "in": "∈", "notin": "∉", "ni": "∋",
    "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇", "cup": "∪", "cap": "∩",
    "setminus": "∖", "emptyset": "∅", "varnothing": "∅", "forall": "∀", "exists": "∃",
    "neg": "¬", "lnot": "¬", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "oplus": "⊕",
    "otimes": "⊗", "odot": "⊙", "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "leftrightarrow": "↔",
    "iff": "⟺", "implies": "⟹", "mapsto": "↦", "longrightarrow": "⟶", "uparrow": "↑",
    "downarrow": "↓", "ll": "≪", "gg": "≫", "circ": "∘", "star": "⋆", "ast": "∗",
    "dagger": "†", "ddagger": "‡", "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ",
    "aleph": "ℵ", "prime": "′", "perp": "⊥", "parallel": "∥", "mid": "|", "vert": "|",
    "Vert": "‖", "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "top": "⊤", "bot": "⊥", "vdash": "⊢", "models": "⊨", "triangle": "△",
    "square": "□", "checkmark": "✓", "lbrace": "{", "rbrace": "}", "backslash": "\\",
    "colon": ":", "bullet": "•",
    # named functions keep their name
    "log": "log", "ln": "ln", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan",
    "max": "max", "min": "min", "arg": "arg", "argmax": "argmax", "argmin": "argmin",
    "lim": "lim", "sup": "sup", "inf": "inf", "det": "det", "dim": "dim", "ker": "ker",
    "Pr": "Pr", "tanh": "tanh", "sigmoid": "sigmoid", "softmax": "softmax", "gcd": "gcd",
}

#: Formatting commands whose single argument is the text.
WRAPPERS = frozenset(
    "emph textit textbf textrm textsf texttt textsc textup textmd textnormal textsl underline "
    "mathrm mathit mathbf mathsf mathtt mathnormal boldsymbol bm mbox hbox text textup "
    "operatorname mathop ensuremath url uline textcolor_arg fbox overline underbrace "
    "textsuperscript_arg".split()
)
#: Commands that change the font or size for the rest of a group: removed.
SWITCHES = frozenset(
    "em it bf rm sc tt sl sf up md normalfont itshape bfseries scshape ttfamily rmfamily sffamily "
    "upshape mdseries slshape tiny scriptsize footnotesize small normalsize large Large LARGE huge "
    "Huge displaystyle textstyle scriptstyle left right big Big bigg Bigg bigl bigr Bigl Bigr "
    "biggl biggr Biggl Biggr limits nolimits noindent par centering protect relax xspace "
    "nonumber notag quad qquad".split()
)
#: Commands whose argument is not text for a reader (keys, labels): removed with the argument.
DROPPED = frozenset("cite citep citet citealp citeauthor citeyear ref eqref label footnote thanks vspace hspace".split())
#: Math accents: the argument keeps its letter and gets a combining mark.
MATH_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303", "bar": "\u0304",
    "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "acute": "\u0301", "grave": "\u0300",
    "breve": "\u0306", "check": "\u030c",
}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "P": "ℙ", "E": "𝔼", "H": "ℍ"}
#: Escaped characters; braces go through private-use placeholders so that bare group braces
#: can be removed afterwards without touching the escaped ones.
_LBRACE, _RBRACE, _DOLLAR = "\ue000", "\ue001", "\ue002"
ESCAPES = {"&": "&", "%": "%", "$": _DOLLAR, "#": "#", "_": "_", "{": _LBRACE, "}": _RBRACE, " ": " ", ",": " ", ";": " ", ":": " ", "!": "", "/": "", "-": "", "\\": " ", "|": "‖"}

_URL_RE = re.compile(r"(?:https?|ftp)://\S+|www\.\S+")
_GROUP = r"\{([^{}]*)\}"
_ACCENT_SYMBOL_RE = re.compile(r"\\(['`^\"~=.])\s*(?:\{\s*(\\[ij](?![A-Za-z])|[^{}\\\s])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))")
_ACCENT_LETTER_RE = re.compile(r"\\([cvuHkrdb])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[^{}\\\s])\s*\}|\s+([A-Za-z]))")
_FRAC_RE = re.compile(r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP)
_SQRT_RE = re.compile(r"\\sqrt\s*(?:\[[^\]{}]*\])?\s*" + _GROUP)
_BB_RE = re.compile(r"\\(mathbb|mathcal|mathfrak|mathscr|mathds)\s*" + _GROUP)
_CMD_GROUP_RE = re.compile(r"\\([A-Za-z]+)\*?\s*" + _GROUP)
_CMD_RE = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\*?")
_ESCAPE_RE = re.compile(r"\\([&%$#_{} ,;:!/\-\\|])")
_BARE_GROUP_RE = re.compile(r"(\\[A-Za-z]+\*?\s*)?\{([^{}]*)\}")


def _bare_group(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1] if match.start() else ""
    if match.group(1) or (before and before in "}^_"):
        return match.group(0)
    return match.group(2)
_SCRIPT_RE = re.compile(r"([\^_])\s*" + _GROUP)
# (each body stops at the next opening delimiter, so unclosed ones cost linear time, not quadratic)
_DISPLAY_MATH_RE = re.compile(r"\$\$([^$]{1,2000})\$\$|\\\(((?:[^\\]|\\[^()]){1,2000}?)\\\)|\\\[((?:[^\\]|\\[^\[\]]){1,2000}?)\\\]")
# Inline math: $ followed by a non-space, closed by a $ after a non-space that is not
# followed by a digit ("costs $5 and $10" is money, not math).
_INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$]{1,1000}?)(?<=[^\s\\])\$(?!\d)")
_QUOTES_RE = re.compile(r"``([^`]{0,2000}?)''")
_MAX_PASSES = 8

#: Does a string contain LaTeX worth converting (used where the source may or may not be LaTeX)?
_KNOWN = "|".join(sorted(set(SYMBOLS) | WRAPPERS | SWITCHES | DROPPED | set(MATH_ACCENTS) | {"frac", "dfrac", "tfrac", "sqrt", "mathbb", "mathcal", "mathfrak", "mathscr"}, key=len, reverse=True))
_LATEX_HINT_RE = re.compile(rf"\\(?:{_KNOWN})(?![A-Za-z])|\\['`^\"~=.]\s*\{{?[A-Za-z]|\\[cvuHkrdb]\{{[A-Za-z]\}}|\\[&%$#_]|(?<![\\$])\$(?=[^\s$])[^$]{{1,1000}}?(?<=[^\s\\])\$(?!\d)")


def looks_like_latex(text: str) -> bool:
    """True when ``text`` uses LaTeX that kg knows (a known command, an accent, ``$math$``).

    >>> looks_like_latex(r"The $\\alpha$-divergence"), looks_like_latex("costs $5 and $10"), looks_like_latex(r"C:\\Users")
    (True, False, False)
    """
    return bool(_LATEX_HINT_RE.search(text))


def _compose(base: str, mark: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + mark)


def _script(match: re.Match[str]) -> str:
    body = match.group(2).strip()
    if len(body) <= 1 or body.isalnum():
        return match.group(1) + body
    return f"{match.group(1)}({body})"


def _frac(match: re.Match[str]) -> str:
    num, den = match.group(1).strip(), match.group(2).strip()
    wrap = lambda s: s if len(s) <= 1 or s.isalnum() else f"({s})"  # noqa: E731
    return f"{wrap(num)}/{wrap(den)}"


_MULTI_ARG = frozenset(("frac", "dfrac", "tfrac", "sqrt", "mathbb", "mathcal", "mathfrak", "mathscr", "mathds"))


def _command_with_group(match: re.Match[str], unknown: str) -> str:
    name, arg = match.group(1), match.group(2)
    if name in _MULTI_ARG:
        return match.group(0)  # its own rule handles it once its arguments are plain
    if name in WRAPPERS:
        return arg
    if name in DROPPED:
        return ""
    if name in MATH_ACCENTS:
        return _compose(arg.strip(), MATH_ACCENTS[name]) if len(arg.strip()) == 1 else arg
    if name in SYMBOLS or name in SWITCHES:  # "\alpha{}" or "{\em{x}}": the group is separate
        return (SYMBOLS.get(name, "")) + arg
    if unknown == "strip":
        return arg
    return match.group(0).replace("{", _LBRACE).replace("}", _RBRACE)


def _command(match: re.Match[str], unknown: str) -> str:
    name = match.group(1)
    if name in SYMBOLS:
        return SYMBOLS[name]
    if name in SWITCHES or name in DROPPED or name in WRAPPERS or name in MATH_ACCENTS:
        return " " if name in ("quad", "qquad") else ""
    if name in ("frac", "dfrac", "tfrac", "sqrt", "mathbb", "mathcal", "mathfrak", "mathscr", "mathds"):
        return ""
    return name if unknown == "strip" else "\\" + name


_CITATION_RE = re.compile(r"\\cite[a-z]*\*?\s*(?:\[[^\]{}]{0,200}\]\s*){0,2}\{[^{}]*\}")


def _convert_segment(text: str, *, unknown: str, braces: bool) -> str:
    if "\\cite" in text:  # "edges~\cite{x};" -> "edges;": the citation and the space before it go
        text = "".join(part.rstrip(" \t\n~") if i + 1 < len(parts) else part
                       for parts in [_CITATION_RE.split(text)] for i, part in enumerate(parts))
    if "``" in text:
        text = _QUOTES_RE.sub(lambda m: f"“{m.group(1)}”", text)
    if "$$" in text or "\\(" in text or "\\[" in text:
        text = _DISPLAY_MATH_RE.sub(lambda m: next(g for g in m.groups() if g is not None), text)
    if "$" in text:
        text = _INLINE_MATH_RE.sub(lambda m: m.group(1), text)
    if "\\" in text:
        text = _ESCAPE_RE.sub(lambda m: ESCAPES[m.group(1)], text)
    for _ in range(_MAX_PASSES):
        if "\\" not in text and "{" not in text:
            break  # nothing left for the command and group rules
        before = text
        text = _ACCENT_SYMBOL_RE.sub(lambda m: _compose(m.group(2) or m.group(3), ACCENTS[m.group(1)]), text)
        text = _ACCENT_LETTER_RE.sub(lambda m: _compose(m.group(2) or m.group(3), ACCENTS[m.group(1)]), text)
        text = _FRAC_RE.sub(_frac, text)
        text = _SQRT_RE.sub(lambda m: "√" + (m.group(1) if len(m.group(1).strip()) <= 1 else f"({m.group(1).strip()})"), text)
        text = _BB_RE.sub(lambda m: BLACKBOARD.get(m.group(2).strip(), m.group(2)) if m.group(1) in ("mathbb", "mathds") else m.group(2), text)
        text = _CMD_GROUP_RE.sub(lambda m: _command_with_group(m, unknown), text)
        text = _CMD_RE.sub(lambda m: SYMBOLS.get(m.group(1), m.group(0)), text)
        text = _SCRIPT_RE.sub(_script, text)
        if braces:
            # innermost plain groups ({BERT}, {é}) lose their braces, then outer ones next pass;
            # a group right after a command, a script mark or another group is an argument: kept
            text = _BARE_GROUP_RE.sub(_bare_group, text)
        if text == before:
            break
    text = _CMD_RE.sub(lambda m: _command(m, unknown), text)
    if braces:
        text = text.replace("{", "").replace("}", "")
    text = re.sub(r"(?<!\\)~", " ", text)
    return text.replace(_LBRACE, "{").replace(_RBRACE, "}").replace(_DOLLAR, "$")


def latex_to_text(text: str, *, unknown: str = "strip", braces: bool = True) -> str:
    """Readable plain text for a string written in LaTeX.

    Parameters
    ----------
    text : str
        The LaTeX source (a title, an abstract, an author name).
    unknown : "strip" or "keep"
        What happens to a command kg does not know: ``strip`` keeps its name or argument
        without the backslash (sources known to be LaTeX); ``keep`` leaves it as written
        (sources that only sometimes contain LaTeX).
    braces : bool
        Remove bare grouping braces (``{BERT}`` -> ``BERT``), as in BibTeX.

    Returns
    -------
    str
        The text, not yet whitespace-normalised.

    Example
    -------
    >>> latex_to_text(r"Schr\\"odinger meets \\emph{BERT}: $\\mathcal{O}(n^{2})$ for 10\\% of {\\'e}t{\\'e}~data")
    'Schrödinger meets BERT: O(n^2) for 10% of été data'
    """
    if "\\" not in text and "$" not in text and "{" not in text and "~" not in text and "``" not in text:
        return text
    parts: list[str] = []
    last = 0
    for url in _URL_RE.finditer(text):
        parts.append(_convert_segment(text[last:url.start()], unknown=unknown, braces=braces))
        parts.append(url.group(0))
        last = url.end()
    parts.append(_convert_segment(text[last:], unknown=unknown, braces=braces))
    return "".join(parts)
