"""The closing signature of a telegram ('THORNE', 'VAN VOORST', 'Minimize considered. CLINTON')."""

from __future__ import annotations

import re
from collections.abc import Sequence

from generator.parse_lines import is_page_marker


def find_signer(raw_lines: Sequence[str]) -> str | None:
    """The closing signature: a last line of one to three capitalised words ('THORNE').

    Trailers after it are skipped (page markers, NARA review stamps,
    classification lines, NNNN, a truncated '...' line); a name glued to the
    end of the last sentence counts too ('Minimize considered. CLINTON').
    Returns None when the text simply ends with a paragraph.
    """
    seen = 0
    for raw in reversed(raw_lines):
        line = raw.strip().rstrip("\\").strip().replace("¶", "")
        if not line:
            continue
        seen += 1
        if seen > 8:
            return None
        if _SIGNER_TRAILER.match(line) or is_page_marker(line) or line.endswith("..."):
            continue
        if line.endswith(" ."):
            line = line[:-2]
        if _SIGNER.match(line) and not _NOT_A_NAME.match(line):
            return line
        glued = _GLUED_SIGNER.search(line)
        if (
            glued is not None
            and not _NOT_A_NAME.match(glued["name"])
            and (
                _GLUED_LINE_LIMIT is None
                or len(line) <= _GLUED_LINE_LIMIT
                or _CLOSING.search(line, 0, glued.start() + 1)
            )
        ):
            return glued["name"]
        return None
    return None


# A capitalised word glued to the end of a paragraph is a signature when the line
# is short ('Minimize considered. CLINTON', 09STATE15113) or a closing formula
# comes right before it ('End comment. STEVENS', 08TRIPOLI220); at the end of a
# long paragraph it is not taken (06MOSCOW5645 '...beyond. BURNS' and 10RIYADH61
# '...evidence. SMITH' are recorded without a signature in the corpus, as are 10KABUL104
# 'END COMMENT EIKENBERRY' and 09DOHA214 '...protection. LeBaron'). None takes them all.
_GLUED_LINE_LIMIT: int | None = 200
_CLOSING = re.compile(
    r"\b(?:END[ \t]+(?:OF[ \t]+)?(?:COMMENT|TEXT|NOTE|SUMMARY|MESSAGE)|MINIMIZE[ \t]+CONSIDERED)"
    r"[ \t]*[.)\"]$",
    re.IGNORECASE,
)
_SIGNER = re.compile(r"^[A-Z][A-Za-z'-]{1,30}(?: [A-Z][A-Za-z'-]{1,30}){0,2}$")
_GLUED_SIGNER = re.compile(r"[.)\"][ \t]+(?P<name>[A-Z][A-Z'-]{2,30})$")
_NOT_A_NAME = re.compile(
    r"^(?:END|BT|NNNN|SIPDIS|NOFORN|CONFIDENTIAL|SECRET|UNCLASSIFIED|UNCLAS|SUMMARY|COMMENT|TEXT|NOTE|"
    r"MINIMIZE|CONSIDERED|BEGIN|QUOTE|UNQUOTE|END TEXT|END COMMENT|END SUMMARY|END NOTE)\b",
    re.IGNORECASE,
)
_SIGNER_TRAILER = re.compile(
    r"^(?:NNNN|BT|#\d+|"
    r"(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)(?://[A-Z0-9 /-]*)?|"
    r"Declassified/Released\b.*|Systematic Review\b.*|[A-Z]+//[A-Z/]+|"
    r"[\W_]+|End Cable Text|SELECT \* FROM .*|[\"“]?Visit .*Classified Web ?Site.*)$",
    re.IGNORECASE,
)
