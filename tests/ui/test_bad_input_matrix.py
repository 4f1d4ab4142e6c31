"""Issue #6, "prove it": every input a visitor, a script or a link can set, tried with hostile and
malformed values. Each is explained in escaped words with no traceback and no token, nothing reaches
the (fake) Hugging Face server, and the form keeps what was typed.

The page's fields (the custom endpoint URL included) go through `/run` with gradio_client, as a
browser's would; values the client cannot send (NaN) go to the run handler itself, and a link's
query goes to the page-load listener over HTTP, as the browser sends it. Model ids that
`tests/unit/test_targets.py` refuses at its own layer are reused here for the page.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable, Mapping

import gradio as gr
import httpx
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from backend import Playground
from backend.tasks import TASKS, TaskSpec
from components.handlers.forms import ASSETS, FormValues, form_shape
from components.handlers.run import RunSetup, run_inference
from components.parameters import param_key
from tests.conftest import SENTINEL
from tests.ui.checks import Tally, assert_clear_message, assert_form_kept, message_of
from tests.ui.conftest import OPERATOR_TOKEN, Runner, value
from tests.ui.launch import fake_settings
from tests.ui.listeners import Listeners
from tests.ui.test_run_flows import example_form
from tests.unit.test_targets import INVALID_IDS

TALLY = Tally("bad-input matrix")
NOT_SENT = "Not sent"
BASE_TASK = "text-classification"
OK_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
HUGE = 100_000

# --- the page's fields, through /run ------------------------------------------------------------

HOSTILE_MODEL_IDS = [
    "gpt2\r\nX-Injected: 1", "\tgpt2", "gpt2\t", "gpt\u200b2", "gpt2\u202e", "org/na\x00me", "org\x1b[31m/x",
    "x" * HUGE, "org/" + "x" * HUGE, "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "file:///etc/passwd", "HTTPS://evil.example/m", "http://127.0.0.1:9/x",
    "org//name", ".", "..", "org/.", "org/..", "./gpt2", "~/gpt2", "%2e%2e%2fapi%2fwhoami-v2", "org%2Fname",
    "gpt2;rm -rf /", "$(id)", "gpt2`id`", "org\uff0fname", "org\\..\\..\\x", "org/name?x=1#y", "org/name/",
]
CHAT_MODELS = [  # the chat route splits 'model:provider' first, so the provider part is checked too
    ("../../v1/models", "model id"), (":groq", "model id"), ("org/name:evil.example/x", "not a provider name"),
    ("https://evil.example/v1/chat/completions", "not a provider name"), ("org/name:a b", "not a provider name"),
    ("org/name:\uff27\uff32\uff2f\uff31", "not a provider name"), ("org/name:" + "p" * 41, "not a provider name"),
]
PROVIDERS = [  # (task, provider, words)
    (BASE_TASK, "../x", "not a provider name"), (BASE_TASK, "evil.example/x", "not a provider name"),
    ("chat-completion", "../x", "not a provider name"), ("chat-completion", "evil.example/x", "not a provider name"),
    ("chat-completion", "a b", "not a provider name"), ("chat-completion", "p" * 41, "not a provider name"),
    ("chat-completion", "\uff27\uff32\uff2f\uff31", "not a provider name"),
    ("chat-completion", "groq\r\nX-Injected: 1", "not a provider name"),
]
EXTRA_PARAMETERS = {  # words the message says -> texts typed in the "Extra parameters (JSON)" box
    "not valid JSON": ['{"top_k": 3', "{'top_k': 3}", '{"top_k": 3,}', '{"top_k": 3} {"top_k": 4}', "\ufeff{}",
                       "/* c */ {}", "top_k=3", "{" * HUGE],
    "not a JSON number": ['{"top_k": NaN}', '{"top_k": Infinity}', '{"top_k": -Infinity}'],
    "must be a JSON object": ["[1, 2]", '"top_k"', "42", "null", "true", "[" * 500 + "]" * 500],
    "must be a number": ['{"top_k": "3"}', '{"top_k": true}', '{"top_k": [3]}', '{"top_k": {"$gt": 1}}',
                         '{"top_k": 1e400}'],
    "nested too deeply": ["[" * HUGE, '{"a": ' * HUGE + "1" + "}" * HUGE],
    "must be a whole number": ['{"top_k": 1.5}'],
    "must be at least 1": ['{"top_k": 0}'],
    "must be at most 100": ['{"top_k": 3, "top_k": 1000}'],
    "must be one of": ['{"function_to_apply": "evil"}', '{"function_to_apply": 5}',
                       '{"function_to_apply": "<script>x</script>"}'],
}
# Tokens no server accepts: they would crash the HTTP library, smuggle a header or reach it mangled.
TOKENS = ["hf_\uff54\uff4f\uff4b\uff45\uff4e", "hf_token\u2019s", "hf_abc\r\nX-Injected: 1", "hf_abc\x00def",
          "hf_abc def", "hf_\u00e9t\u00e9", "hf_abc\tdef", "\u202ehf_abc"]
# The endpoint field: hosts the real resolver maps to this machine or a private network without any
# DNS query, then URLs refused on their shape alone.
PRIVATE = "private or local"
ENDPOINTS = [
    *((url, PRIVATE) for url in ("https://0x7f000001", "https://2130706433", "https://127.1", "https://0177.0.0.1",
                                 "https://[::ffff:127.0.0.1]", "https://localhost", "https://0.0.0.0", "https://[::]",
                                 "https://169.254.169.254/latest/meta-data", "https://[fe80::1]", "https://100.64.0.1")),
    ("http://xyz.endpoints.huggingface.cloud", "Only https"),
    ("https://user:pw@xyz.endpoints.huggingface.cloud", "Remove the user:password"),
    ("https://evil.example:443@xyz.endpoints.huggingface.cloud", "Remove the user:password"),
    ("https://xyz.endpoints.huggingface.cloud\\@evil.example", "Remove the user:password"),
    ("https://xyz.endpoints.huggingface.cloud/?x=1", "must not carry a query"),
    ("https://xyz.endpoints.huggingface.cloud#frag", "must not carry a query"),
    ("https://xyz.endpoints.huggingface.cloud/\r\nX-Injected: 1", "must not carry a query"),
    ("https://xyz.endpoints.huggingface.cloud/ x", "must not carry a query"),
    ("https://xyz.endpoints.huggingface.cloud:8443", "standard https port"),
    ("https://[::1", "cannot be parsed"),
    *((url, "Enter a full endpoint URL") for url in (
        "javascript:alert(1)", "ftp://xyz.endpoints.huggingface.cloud", "file:///etc/passwd", "https://",
        "//xyz.endpoints.huggingface.cloud", "x" * HUGE)),
]
BLANKS = {"text": ["", " \t\r\n "], "media": [None]}


def _required(spec: TaskSpec) -> set[str]:
    """The fields a task cannot run without (chat's image and an image edit's prompt are optional)."""
    fields = form_shape(spec).fields & {"prompt", "context", "labels", "sentences", "image", "audio"}
    optional = {"chat": {"image"}, "image-prompt": {"prompt"}}.get(spec.input_kind, set())
    return fields - optional


def _blank_rows() -> list[Any]:
    """Every required field of every task's form, left blank."""
    rows = []
    for task, spec in TASKS.items():
        says = "Type a message" if spec.input_kind == "chat" else "Fill in"
        for field in sorted(_required(spec)):
            for n, blank in enumerate(BLANKS["media" if field in ("image", "audio") else "text"]):
                rows.append(pytest.param(task, {field: blank}, says, id=f"blank-{task}-{field}-{n}"))
    return rows


