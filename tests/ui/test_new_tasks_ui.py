"""The 13 tasks added for huggingface_hub 2.4's table, through the page: each stock example fills its
form, Run answers in the task's own view (video, audio, masks over the image, answers, tables) against
the fake's models, and the masks view holds up without the form's upload or with a broken picture.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from backend.render import Rendered
from backend.tasks import TASKS
from components.handlers.forms import form_shape
from components.handlers.run import RunView
from components.output import OutputPanel, build_output_panel
from tests.fake_hf.provider_routes import PROVIDER_MODELS
from tests.ui.conftest import shown, value
from tests.ui.test_run_flows import example_form

IMAGE = (Path(__file__).resolve().parents[2] / "components" / "assets" / "example.png").read_bytes()

# task → (provider asked, the view its answer shows in); the video tasks only run on providers.
ANSWER_VIEW = {
    "audio-classification": ("hf-inference", "output-label"),
    "audio-to-audio": ("hf-inference", "output-audio"),
    "document-question-answering": ("hf-inference", "output-label"),
    "image-segmentation": ("hf-inference", "output-masks"),
    "image-to-image": ("hf-inference", "output-image"),
    "image-to-text": ("hf-inference", "output-text"),
    "table-question-answering": ("hf-inference", "output-text"),
    "tabular-classification": ("hf-inference", "output-table"),
    "text-to-speech": ("hf-inference", "output-audio"),
    "visual-question-answering": ("hf-inference", "output-label"),
    "zero-shot-image-classification": ("hf-inference", "output-label"),
    "text-to-video": ("fal-ai", "output-video"),
    "image-to-video": ("fal-ai", "output-video"),
}
VIEWS = {"output-label", "output-entities", "output-boxes", "output-masks", "output-image", "output-audio",
         "output-video", "output-text"}


@pytest.mark.parametrize("task", sorted(ANSWER_VIEW))
def test_each_new_task_answers_in_its_own_view(run, hf, task: str) -> None:
    provider, view = ANSWER_VIEW[task]
    out = run(**{**example_form(task), "model": PROVIDER_MODELS[(provider, task)], "provider": provider})

    assert "HTTP 200" in out["status"], value(out["output-message"])
    assert shown(out[view]) and value(out[view]), f"{task} should answer in #{view}"
    assert not [other for other in VIEWS - {view} if shown(out[other])], "one answer view at a time"
    assert out["raw-json"] is not None


def test_the_table_the_page_holds_is_what_the_model_gets(run, hf) -> None:
    task = "table-question-answering"
    run(**{**example_form(task), "model": PROVIDER_MODELS[("hf-inference", task)], "provider": "hf-inference"})

    sent = hf.received[-1].json
    assert sent["inputs"]["query"] == TASKS[task].example["question"]
    assert sent["inputs"]["table"] == TASKS[task].example["table"]


def test_segments_are_drawn_over_the_image_with_their_labels(run, hf) -> None:
    task = "image-segmentation"
    out = run(**{**example_form(task), "model": PROVIDER_MODELS[("hf-inference", task)], "provider": "hf-inference"})

    drawn = value(out["output-masks"])
    assert drawn["image"] and drawn["annotations"]
    assert all(annotation["label"] for annotation in drawn["annotations"])


@pytest.fixture(scope="module")
def panel() -> OutputPanel:
    with gr.Blocks():
        return build_output_panel()


def _mask_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (4, 4), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def _masks(**fields: Any) -> Rendered:
    return Rendered(kind="masks", text="1 segment(s): sky", masks=(("sky", 0.9, _mask_png()),),
                    table=(("label", "score"), (("sky", 0.9),)), **fields)


def test_without_the_form_s_upload_the_masks_cover_the_image_the_request_carried(panel: OutputPanel) -> None:
    updates = panel.show(RunView("done", "HTTP 200", rendered=_masks(source_image=IMAGE), raw=[]))

    image, annotations = value(updates[panel.views["masks"]])
    assert Path(image).read_bytes() == IMAGE and annotations[0][1] == "sky 0.90"


def test_a_picture_that_cannot_be_read_leaves_the_labels_as_text(panel: OutputPanel, tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG but not really")
    updates = panel.show(RunView("done", "HTTP 200", rendered=_masks(), raw=[], source_image=str(broken)))

    assert updates[panel.views["masks"]] is None
    assert updates[panel.views["text"]] == "1 segment(s): sky"
    assert value(updates[panel.views["table"]])["data"] == [["sky", 0.9]]


@pytest.mark.parametrize("task,fields", [
    ("image-to-image", {"image", "prompt", "negative_prompt"}), ("image-to-video", {"image", "prompt"}),
    ("text-to-video", {"prompt", "negative_prompt"}), ("text-to-speech", {"prompt"}),
    ("visual-question-answering", {"image", "prompt"}), ("document-question-answering", {"image", "prompt"}),
    ("zero-shot-image-classification", {"image", "labels"}), ("table-question-answering", {"table", "prompt"}),
    ("tabular-classification", {"table"}), ("image-segmentation", {"image"}), ("image-to-text", {"image"}),
    ("audio-classification", {"audio"}), ("audio-to-audio", {"audio"}),
])
def test_each_new_task_shows_its_own_fields(task: str, fields: set[str]) -> None:
    assert form_shape(TASKS[task]).fields == fields


def test_a_question_about_an_image_is_asked_in_the_prompt_box_labelled_question() -> None:
    for task in ("visual-question-answering", "document-question-answering", "table-question-answering"):
        assert form_shape(TASKS[task]).prompt_label == "Question"
