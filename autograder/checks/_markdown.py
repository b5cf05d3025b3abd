"""Markdown documents read by markdown-it-py, for the documentation checks.

A check on a README or a changelog asks structural questions: which headings
are there, what does the section under a heading hold, which code blocks
carry which language. This module answers them from markdown-it-py's token
stream (the CommonMark parser, with tables) — never from regular expressions
over the raw text, which a list item, a fenced block or a setext heading
would fool.

A :class:`Document` is a flat list of headings and a flat list of content
blocks (a paragraph, one list item, one table row, a code block), each with
its 1-based line in the answer cell; a :class:`Section` is a heading and the
blocks up to the next heading of the same or a higher level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

STUB_TEXT = "YOUR ANSWER HERE"
"""What nbgrader leaves where a Markdown answer's solution was."""

_COMMENT = re.compile(r"\A\s*<!--.*?-->\s*\Z", re.DOTALL)


@dataclass(frozen=True)
class Heading:
    """A heading.

    Attributes:
        level: 1 for ``#``, 2 for ``##`` …
        title: Its text as written (inline Markdown kept, such as ``[1.0.0]``).
        line: Its 1-based line.
        setext: Whether it was underlined (``===``) rather than ``#``-prefixed.
    """

    level: int
    title: str
    line: int
    setext: bool = False


@dataclass(frozen=True)
class Block:
    """A piece of content.

    Attributes:
        kind: ``paragraph``, ``item`` (one list item, nested lists included),
            ``row`` (one table row), ``fence``, ``code`` (indented) or ``html``.
        text: Its text: inline Markdown as written, or a code block's content.
        line: Its first 1-based line (a fence's opening line).
        info: A fence's language (the first word after the backticks).
        depth: How many lists it sits in (0 outside any list).
    """

    kind: str
    text: str
    line: int
    info: str = ""
    depth: int = 0

    @property
    def is_code(self) -> bool:
        """Whether it is a code block, fenced or indented."""
        return self.kind in {"fence", "code"}

    @property
    def code_line(self) -> int:
        """The line of the code's first line (after a fence's opening line)."""
        return self.line + 1 if self.kind == "fence" else self.line


@dataclass(frozen=True)
class Section:
    """A heading and what stands under it.

    Attributes:
        heading: The heading.
        blocks: Content blocks up to the next heading of its level or higher
            (so the blocks of its subsections too).
        subheadings: The headings inside it, in order.
    """

    heading: Heading
    blocks: tuple[Block, ...]
    subheadings: tuple[Heading, ...]

    @property
    def is_empty(self) -> bool:
        """Whether nothing but headings stands under it."""
        return not self.blocks


@dataclass(frozen=True)
class Document:
    """A parsed Markdown document.

    Attributes:
        headings: Every heading, in order.
        blocks: Every content block, in order (comments and nbgrader's stub
            text left out).
        lines: How many lines the source has.
    """

    headings: tuple[Heading, ...]
    blocks: tuple[Block, ...]
    lines: int

    def section(self, heading: Heading) -> Section:
        """Cut out the section a heading opens.

        Args:
            heading: One of :attr:`headings`.

        Returns:
            The section.
        """
        after = [h for h in self.headings if h.line > heading.line]
        end = next((h.line for h in after if h.level <= heading.level), self.lines + 1)
        return Section(
            heading,
            tuple(b for b in self.blocks if heading.line < b.line < end),
            tuple(h for h in after if h.line < end),
        )

    def find(self, names: NameSet, *, min_level: int = 1) -> Section | None:
        """Find the first section whose title is one of some names.

        Args:
            names: Accepted titles.
            min_level: Headings above this level (``#`` is 1) do not count.

        Returns:
            The section, or ``None``.
        """
        for heading in self.headings:
            if heading.level >= min_level and names.matches(heading.title):
                return self.section(heading)
        return None


def normal_title(title: str) -> str:
    """Reduce a heading's text for comparison: case, punctuation, emoji.

    Args:
        title: The heading as written.

    Returns:
        Lower-case words separated by single spaces.
    """
    words = re.findall(r"[^\W_]+", title.casefold())
    return " ".join(words)


