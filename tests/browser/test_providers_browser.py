"""Provider runs in Chromium: the picker lists a model's providers, a fal-ai picture and a provider's
video show in the page, a queued job shows its place then its progress, and Cancel stops it upstream.
"""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, type_model

pytestmark = pytest.mark.browser
FLUX = "black-forest-labs/FLUX.1-schnell"
WAN = "Wan-AI/Wan2.2-T2V-A14B"


def choose_provider(page: Any, name: str) -> None:
    page.locator("#provider input").click()
    page.get_by_role("option", name=name, exact=True).click()


def test_a_models_providers_are_listed_and_auto_runs_the_first_one(page: Any, hf) -> None:
    type_model(page, FLUX)
    page.locator("#provider input").click()
    for name in ("fal-ai", "replicate", "together", "nscale", "wavespeed"):
        expect(page.get_by_role("option", name=name, exact=True)).to_be_visible()
    page.keyboard.press("Escape")

    page.click("#run")

    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output-image img")).to_be_visible()
    assert any(r.path == "/fal-ai/fal-ai/flux/schnell" for r in hf.received)
    assert hf.cdn_received and all("Authorization" not in r.headers for r in hf.cdn_received)


def describe(page: Any, text: str) -> None:
    page.locator("#prompt textarea").fill(text)


def test_a_providers_video_plays_in_the_page(page: Any, hf) -> None:
    type_model(page, WAN)
    choose_provider(page, "novita")
    describe(page, "Waves rolling onto a beach at sunset")

    page.click("#run")

    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    video = page.locator("#output-video video")
    expect(video).to_be_visible()
    assert video.evaluate("v => v.currentSrc || v.src").startswith("http")


def test_a_queued_job_shows_its_place_then_runs_and_cancel_stops_it_upstream(page: Any, hf) -> None:
    type_model(page, "fake/video-slow")
    describe(page, "A slow pan over mountains")
    page.click("#run")

    expect(page.locator("#status")).to_contain_text("queue, position", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#status")).to_contain_text("Running on fal-ai", timeout=ANSWER_TIMEOUT)
    page.click("#cancel")

    expect(page.locator("#status")).to_contain_text("Cancelled upstream", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#status")).to_contain_text("fal-ai confirmed it (HTTP 202: CANCELLATION_REQUESTED)")
    page.wait_for_timeout(1_500)
    cancels = [r for r in hf.received if r.path.endswith("/cancel")]
    assert len(cancels) == 1 and cancels[0].method == "PUT"


def test_text_to_speech_through_a_provider_plays_in_the_page(page: Any, hf) -> None:
    type_model(page, "hexgrad/Kokoro-82M")
    describe(page, "The answer is forty-two.")

    page.click("#run")

    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output-audio")).to_be_visible()
    # The player has loaded the file the app serves (its length is known), and offers it for download.
    duration = page.locator("#output-audio #duration")
    expect(duration).to_be_visible()
    expect(duration).not_to_have_text("0:00", timeout=ANSWER_TIMEOUT)
    link = page.locator("#output-audio a[download]").get_attribute("href") or ""
    assert link.startswith(page.url.rstrip("/") + "/gradio_api/file="), link
    assert any(r.path.startswith("/fal-ai/") for r in hf.received)


def test_image_segmentation_draws_its_masks_over_the_image(page: Any, hf) -> None:
    type_model(page, "nvidia/segformer-b0-finetuned-ade-512-512")
    expect(page.locator("#image img")).to_be_visible(timeout=ANSWER_TIMEOUT)  # the bundled sample

    page.click("#run")

    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    masks = page.locator("#output-masks")
    expect(masks).to_be_visible()
    expect(masks).to_contain_text("sky")