def _range_rows() -> list[Any]:
    """Every bounded number in every task's parameter group, just outside its range, and far outside."""
    rows = []
    for task, spec in TASKS.items():
        for param in spec.parameters:
            outside = [(param.minimum - 1, "at least"), (-1e308, "at least")] if param.minimum is not None else []
            outside += [(param.maximum + 1, "at most"), (1e308, "at most")] if param.maximum is not None else []
            for number, words in outside:
                rows.append(pytest.param(task, {param_key(task, param.name): number},
                                         f"Parameter '{param.name}' must be {words}",
                                         id=f"range-{task}-{param.name}-{number:g}"))
    return rows


FIELD_ROWS = [
    *(pytest.param(BASE_TASK, {"model": m}, "model id", id=f"model-{n}")
      for n, m in enumerate([*INVALID_IDS, *HOSTILE_MODEL_IDS])),
    *(pytest.param("chat-completion", {"model": m}, words, id=f"chat-model-{n}")
      for n, (m, words) in enumerate(CHAT_MODELS)),
    *(pytest.param(task, {"provider": p}, words, id=f"provider-{n}") for n, (task, p, words) in enumerate(PROVIDERS)),
    *(pytest.param(BASE_TASK, {"extra_params": text}, words, id=f"extra-{words.replace(' ', '-')}-{n}")
      for words, texts in EXTRA_PARAMETERS.items() for n, text in enumerate(texts)),
    *(pytest.param(BASE_TASK, {"token": token}, "token", id=f"token-{n}") for n, token in enumerate(TOKENS)),
    *(pytest.param(BASE_TASK, {"endpoint_url": url}, words, id=f"endpoint-{n}")
      for n, (url, words) in enumerate(ENDPOINTS)),
    *_blank_rows(),
    *_range_rows(),
    # Only a script can send these: the page's fields hold numbers and listed choices.
    *(pytest.param(BASE_TASK, values, says, id=f"parameter-type-{n}") for n, (values, says) in enumerate([
        ({"text_classification__top_k": "abc"}, "Parameter 'top_k' must be a number"),
        ({"text_classification__top_k": [3]}, "Parameter 'top_k' must be a number"),
        ({"text_classification__function_to_apply": "evil"}, "Parameter 'function_to_apply' must be one of"),
        ({"text_classification__function_to_apply": 5}, "Parameter 'function_to_apply' must be one of"),
        ({"parameters": [1, 2]}, "Parameters must be a JSON object"),
        ({"parameters": "top_k=3"}, "Parameters must be a JSON object"),
    ])),
]


