"""Reading votes from paper and meetings: a CSV of participant, statement, vote.

``participant`` is any label the organisers used on the forms (P1, 17, ...); it is stored
only as a hash, per conversation. ``statement`` is the statement number from 1, ``vote`` is
eens / oneens / overslaan. The whole file is checked before anything is stored: one wrong line
and nothing is imported, with every problem named by its line.
"""

from __future__ import annotations

import csv
import hashlib
import io

from .conversations import VOTE_WORDS, ConversationError

COLUMNS = ("participant", "statement", "vote")
MAX_LABEL = 64
MAX_ERRORS_SHOWN = 20


def participant_key(set_id: str, label: str) -> str:
    """What is stored for a paper participant: never the label itself."""
    return hashlib.sha256(f"{set_id}:paper:{label}".encode()).hexdigest()[:32]


def read_votes(text: str, set_id: str, statements: int) -> list[tuple[str, int, int]]:
    """(participant key, statement number, vote) for every line; ConversationError lists
    every bad line."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if tuple(header[:3]) != COLUMNS:
        raise ConversationError(
            "De eerste regel moet de kolommen noemen: participant, statement, vote "
            f"(gevonden: {', '.join(header) or 'niets'})."
        )
    found: list[tuple[str, int, int]] = []
    errors: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            errors.append(f"regel {line}: drie kolommen nodig, {len(row)} gevonden")
            continue
        label, number_text, vote_text = (cell.strip() for cell in row[:3])
        problems = []
        if not label or len(label) > MAX_LABEL:
            problems.append(f"deelnemer leeg of langer dan {MAX_LABEL} tekens")
        try:
            number = int(number_text)
        except ValueError:
            number = 0
        if not 1 <= number <= statements:
            problems.append(f"stelling '{number_text}' bestaat niet (1 tot {statements})")
        vote = VOTE_WORDS.get(vote_text.lower())
        if vote is None:
            problems.append(f"stem '{vote_text}' is niet eens, oneens of overslaan")
        if not problems and (label, number) in seen:
            problems.append(f"dubbele stem, ook op regel {seen[(label, number)]}")
        if problems:
            errors.append(f"regel {line}: " + "; ".join(problems))
            continue
        seen[(label, number)] = line
        found.append((participant_key(set_id, label), number, vote))
    if errors:
        more = len(errors) - MAX_ERRORS_SHOWN
        listed = errors[:MAX_ERRORS_SHOWN] + ([f"en nog {more} regels"] if more > 0 else [])
        raise ConversationError("Niets ingelezen. " + "\n".join(listed))
    if not found:
        raise ConversationError("Niets ingelezen: het bestand bevat geen stemmen.")
    return found
