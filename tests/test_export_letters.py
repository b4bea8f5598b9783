"""Every Latin letter with a diacritic, in every spelling a source may use, through every real client.

The letters are all of Unicode's precomposed Latin letters that are an ASCII letter plus one diacritic LaTeX
has an accent command for (306 of them), and ø/ł, which are letters of their own. The spellings: NFC, NFD,
HTML entities (named, decimal, hexadecimal), LaTeX accents braced (`{\\'e}`), with a braced argument
(`\\'{e}`), unbraced (`\\'e`, `\\v c`), and over a dotless `\\i`/`\\j` (`{\\'\\i}`, `\\'{\\i}`), as the ACL
Anthology writes Lluís. Each spelling goes through the parsing a source of that shape uses (BibTeX fields:
names.split_bibtex_names; JSON/XML names: names.person_from_display), then one document holds every letter
(an entry per letter, an author per spelling), written in the BibTeX and BibLaTeX flavours and as CSL-JSON,
and goes through bibtex + natbib (pdfLaTeX), biber + biblatex (pdfLaTeX and LuaLaTeX, both .bib flavours),
Better BibTeX's parser, citation-js and pandoc (CSL-JSON and .bib). Each must accept it without a warning
and give back, for every author, the very letter (NFC) that was spelled.

pdfLaTeX takes a letter only if its UTF-8 input sets it up (207 of the 310; biber passes every letter on as
UTF-8, whatever the .bib spelling): its documents hold those, and the export's table of them is checked
against the installed TeX files; the other letters go through LuaLaTeX, and the export report names their
entries as needing a Unicode engine.
"""
from __future__ import annotations

import html.entities
import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from atpbib.export import export_works  # noqa: E402
from atpbib.export.latex import ACCENTS, escape_text, pdflatex_takes  # noqa: E402
from atpbib.export.report import build_report  # noqa: E402
from atpbib.keys import ensure_keys  # noqa: E402
from atpbib.model import Person, Work  # noqa: E402
from atpbib.names import latex_to_text, person_from_display, split_bibtex_names  # noqa: E402

ABOVE = {"\u0300", "\u0301", "\u0302", "\u0303", "\u0304", "\u0306", "\u0307", "\u0308", "\u030a", "\u030b", "\u030c"}
OWN_LETTERS = {"ø": "\\o", "Ø": "\\O", "ł": "\\l", "Ł": "\\L"}


def letters() -> list[str]:
    """Every precomposed Latin letter = ASCII letter + one diacritic with a LaTeX accent command."""
    out = []
    for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        parts = unicodedata.normalize("NFD", chr(cp))
        if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in ACCENTS:
            out.append(chr(cp))
    return out + list(OWN_LETTERS)


def spellings(letter: str) -> list[tuple[str, str, str]]:
    """(how, parser, text) for every way a source may write `letter`."""
    nfd = unicodedata.normalize("NFD", letter)
    out = [("nfc", "display", letter), ("nfd", "display", nfd),
           ("html-dec", "display", f"&#{ord(letter)};"), ("html-hex", "display", f"&#x{ord(letter):X};")]
    if ord(letter) in html.entities.codepoint2name:
        out.append(("html-named", "display", f"&{html.entities.codepoint2name[ord(letter)]};"))
    if letter in OWN_LETTERS:
        macro = OWN_LETTERS[letter]
        return out + [("latex-braced", "bibtex", "{" + macro + "}"), ("latex-empty-arg", "bibtex", macro + "{}")]
    base, mark = nfd[0], nfd[1]
    macro = "\\" + ACCENTS[mark]
    sep = " " if ACCENTS[mark].isalpha() else ""
    out += [("latex-braced", "bibtex", "{" + macro + sep + base + "}"),
            ("latex-arg", "bibtex", macro + "{" + base + "}"),
            ("latex-bare", "bibtex", macro + sep + base)]
    if base in "ij" and mark in ABOVE:
        dotless = "\\" + base
        out += [("latex-dotless", "bibtex", "{" + macro + dotless + "}"),
                ("latex-dotless-arg", "bibtex", macro + "{" + dotless + "}")]
    return out