@pytest.fixture(scope="module")
def form_ids(app: tuple[str, gr.Blocks]) -> set[str]:
    """The fields Run may write to (chat empties the message box once it is sent)."""
    run_fn: Any = next(fn for fn in app[1].fns.values() if fn.api_name == "run")
    return {block.elem_id for block in run_fn.inputs} & {block.elem_id for block in run_fn.outputs} - {None}


@pytest.fixture
def form() -> Callable[..., dict[str, Any]]:
    """The form as the page fills it for a task's own example, sent with the sentinel as the typed token."""
    def for_task(task: str, /, **values: Any) -> dict[str, Any]:
        return {**example_form(task), "token": SENTINEL, **values}
    return for_task


@pytest.mark.parametrize("task, values, says", FIELD_ROWS)
@TALLY.case
def test_a_bad_field_is_explained_and_nothing_is_sent(run: Runner, hf, form, form_ids: set[str], task: str,
                                                      values: Mapping[str, Any], says: str) -> None:
    out = run(**form(task, **values))

    assert NOT_SENT in out["status"]
    assert says in assert_clear_message(message_of(out), [OPERATOR_TOKEN])
    assert hf.received == []
    assert_form_kept(out, form_ids)


def test_a_provider_that_does_not_serve_the_model_for_the_task_is_named_and_no_inference_is_sent(
        run: Runner, hf, form) -> None:
    out = run(**form(BASE_TASK, provider="together"))

    assert NOT_SENT in out["status"]
    message = assert_clear_message(message_of(out), [OPERATOR_TOKEN])
    assert "together does not serve" in message and "hf-inference" in message, "says who does"
    assert [r.path.split("?")[0] for r in hf.received] == [f"/api/models/{example_form(BASE_TASK)['model']}"], \
        "only the Hub was asked who serves the model"


