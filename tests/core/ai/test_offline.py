"""The offline template writer: deterministic, grounded in the sources it cites, streamed like a
model's answer, and honest about what it needs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from studio.core.ai import offline
from studio.core.ai.prompts import Request, build_prompt, citations, parse_variants
from studio.core.ai.stream import run_stream, stream
from studio.core.db.models import AiCall
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState


@dataclass(frozen=True)
class Snippet:  # what the knowledge base's search returns
    source: str
    text: str


SOURCES = (
    Snippet("about.html", "Hearth Bakery bakes every loaf by hand before dawn. Our sourdough rests for 36 hours. We deliver across Leeds."),
    Snippet("reviews.pdf", "Customers say the crust is the best in the city. Many buy bread for the whole week on Saturdays."),
    Snippet("press.docx", "The bakery uses flour milled ten miles away. Founded in 2011 by two sisters."),
)


def offline_request(task, **kw):
    return Request(task, provider="offline", sources=kw.pop("sources", SOURCES), **kw)


def test_generate_is_deterministic_and_cites_the_sentences_it_took(lib):
    request = offline_request("generate", text="people want real bread they can trust", topic="the Insight section")
    text = offline.write(request)
    assert text == offline.write(request)  # the same request, the same words
    assert text.startswith("People want real bread they can trust.")
    assert "Many buy bread for the whole week on Saturdays [2]." in text  # shares "bread": ranked first
    assert "Hearth Bakery bakes every loaf by hand before dawn [1]." in text and "milled ten miles away [3]." in text
    assert citations(text, 3) == (2, 1, 3)


def test_it_streams_word_by_word_through_the_same_path_and_is_counted(lib):
    request = offline_request("improve", text="our bread is really very good and we basically bake it by hand",
                              topic="the proposition", purpose="Brief: improve Proposition")

    async def go():
        async with stream(request, lib=lib) as s:
            return [piece async for piece in s], s.result

    pieces, result = asyncio.run(go())
    assert len(pieces) > 10 and "".join(pieces).strip() == result.text == offline.write(request)
    assert result.text == "Our bread is good and we bake it by hand. Hearth Bakery bakes every loaf by hand before dawn [1]."
    assert (result.provider, result.model, result.status, result.citations, result.cited) == (
        "offline", offline.MODEL, "done", (1,), (SOURCES[0],))
    assert result.cost_usd == 0.0 and result.usage.output_tokens == len(result.text.split())
    with lib.read() as conn:
        [row] = conn.execute(select(AiCall.__table__)).all()
    assert (row.provider, row.purpose, row.status, row.cost_usd) == ("offline", "Brief: improve Proposition", "done", 0.0)


def test_shorten_keeps_the_lead_and_what_the_rest_is_about_within_half_the_words():
    text = ("Hearth Bakery bakes sourdough by hand before dawn. The team is small. Our sourdough rests for 36 hours, "
            "which gives the crust its crackle. People in Leeds love the crust. We also sell coffee.")
    short = offline.write(offline_request("shorten", text=text, sources=()))
    assert len(short.split()) <= len(text.split()) / 2
    # the long sentence does not fit; of the rest, the one that shares a word ("crust") with the others wins
    assert short == "Hearth Bakery bakes sourdough by hand before dawn. People in Leeds love the crust."
    one = "Our sourdough (a recipe from 2011, refined over many winters) rests for a day and a half before baking in the stone oven."
    assert offline.write(offline_request("shorten", text=one, sources=())) == "Our sourdough rests for a day and a half before baking"


def test_brand_voice_drops_hedging_and_adds_the_source_closest_to_the_voice():
    text = offline.write(offline_request("brand_voice", text="We think that perhaps our sourdough is kind of the best in Leeds.",
                                         voice=("warm", "proud of the crust")))
    assert text == "Our sourdough is the best in Leeds. Customers say the crust is the best in the city [2]."


def test_variants_fit_the_length_limit_and_cite_their_sources():
    request = offline_request("variants", text="Sourdough baked by hand before dawn in Leeds", topic="a Meta headline",
                              count=4, max_length=40)
    text = offline.write(request)
    variants = parse_variants(text)
    assert variants == ["Sourdough baked by hand before dawn", "Hearth Bakery bakes every loaf by hand",
                        "Our sourdough rests for 36 hours", "We deliver across Leeds"]
    assert all(len(v) <= 40 for v in variants)
    assert text.splitlines()[1] == "2. Hearth Bakery bakes every loaf by hand [1]" and citations(text, 3) == (1,)


def test_a_job_gets_the_offline_text_and_cancel_stops_it():
    request = offline_request("generate", text="Bread for the week.")
    seen = []
    result = run_stream(request, JobState(), seen.append)
    assert "".join(seen).strip() == result.text and result.status == "done"
    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        run_stream(request, state, seen.append)


def test_nothing_to_work_from_and_bad_requests_say_what_to_do():
    with pytest.raises(BadInput, match="needs something to work from: write a few notes, or add documents"):
        offline.write(offline_request("generate", sources=()))
    with pytest.raises(BadInput, match="There is no text to shorten: write something first"):
        Request("shorten", text="  ")
    with pytest.raises(BadInput, match="Unknown AI task 'summarise'; choose one of generate, improve"):
        Request("summarise", text="x")
    with pytest.raises(BadInput, match="Unknown AI provider 'mistral'; choose auto, anthropic, openai, offline"):
        Request("generate", text="x", provider="mistral")
    with pytest.raises(BadInput, match="too short for copy"):
        Request("variants", text="x", max_length=5)
    with pytest.raises(BadInput, match="needs .source and .text"):
        Request("generate", text="x", sources=("just a string",))


def test_the_prompt_numbers_the_sources_and_asks_for_the_limits():
    system, prompt = build_prompt(Request("variants", text="Bread", topic="a Google headline", count=5, max_length=30,
                                          sources=SOURCES, voice=("warm",)))
    assert "Write 5 variants of a Google headline, one per line, numbered 1. to 5." in prompt
    assert "at most 30 characters" in prompt and "The brand's voice: warm." in prompt
    assert "[3] press.docx: The bakery uses flour" in prompt and "cite each one you use as [n]" in system
    assert citations("A [2] and [1, 3] but not [4] or [0]; again [2].", 3) == (2, 1, 3)