def family_of(letter: str) -> str:
    return f"Q{letter}z"


def parsed(parser: str, text: str) -> Person:
    """The spelling as a source of that shape hands it to us, parsed the way that source's module does."""
    if parser == "bibtex":
        (person,) = split_bibtex_names(f"Q{text}z, Ann")
    else:
        person = person_from_display(f"Ann Q{text}z")
    return person


def letter_works() -> list[Work]:
    works = []
    for letter in letters():
        authors = tuple(parsed(parser, text) for _, parser, text in spellings(letter))
        works.append(Work(title=f"Letter U+{ord(letter):04X}", origins=(), authors=authors, year=2020,
                          type="inproceedings", container_title="Proceedings of the Letters", venue="Letters 2020",
                          status="resolved", sources=("test",)))
    return ensure_keys(works)


def test_every_spelling_parses_to_the_one_nfc_letter():
    wrong = [(letter, how, text, parsed(parser, text).family)
             for letter in letters() for how, parser, text in spellings(letter)
             if parsed(parser, text).family != family_of(letter)]
    assert len(letters()) == 310 and not wrong, wrong[:20]


# -- the real clients ----------------------------------------------------------------------------------------

from test_export_realclients import _node, ok, require, require_node_packages, run  # noqa: E402

pytestmark = pytest.mark.realclient
CLIENTS = Path(__file__).resolve().parent / "realclients"


@pytest.fixture(scope="module")
def works():
    return letter_works()


def _pdflatex(works):
    return [w for w in works if pdflatex_takes(_letter(w))]


def installed_pdflatex_letters() -> set[int]:
    """The code points the installed LaTeX's UTF-8 input sets up (its .dfu files)."""
    require("kpsewhich")
    found: set[int] = set()
    for name in ("t1enc.dfu", "ts1enc.dfu", "ot1enc.dfu", "omsenc.dfu"):
        path = run(["kpsewhich", name], Path.cwd()).stdout.strip()
        if path:
            text = Path(path).read_text(encoding="latin-1")
            found |= {int(m, 16) for m in re.findall(r"\\DeclareUnicodeCharacter\{([0-9A-F]+)\}", text)}
    assert found, "no .dfu file found"
    return found


def test_the_export_knows_which_letters_pdflatex_takes():
    known = installed_pdflatex_letters()
    assert {c for c in letters() if pdflatex_takes(c)} == {c for c in letters() if ord(c) in known}


def test_the_report_names_the_entries_whose_letters_need_a_unicode_engine(works):
    flagged = {i["key"] for i in build_report(works)["unicode_engine"]["works"]}
    assert flagged == {w.key for w in works if not pdflatex_takes(_letter(w))} and 90 < len(flagged) < 120


def _expected(work: Work) -> str:
    return re.search(r"U\+([0-9A-F]+)", work.title).group(1)


def _letter(work: Work) -> str:
    return chr(int(_expected(work), 16))


def write(tmp: Path, works, fmt: str, driver: str | None = None) -> Path:
    path = tmp / "library.bib" if fmt != "csl-json" else tmp / "library.json"
    path.write_text(export_works(works, fmt), encoding="utf-8")
    if driver:
        (tmp / "doc.tex").write_text((CLIENTS / driver).read_text(encoding="utf-8"), encoding="utf-8")
        (tmp / "cites.tex").write_text("\\nocite{*}\n", encoding="utf-8")
    return path