WRONG_TYPES = [  # values only a script can send; Gradio or the handler refuses them
    {"model": 123}, {"model": ["gpt2"]}, {"model": {"id": "gpt2"}}, {"task": 123}, {"task": ["fill-mask"]},
    {"image": "/etc/passwd"},
]


@pytest.mark.parametrize("values", WRONG_TYPES, ids=[f"type-{n}" for n in range(len(WRONG_TYPES))])
@TALLY.case
def test_a_value_of_the_wrong_type_is_refused_before_the_handler(run: Runner, hf, form,
                                                                 values: dict[str, Any]) -> None:
    with pytest.raises(AppError) as refused:
        run(**form(BASE_TASK, **values))

    assert_clear_message(str(refused.value), [OPERATOR_TOKEN])
    assert hf.received == []
    assert "HTTP 200" in run(**form(BASE_TASK, model=OK_MODEL))["status"], "the app keeps working"


@pytest.mark.parametrize("name, value", [("top_k", math.nan), ("top_k", math.inf), ("top_k", -math.inf),
                                         ("function_to_apply", math.nan)])
@TALLY.case
def test_a_number_the_client_cannot_send_is_refused_by_the_handler(fake, hf, name: str, value: float) -> None:
    """JSON has no NaN, so gradio_client cannot send one; a browser's number box can still hold one."""
    playground = Playground(fake_settings(fake.url))
    setup = RunSetup(model_id=OK_MODEL, task=BASE_TASK, form=FormValues(prompt="I like you"), params={name: value})

    views = list(run_inference(playground, setup, SENTINEL))

    assert [view.phase for view in views] == ["invalid"]
    assert f"Parameter '{name}' must be" in assert_clear_message(views[0].error)
    assert hf.received == []


@pytest.mark.parametrize("path", ["/etc/passwd", str(ASSETS.parents[1] / ".env.example"), "../../../../etc/hostname"])
@TALLY.case
def test_a_file_path_named_in_the_call_is_never_read(app: tuple[str, gr.Blocks], hf, path: str) -> None:
    """A raw API call that names a server file instead of uploading one is refused by Gradio."""
    url, demo = app
    run_fn: Any = next(fn for fn in demo.fns.values() if fn.api_name == "run")
    data = [None] * len(run_fn.inputs)
    image = [block.elem_id for block in run_fn.inputs].index("image")
    data[image] = {"path": path, "meta": {"_type": "gradio.FileData"}}

    answer = httpx.post(f"{url}/gradio_api/call/run", json={"data": data}, timeout=10)
    events = httpx.get(f"{url}/gradio_api/call/run/{answer.json()['event_id']}", timeout=10).text

    assert "event: error" in events, events
    assert "root:" not in events and "HF_TOKEN=" not in events
    assert hf.received == []


# --- uploads ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@TALLY.case
def test_an_oversized_upload_is_refused_before_any_handler(app: tuple[str, gr.Blocks], hf, files: Path) -> None:
    big = files / "big.png"
    with big.open("wb") as handle:  # sparse: 51 MB on the wire, nothing on disk
        handle.seek(51 * 2**20)
        handle.write(b"\0")

    with big.open("rb") as handle:
        answer = httpx.post(f"{app[0]}/gradio_api/upload", files={"files": ("big.png", handle, "image/png")},
                            timeout=60)

    assert answer.status_code == 413 and "maximum allowed size" in answer.text
    assert hf.received == []


NOT_IMAGES = {"text.png": b"hello", "empty.png": b"", "page.png": b"<script>alert(1)</script>",
              "sound.png": (ASSETS / "example.wav").read_bytes()}
NOT_AUDIO = {"picture.wav": (ASSETS / "example.png").read_bytes(), "notes.txt": b"hello"}


def _upload(files: Path, name: str, data: bytes) -> Any:
    path = files / name
    path.write_bytes(data)
    return handle_file(str(path))