@dataclass(frozen=True)
class NameSet:
    """The titles a required section may have, such as ``Installation|Install``.

    Attributes:
        names: Accepted titles, the first being the one to suggest.
    """

    names: tuple[str, ...]

    @classmethod
    def parse(cls, declared: str) -> NameSet:
        """Read ``"Usage|Examples"`` as declared in ``exercise.toml``.

        Args:
            declared: Titles separated by ``|``.

        Returns:
            The name set.

        Raises:
            ValueError: No title is given.
        """
        names = tuple(name.strip() for name in declared.split("|") if name.strip())
        if not names:
            raise ValueError(f"no section title in {declared!r}")
        return cls(names)

    @property
    def main(self) -> str:
        """The title to suggest."""
        return self.names[0]

    def matches(self, title: str) -> bool:
        """Tell whether a heading is one of these names.

        Args:
            title: The heading as written.

        Returns:
            True when it matches, ignoring case and punctuation.
        """
        return normal_title(title) in {normal_title(name) for name in self.names}

    def __str__(self) -> str:
        """Show the names as a learner reads them: ``Usage`` (or ``Examples``)."""
        others = ", ".join(f"`{name}`" for name in self.names[1:])
        return f"`{self.main}`" + (f" (or {others})" if others else "")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 1


def _collect(tokens: list[Token], start: int) -> tuple[str, int]:
    """Join the text inside a container token; return it and the close's index."""
    opening = tokens[start]
    closing = opening.type.replace("_open", "_close")
    parts = []
    index = start + 1
    while index < len(tokens) and not (
        tokens[index].type == closing and tokens[index].level == opening.level
    ):
        if tokens[index].type in {"inline", "fence", "code_block"}:
            parts.append(tokens[index].content.strip())
        index += 1
    return " ".join(part for part in parts if part), index


def _is_paragraph(tokens: list[Token], index: int) -> bool:
    return (
        tokens[index].type == "inline"
        and index > 0
        and tokens[index - 1].type == "paragraph_open"
    )


def _content(text: str) -> bool:
    return bool(text.strip()) and text.strip() != STUB_TEXT


def _leaf(tokens: list[Token], index: int, depth: int) -> Block | None:
    """Turn a token that is a whole block by itself into a block, if content."""
    token = tokens[index]
    if _is_paragraph(tokens, index) and depth == 0 and _content(token.content):
        return Block("paragraph", token.content, _line(token))
    if token.type in {"fence", "code_block"}:
        code = "fence" if token.type == "fence" else "code"
        info = token.info.strip().split(" ", 1)[0] if token.info else ""
        return Block(code, token.content, _line(token), info.lower(), depth)
    if token.type == "html_block" and not _COMMENT.match(token.content):
        return Block("html", token.content, _line(token), depth=depth)
    return None


def parse_markdown(source: str) -> Document:
    """Parse a Markdown document into headings and content blocks.

    Args:
        source: The document.

    Returns:
        The document's headings and blocks.
    """
    tokens = _parser().parse(source)
    headings: list[Heading] = []
    blocks: list[Block] = []
    depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            title = tokens[index + 1].content.strip()
            setext = token.markup in {"=", "-"}
            headings.append(Heading(int(token.tag[1:]), title, _line(token), setext))
            index += 3
            continue
        if kind in {"bullet_list_open", "ordered_list_open"}:
            depth += 1
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            depth -= 1
        elif kind in {"list_item_open", "tr_open"}:
            text, end = _collect(tokens, index)
            if _content(text):
                item = "item" if kind == "list_item_open" else "row"
                blocks.append(Block(item, text, _line(token), depth=depth))
            index = end if kind == "tr_open" else index
        else:
            block = _leaf(tokens, index, depth)
            if block is not None:
                blocks.append(block)
        index += 1
    return Document(tuple(headings), tuple(blocks), len(source.splitlines()))