def latex_run(tmp: Path, engine: str, tool: str, *tool_args: str, glyphs_may_miss: bool = False) -> None:
    """Compile; no error or warning. glyphs_may_miss: LuaLaTeX's Latin Modern has no glyph for some letters
    (ḅ, Ȧ): the letter arrives intact (the .bbl is checked) and a font that has it prints it."""
    latex = [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    ok(latex, tmp)
    ok([tool, *tool_args, "doc"], tmp)
    ok(latex, tmp)
    ok(latex, tmp)
    blg = (tmp / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"Warning|WARN|ERROR|error message", blg), blg[-3000:]
    log = (tmp / "doc.log").read_text(encoding="utf-8", errors="replace")
    problems = [p for p in re.findall(r"^!.*|.*Warning.*|Missing character.*|.*not set up for use.*", log, re.M)
                if not (glyphs_may_miss and p.startswith("Missing character: There is no"))]
    assert not problems, problems[:10]


def test_bibtex_natbib_pdflatex_take_every_letter(tmp_path, works):
    require("pdflatex", "bibtex")
    works = _pdflatex(works)
    write(tmp_path, works, "bibtex", "natbib.tex")
    latex_run(tmp_path, "pdflatex", "bibtex")
    bbl = " ".join((tmp_path / "doc.bbl").read_text(encoding="utf-8").split())
    assert bbl.count("\\bibitem") == len(works) > 200
    assert not re.search(r"[^\x00-\x7f]", bbl), "the BibTeX flavour is ASCII: every letter is a LaTeX accent"
    assert "\\i}" not in bbl and "\\j}" not in bbl
    for w in works:  # each letter reaches LaTeX as the accent the .bib wrote, which decodes to that very letter
        written = escape_text(family_of(_letter(w)))
        assert written in bbl and latex_to_text(written) == family_of(_letter(w)), (w.title, written)


@pytest.mark.parametrize("engine", ["pdflatex", "lualatex"])
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_biber_biblatex_give_back_every_letter(tmp_path, works, fmt, engine):
    require(engine, "biber")
    works = _pdflatex(works) if engine == "pdflatex" else works
    write(tmp_path, works, fmt, "biblatex.tex")
    latex_run(tmp_path, engine, "biber", "--validate-datamodel", glyphs_may_miss=engine == "lualatex")
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\entry{") == len(works)
    assert not [c for c in bbl if unicodedata.combining(c)], "a combining mark reached LaTeX"
    for w in works:
        entry = bbl.split(f"\\entry{{{w.key}}}", 1)[1].split("\\endentry", 1)[0]
        # biber keeps the braces of a special character ({\\o} → {ø}); they print nothing
        families = [f.replace("{", "").replace("}", "") for f in re.findall(r"family=\{((?:[^{}]|\{[^{}]*\})*)\}", entry)]
        assert families and set(families) == {family_of(_letter(w))}, (w.title, families)


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_better_bibtex_parser_and_citation_js_give_back_every_letter(tmp_path, works, fmt):
    require_node_packages()
    path = write(tmp_path, works, fmt)
    bbt = _node("bbt_parse.mjs", str(path), tmp=tmp_path)
    assert not bbt["errors"]
    for w, e in zip(works, bbt["entries"]):
        # both parsers decode {\\`A} to A + U+0300 (the BibLaTeX flavour's UTF-8 to À): the same letter, NFC-equal
        assert {unicodedata.normalize("NFC", a) for a in e["author"]} == {family_of(_letter(w))}, (w.title, e["author"])
    cjs = _node("citationjs_parse.cjs", str(path), fmt, tmp=tmp_path)
    assert not cjs["warnings"]
    for w, item in zip(works, cjs["items"]):
        assert {unicodedata.normalize("NFC", a.get("family", "")) for a in item["author"]} == {family_of(_letter(w))}, \
            (w.title, item["author"])


@pytest.mark.parametrize("fmt", ["csl-json", "bibtex", "biblatex"])
def test_pandoc_gives_back_every_letter(tmp_path, works, fmt):
    require("pandoc")
    path = write(tmp_path, works, fmt)
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n\nLetters.\n", encoding="utf-8")
    proc = run(["pandoc", "--citeproc", "--bibliography", path.name, "-t", "plain", "--wrap=none", "doc.md"], tmp_path)
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr
    out = unicodedata.normalize("NFC", proc.stdout)
    assert proc.stdout == out, "pandoc printed a decomposed letter"
    missing = [w.title for w in works if family_of(_letter(w)) not in out]
    assert not missing, missing[:20]
    if fmt == "csl-json":
        items = json.loads(path.read_text(encoding="utf-8"))
        assert all(a["family"] == family_of(_letter(w)) for w, i in zip(works, items) for a in i["author"])
