"""What an AI assist asks for, and the prompt that asks it.

    request = Request("improve", text=section_text, topic="the brief's Insight section",
                      sources=kb_snippets, voice=("warm", "plain-spoken"))
    system, prompt = build_prompt(request)

Grounding sources are any objects with .source and .text (the knowledge base's Snippet).
They are numbered [1], [2], … in the prompt and the answer is asked to cite them that way;
citations(answer, n) reads back the numbers it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from studio.core.errors import BadInput

TASKS = ("generate", "improve", "shorten", "brand_voice", "variants")
CHOICES = ("auto", "anthropic", "openai", "offline")
MAX_SOURCES = 8  # the best few are enough grounding; more only costs tokens
SOURCE_CHARS = 1200  # of each source's text in the prompt

_INSTRUCTIONS = {
    "generate": "Write {topic}. Be specific and concise; use the notes and the sources, and invent no facts, figures or claims.",
    "improve": "Improve the text for {topic}: clearer, more specific, better ordered. Keep its meaning and every fact in it.",
    "shorten": "Shorten the text for {topic} to about half its length. Keep the essential points and any [n] citations of what is kept.",
    "brand_voice": "Rewrite the text for {topic} in the brand's voice{voice}. Keep its meaning and every fact in it.",
    "variants": "Write {count} variants of {topic}, one per line, numbered 1. to {count}.{limit} Each must stand on its own.",
}
SYSTEM = ("You are a senior copywriter and strategist at an advertising agency. Answer with the text "
          "asked for only: no preamble, no notes, no headings unless asked.")
CITE_RULE = ("Ground what you write in the numbered sources and cite each one you use as [n] right after "
             "the sentence or line that uses it. Use only what the sources say; never cite a source you did not use.")


@dataclass(frozen=True)
class Request:
    """One AI assist. text: the notes to write from (generate, variants) or the text to rework
    (improve, shorten, brand_voice). topic: what it is for ("the brief's Insight section",
    "a Meta ad headline"). purpose: the label of its ai_calls row (default: task and topic).
    provider: auto (the first with a key, else offline), anthropic, openai or offline.
    timeout: seconds to wait for the service's next words. retries: of rate limits and
    transient errors before the first word."""

    task: str
    text: str = ""
    topic: str = "the text"
    sources: tuple[Any, ...] = ()
    voice: tuple[str, ...] = ()  # brand voice attributes: "warm", "plain-spoken"
    count: int = 3  # variants
    max_length: int | None = None  # variants: characters per line
    purpose: str = ""
    system: str | None = None  # replaces the house system instructions
    provider: str = "auto"
    model: str | None = None  # replaces the setting ai.model.<provider>
    max_tokens: int = 1024
    timeout: float = 60.0
    retries: int = 3

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "voice", tuple(v.strip() for v in self.voice if v and v.strip()))
        if self.task not in TASKS:
            raise BadInput(f"Unknown AI task {self.task!r}; choose one of {', '.join(TASKS)}.")
        if self.task in ("improve", "shorten", "brand_voice") and not self.text.strip():
            raise BadInput(f"There is no text to {self.task.replace('_', ' ')}: write something first.")
        if self.provider not in CHOICES:
            raise BadInput(f"Unknown AI provider {self.provider!r}; choose {', '.join(CHOICES)}.")
        if not 1 <= self.count <= 20:
            raise BadInput(f"Ask for 1 to 20 variants, not {self.count}.")
        if self.max_length is not None and self.max_length < 10:
            raise BadInput(f"A maximum length of {self.max_length} characters is too short for copy; allow at least 10.")
        if self.max_tokens < 1 or self.timeout <= 0 or self.retries < 0:
            raise BadInput("max_tokens and timeout must be positive and retries not negative.")
        for source in self.sources:
            if not hasattr(source, "source") or not hasattr(source, "text"):
                raise BadInput(f"A grounding source needs .source and .text (a knowledge-base snippet), not {type(source).__name__}.")

    @property
    def label(self) -> str:
        return self.purpose or f"{self.task.replace('_', ' ').capitalize()}: {self.topic}"[:200]

    @property
    def grounding(self) -> tuple[Any, ...]:
        """The sources the prompt numbers: [1] is grounding[0]."""
        return self.sources[:MAX_SOURCES]


def build_prompt(request: Request) -> tuple[str, str]:
    """(system, user prompt) for request."""
    voice = f" ({', '.join(request.voice)})" if request.voice else ""
    limit = f" Each line at most {request.max_length} characters, the [n] citation not counted." if request.max_length else ""
    parts = [_INSTRUCTIONS[request.task].format(topic=request.topic, voice=voice, count=request.count, limit=limit)]
    if request.voice and request.task != "brand_voice":
        parts.append(f"The brand's voice: {', '.join(request.voice)}.")
    if request.text.strip():
        heading = "Notes" if request.task in ("generate", "variants") else "Text"
        parts.append(f'{heading}:\n"""\n{request.text.strip()}\n"""')
    if request.grounding:
        listed = "\n".join(f"[{n}] {s.source}: {_clip(s.text)}" for n, s in enumerate(request.grounding, 1))
        parts.append(f"Sources:\n{listed}")
    system = request.system or SYSTEM
    if request.grounding:
        system = f"{system} {CITE_RULE}"
    return system, "\n\n".join(parts)


_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def citations(text: str, n_sources: int) -> tuple[int, ...]:
    """The source numbers text cites as [n] or [n, m], in order of first use; numbers outside
    1..n_sources (made up) are left out."""
    seen: list[int] = []
    for group in _CITATION.findall(text):
        for number in (int(x) for x in group.split(",")):
            if 1 <= number <= n_sources and number not in seen:
                seen.append(number)
    return tuple(seen)


_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*")


def parse_variants(text: str) -> list[str]:
    """The variants of a "variants" answer: its lines without numbering and [n] citations."""
    lines = (_CITATION.sub("", _NUMBERING.sub("", line)).strip().strip('"“”') for line in text.splitlines())
    return [" ".join(line.split()) for line in lines if line]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SOURCE_CHARS else text[:SOURCE_CHARS].rsplit(" ", 1)[0] + " …"