@pytest.mark.parametrize("name", sorted(NOT_IMAGES))
@TALLY.case
def test_a_file_that_is_not_an_image_is_explained_before_the_handler(run: Runner, hf, form, files: Path,
                                                                     name: str) -> None:
    """The image field opens the upload while Gradio prepares the inputs, so the refusal is a pop-up."""
    with pytest.raises(AppError) as refused:
        run(**form("image-classification", image=_upload(files, name, NOT_IMAGES[name])))

    assert "not an image" in assert_clear_message(str(refused.value))
    assert hf.received == []


@pytest.mark.parametrize("name", sorted(NOT_AUDIO))
@TALLY.case
def test_a_file_that_is_not_audio_is_not_sent(run: Runner, hf, form, files: Path, name: str) -> None:
    out = run(**form("automatic-speech-recognition", audio=_upload(files, name, NOT_AUDIO[name])))

    assert NOT_SENT in out["status"] and "audio" in assert_clear_message(message_of(out))
    assert hf.received == []


# --- shareable links, opened in the page --------------------------------------------------------

HOSTILE_LINKS = [  # (query key, value), each small enough for a URL
    ("model", "gpt2\r\nX-Injected: 1"), ("model", "\uff47\uff50\uff54\uff12"), ("model", "gpt\u200b2"),
    ("model", "x" * 6_000), ("model", "<script>alert(1)</script>"), ("model", "org/name\x00"),
    ("model", "../../api/whoami-v2"), ("model", "https://evil.example/m"),
    ("task", "fill-mask\n"), ("task", "\uff46\uff49\uff4c\uff4c-mask"), ("task", "<img src=x onerror=alert(1)>"),
    ("task", "__class__"), ("text", "x" * 6_000), ("question", "q" * 6_000), ("context", "c" * 6_000),
    ("labels", ",".join(["a"] * 50)), ("labels", "<b>x</b>," * 30),
    ("provider", "\uff27\uff32\uff2f\uff31"), ("provider", "groq\r\nX-Injected: 1"), ("provider", "groq/../x"),
    ("endpoint", "https://x.endpoints.huggingface.cloud\r\n.evil.example"),
    ("endpoint", "https://x.endpoints.huggingface.cloud%2F@evil.example"),
    ("endpoint", "https://evil.example\u3002endpoints.huggingface.cloud"), ("endpoint", "https://0x7f000001"),
    ("endpoint", "https://x.endpoints.huggingface.cloud\\@evil.example"), ("endpoint", "HTTPS://evil.example"),
    ("endpoint", "data:text/html,<script>alert(1)</script>"),
    ("frozen", "x" * 9_000), ("frozen", "\x00"), ("frozen", "<script>"), ("frozen", "AQ"),
]
LINK_FORM = ("model", "task", "provider", "prompt", "context", "labels")


@pytest.fixture(scope="module")
def page(app: tuple[str, gr.Blocks]) -> Listeners:
    return Listeners(app[0])


@TALLY.case
@pytest.mark.parametrize("key, raw", HOSTILE_LINKS, ids=[f"link-{k}-{n}" for n, (k, _) in enumerate(HOSTILE_LINKS)])
def test_a_hostile_link_value_is_dropped_with_an_escaped_warning(page: Listeners, hf, key: str, raw: str) -> None:
    """The page opened with `?key=raw`: its load listener shows a warning and leaves the value out."""
    on_load = page.named("on_load")

    answer = page.call(on_load, page.page_values(on_load), query={key: raw})

    assert answer.outputs is not None, answer.text[-300:]
    notice = assert_clear_message(value(answer.outputs["link-note"]))
    assert f"Ignored '{key}' from the link" in notice
    assert raw not in [value(answer.outputs.get(field)) for field in LINK_FORM], "the bad value is not filled in"
    assert hf.received == []


# --- the count ----------------------------------------------------------------------------------

def test_the_matrix_tried_every_row(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    TALLY.report(request, capsys)

    assert len(FIELD_ROWS) >= 200, "the table covers every field many ways"
