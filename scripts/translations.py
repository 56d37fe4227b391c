"""Keep the translation catalogues in step with the source: extract, update, compile.

    python scripts/translations.py            # all three steps
    python scripts/translations.py extract    # vliegwiel/translations/messages.pot
    python scripts/translations.py update     # merge the template into every messages.po
    python scripts/translations.py compile    # messages.po -> messages.mo
    python scripts/translations.py check      # exit 1 listing untranslated or fuzzy entries

Message ids are Dutch (the language of the source), so Dutch needs no catalogue: Flask-Babel
falls back to the msgid. Each other language has ``<lang>/LC_MESSAGES/messages.po``; the
compiled ``messages.mo`` is committed so that an installed wheel needs no build step.
tests/test_translations.py imports this module to run the same extraction.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "vliegwiel" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"

#: Flask-Babel's lazy variants on top of Babel's defaults (_, gettext, ngettext, ...).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}

# Header dates change on every run; ignoring them keeps unchanged catalogues out of diffs.
_VOLATILE = (b"POT-Creation-Date", b"PO-Revision-Date")


def extract(root: Path = ROOT) -> Catalog:
    """Every translatable string in the source, as a template catalogue."""
    with MAPPING.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(MAPPING))
    catalog = Catalog(
        project="vliegwiel", copyright_holder="vliegwiel developers", charset="utf-8", fuzzy=False
    )
    found = extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=language)


def untranslated(catalog: Catalog) -> list[str]:
    """Problems that would show a resident Dutch text (or a broken one) in this language."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        label = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {label!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {label!r}")
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{error}: {message.id!r}")
    return problems


def _render(write, catalog: Catalog, **options) -> bytes:
    buffer = io.BytesIO()
    write(buffer, catalog, **options)
    return buffer.getvalue()


def _stable(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(_VOLATILE, 1)]


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and _stable(path.read_bytes()) == _stable(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def write_template(catalog: Catalog) -> bool:
    return _write_if_changed(TEMPLATE, _render(write_po, catalog, width=100))


def update(template: Catalog, language: str) -> Catalog:
    """Merge new and changed msgids into one language's catalogue; drop the obsolete ones."""
    path = po_path(language)
    if path.exists():
        catalog = read_catalog(path, language)
    else:
        catalog = Catalog(
            locale=language,
            project="vliegwiel",
            copyright_holder="vliegwiel developers",
            last_translator="vliegwiel developers",
            language_team=f"{language} (vliegwiel)",
            charset="utf-8",
            fuzzy=False,
        )
    catalog.update(template, update_header_comment=False)
    _write_if_changed(path, _render(write_po, catalog, width=100, ignore_obsolete=True))
    return catalog


def compile_mo(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalogue; fuzzy entries are left out, as gettext does."""
    return _render(write_mo, catalog, use_fuzzy=False)


def compile_language(language: str) -> Path:
    catalog = read_catalog(po_path(language), language)
    mo_path = po_path(language).with_suffix(".mo")
    mo_path.write_bytes(compile_mo(catalog))
    return mo_path


def main(argv: list[str]) -> int:
    step = argv[0] if argv else "all"
    if step not in ("all", "extract", "update", "compile", "check"):
        print(__doc__)
        return 2
    template = extract()
    if step in ("all", "extract"):
        changed = write_template(template)
        print(
            f"{TEMPLATE.relative_to(ROOT)}: {len(template)} messages"
            + ("" if changed else " (unchanged)")
        )
    if step in ("all", "update"):
        for language in languages():
            catalog = update(template, language)
            print(f"{po_path(language).relative_to(ROOT)}: {len(untranslated(catalog))} to do")
    if step in ("all", "compile"):
        for language in languages():
            print(f"compiled {compile_language(language).relative_to(ROOT)}")
    if step in ("all", "check"):
        failed = False
        for language in languages():
            catalog = read_catalog(po_path(language), language)
            missing = [m for m in template if m.id and m.id not in catalog]
            problems = [f"missing: {m.id!r}" for m in missing] + untranslated(catalog)
            for problem in problems:
                print(f"{language}: {problem}")
            failed = failed or bool(problems)
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
