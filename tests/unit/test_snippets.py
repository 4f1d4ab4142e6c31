"""Copy-as-code without a network: no token ever reaches a snippet (SECURITY.md T2), the body each
snippet would send is byte-for-byte the playground's, quoting survives hostile prompts, and every
huggingface_hub call binds to the real `InferenceClient` signature.
"""
from __future__ import annotations

import ast
import inspect
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import requests
from huggingface_hub import InferenceClient

from backend import Playground, load_settings
from backend.result import InferenceRequest
from backend.snippets import LANGUAGE_LABELS, LANGUAGES, build_all, build_snippet
from backend.snippets.literals import JS, PY, literal, quote, template_literal
from backend.tasks import TASKS, Param, TaskSpec
from tests.conftest import SENTINEL

HOSTILE = ("It's \"quoted\" $HOME $(touch pwned) `id` \\n back\\slash\nnew line\ttab ünïcødé 😀 "
           "\u202eevil\u202c \U000e0041 ${x} %s {0} </script>")
ROUTER = "https://router.huggingface.co"
UPLOADS = {"image": b"\x89PNG\r\n\x1a\n\x00\xff fake image bytes", "audio": b"fLaC\x00\xff fake audio bytes"}
ENV_READS = {  # how each language spells "the credential from the environment"
    "curl": '-H "Authorization: Bearer ${}"', "python": 'os.environ["{}"]', "huggingface_hub": 'os.environ["{}"]',
    "openai": 'os.environ["{}"]', "node": "process.env.{}", "javascript": "process.env.{}",
}


def playground(**env: str) -> Playground:
    # The operator token is the sentinel: if any snippet could reach a token, it would be this one.
    return Playground(load_settings({"HF_TOKEN": SENTINEL, "PLAYGROUND_ENDPOINT_HOSTS": "my-tgi.example.com",
                                     **env}, None, read_token_file=False))


def sample_value(param: Param) -> Any:
    """A valid value for every parameter kind, so 'all parameters set' requests can be built."""
    samples = {"int": int(param.minimum or 1), "float": param.minimum or 0.5, "bool": True,
               "list": ["a"], "str": "x", "choice": param.choices[0] if param.choices else ""}
    return samples[param.kind]


def task_request(spec: TaskSpec, *, all_params: bool = False, endpoint_url: str = "") -> InferenceRequest:
    inputs = dict(spec.example)
    if spec.input_kind in ("image", "audio"):
        inputs = {spec.input_kind: UPLOADS[spec.input_kind], f"{spec.input_kind}_type": f"{spec.input_kind}/x-test"}
    elif spec.input_kind.startswith("image-"):  # an image beside the example's text, question or labels
        inputs.update(image=UPLOADS["image"], image_type="image/x-test")
    params = {p.name: sample_value(p) for p in spec.parameters} if all_params else {}
    return playground().build_request(task=spec.name, model_id=spec.default_model, inputs=inputs, params=params,
                                      endpoint_url=endpoint_url)


TASK_REQUESTS = [pytest.param((name, all_params), id=f"{name}{'+params' if all_params else ''}")
                 for name in TASKS for all_params in (False, True)]


@pytest.fixture(params=TASK_REQUESTS)
def any_request(request: pytest.FixtureRequest) -> InferenceRequest:
    name, all_params = request.param
    return task_request(TASKS[name], all_params=all_params)


# -- the public surface ------------------------------------------------------------------------

@pytest.mark.parametrize("function", [build_snippet, build_all])
def test_no_parameter_can_carry_a_token(function):
    names = list(inspect.signature(function).parameters)
    assert not [n for n in names if any(word in n.lower() for word in ("token", "key", "secret", "auth"))]


def test_languages_and_their_labels():
    assert LANGUAGES == ("curl", "python", "huggingface_hub", "openai", "node", "javascript")
    assert LANGUAGE_LABELS == {"curl": "curl", "python": "Python (requests)",
                               "huggingface_hub": "Python (huggingface_hub)", "openai": "Python (openai client)",
                               "node": "Node.js (fetch)",
                               "javascript": "JavaScript (@huggingface/inference)"}


def test_build_all_gives_every_language(any_request):
    assert list(build_all(any_request)) == list(LANGUAGES)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="curl, python"):
        build_snippet(task_request(TASKS["fill-mask"]), "cobol")


# -- T2: the token lives in the environment only -------------------------------------------------

def test_every_task_reads_hf_token_from_the_environment(any_request, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", SENTINEL)
    for language, code in build_all(any_request).items():
        assert SENTINEL not in code and SENTINEL[3:] not in code, language
        assert ENV_READS[language].format("HF_TOKEN") in code, language
        assert "API_TOKEN" not in code, language


@pytest.mark.parametrize("name", list(TASKS))
def test_a_non_hf_endpoint_gets_api_token_and_never_hf_token(name):
    request = task_request(TASKS[name], endpoint_url="https://my-tgi.example.com/generate")
    assert request.token_kind == "endpoint"
    for language, code in build_all(request).items():
        assert ENV_READS[language].format("API_TOKEN") in code, language
        assert "HF_TOKEN" not in code and SENTINEL not in code, language


def test_an_hf_endpoint_keeps_hf_token():
    request = task_request(TASKS["text-classification"], endpoint_url="https://abc.endpoints.huggingface.cloud")
    for language, code in build_all(request).items():
        assert ENV_READS[language].format("HF_TOKEN") in code and "API_TOKEN" not in code, language


def test_a_request_without_credentials_reads_no_variable():
    request = InferenceRequest("POST", f"{ROUTER}/hf-inference/models/gpt2", json_body={"inputs": "hi"},
                               token_kind="none", model_id="gpt2", task="text-generation")
    for language, code in build_all(request).items():
        assert "TOKEN" not in code and "Authorization" not in code, language


def test_credential_headers_on_a_request_never_reach_a_snippet():
    request = InferenceRequest("POST", f"{ROUTER}/hf-inference/models/gpt2", json_body={"inputs": "hi"},
                               headers={"Authorization": f"Bearer {SENTINEL}", "Cookie": f"token={SENTINEL}",
                                        "X-Api-Key": SENTINEL}, model_id="gpt2", task="fill-mask")
    for language, code in build_all(request).items():
        assert SENTINEL not in code and "Cookie" not in code, language


# -- the bytes each snippet would send ------------------------------------------------------------

def wire_body(request: InferenceRequest) -> bytes | None:
    """The body `requests` puts on the wire for this request, as the playground's transport sends it."""
    prepared = requests.Request(request.method, request.url, json=request.json_body, data=request.data).prepare()
    return prepared.body if isinstance(prepared.body, bytes) or prepared.body is None else prepared.body.encode()


def curl_arguments(code: str) -> list[str]:
    return shlex.split(code.replace("\\\n", " "), comments=True)


def test_curl_sends_the_playgrounds_bytes(any_request):
    args = curl_arguments(build_snippet(any_request, "curl", upload_name="cat.png"))
    if any_request.data is not None:
        assert args[args.index("--data-binary") + 1] == "@cat.png"
        assert f"Content-Type: {any_request.headers['Content-Type']}" in args
        assert build_snippet(any_request, "curl", upload_name="cat.png").startswith("# cat.png: the file you uploaded")
    else:
        assert args[args.index("--data-raw") + 1].encode() == wire_body(any_request)
        assert "Content-Type: application/json" in args
    assert args[1] == any_request.url and "Authorization: Bearer $HF_TOKEN" in args


@pytest.mark.parametrize("prompt", [HOSTILE, "'", "''", "'\\''", "-d @/etc/passwd", "\x00\x1b[31m"])
def test_curl_quoting_survives_any_prompt(prompt):
    request = InferenceRequest("POST", f"{ROUTER}/hf-inference/models/gpt2", json_body={"inputs": prompt},
                               model_id="gpt2", task="text-generation")
    args = curl_arguments(build_snippet(request, "curl"))
    assert args[args.index("--data-raw") + 1].encode() == wire_body(request)


class RecordedCall:
    """Stands in for `requests.post`: remembers the call and answers with an empty success."""

    content = b""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> RecordedCall:
        self.calls.append((args, kwargs))
        return self

    def __enter__(self) -> RecordedCall:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def raise_for_status(self) -> None:
        return None

    def json(self) -> Any:
        return {}

    def iter_lines(self) -> list[bytes]:
        return []


def test_the_requests_snippet_sends_the_playgrounds_bytes(any_request, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_TOKEN", "hf_placeholder0000")
    Path("cat.png").write_bytes(any_request.data or b"")
    post = RecordedCall()
    monkeypatch.setattr(requests, "post", post)
    exec(compile(build_snippet(any_request, "python", upload_name="cat.png"), "snippet.py", "exec"), {})
    (url,), kwargs = post.calls[0]
    sent = requests.Request("POST", url, json=kwargs.get("json"), data=kwargs.get("data")).prepare()
    assert url == any_request.url and sent.body == wire_body(any_request)
    assert kwargs["headers"]["Authorization"] == "Bearer hf_placeholder0000"
    assert kwargs.get("stream", False) == any_request.stream and kwargs["timeout"] > 0


# -- literals --------------------------------------------------------------------------------------

VALUES = [HOSTILE, "", {"a": [1, 2.5, -0.0, 1e-07, 1e+20, 10**30, True, False, None]}, [],
          {"nested": {"deep": [{"x": "\u2028\u2029\x7f\x00"}]}, "ключ": "значение", "k e y": {}}, "\ud800 lone",
          {str(i): "v" * i for i in range(12)}]


@pytest.mark.parametrize("value", VALUES)
def test_a_python_literal_evaluates_to_the_same_json(value):
    assert json.dumps(ast.literal_eval(literal(value, PY))) == json.dumps(value)


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\U000e0041", "\x00", "\u2028"])
def test_invisible_characters_are_spelled_out(char):
    for syntax in (PY, JS):
        assert char not in quote(f"a{char}b", syntax)


def test_a_template_literal_interprets_nothing():
    assert template_literal("a`b${c}\\n") == "`a\\`b\\${c}\\\\n`"


# -- the clients -----------------------------------------------------------------------------------

def hub_calls(code: str) -> dict[str, inspect.BoundArguments]:
    """Bind every `InferenceClient(...)` and `client.<method>(...)` call in a snippet to the real signature."""
    bound = {}
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name == "InferenceClient":
            target = InferenceClient.__init__
        elif name.startswith("client."):
            method = name.removeprefix("client.")
            target = InferenceClient.chat_completion if method == "chat.completions.create" else \
                getattr(InferenceClient, method)
        else:
            continue
        args = [_value(arg) for arg in node.args]
        kwargs = {kw.arg: _value(kw.value) for kw in node.keywords}
        bound[name] = inspect.signature(target).bind(None, *args, **kwargs)
    return bound


def _value(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return "<from the environment>"  # os.environ[...]


def test_every_huggingface_hub_call_binds_to_the_real_signature(any_request):
    code = build_snippet(any_request, "huggingface_hub")
    if code.startswith("# "):  # the client cannot say it; the note names why
        assert "here it is with requests" in code.splitlines()[0]
        return
    calls = hub_calls(code)
    assert "InferenceClient" in calls and len(calls) == 2
    method = next(bound for name, bound in calls.items() if name.startswith("client."))
    assert method.arguments.get("model") == (any_request.json_body or {}).get("model", any_request.model_id)


def test_a_parameter_the_client_lacks_falls_back_to_requests():
    request = task_request(TASKS["summarization"], all_params=True)
    code = build_snippet(request, "huggingface_hub")
    assert code.startswith("# InferenceClient.summarization() takes no max_length; here it is with requests.")
    assert "requests.post(API_URL" in code


def test_an_unknown_task_falls_back_to_plain_http():
    request = playground().build_request(task="tabular-regression", model_id="org/model", inputs={"text": "x"})
    assert build_snippet(request, "huggingface_hub").startswith("# InferenceClient has no method for this request")
    javascript = build_snippet(request, "javascript")
    assert javascript.startswith("// @huggingface/inference has no method") and "await fetch(API_URL" in javascript


CLIENT_METHODS = {  # task: (InferenceClient method, @huggingface/inference method)
    "text-classification": ("text_classification", "textClassification"),
    "question-answering": ("question_answering", "questionAnswering"),
    "sentence-similarity": ("sentence_similarity", "sentenceSimilarity"),
    "feature-extraction": ("feature_extraction", "featureExtraction"),
    "image-classification": ("image_classification", "imageClassification"),
    "automatic-speech-recognition": ("automatic_speech_recognition", "automaticSpeechRecognition"),
    "text-to-image": ("text_to_image", "textToImage"),
    "text-generation": ("text_generation", "textGeneration"),
    "chat-completion": ("chat.completions.create", "chatCompletion"),
}


@pytest.mark.parametrize("task", list(CLIENT_METHODS))
def test_the_clients_call_the_tasks_method(task):
    request = task_request(TASKS[task])
    python_method, js_method = CLIENT_METHODS[task]
    hub, javascript = build_snippet(request, "huggingface_hub"), build_snippet(request, "javascript")
    assert f"client.{python_method}(" in hub and f"client.{js_method}({{" in javascript
    assert 'import { InferenceClient } from "@huggingface/inference";' in javascript
    assert "new InferenceClient(process.env.HF_TOKEN)" in javascript
    on_hf_inference = request.url.startswith(f"{ROUTER}/hf-inference/")
    assert ('provider="hf-inference"' in hub) == on_hf_inference
    assert ('provider: "hf-inference"' in javascript) == on_hf_inference


def test_router_chat_names_the_provider_in_the_model_id():
    request = playground().build_request(task="chat-completion", model_id="meta-llama/Llama-3.1-8B-Instruct",
                                         provider="novita", inputs={"messages": [{"role": "user", "content": "Hi"}]},
                                         params={"stream": True})
    hub, javascript = build_snippet(request, "huggingface_hub"), build_snippet(request, "javascript")
    assert "InferenceClient(\n    api_key=" in hub and "provider=" not in hub
    assert 'model="meta-llama/Llama-3.1-8B-Instruct:novita"' in hub and "stream=True" in hub
    assert "client.chatCompletionStream({" in javascript and "stream:" not in javascript


def test_a_custom_endpoint_is_the_clients_base_url():
    url = "https://my-tgi.example.com/v1/chat/completions"
    request = playground().build_request(task="chat-completion", model_id="", endpoint_url=url,
                                         inputs={"messages": [{"role": "user", "content": "Hi"}]})
    hub, javascript = build_snippet(request, "huggingface_hub"), build_snippet(request, "javascript")
    assert f'base_url="{url}"' in hub and 'api_key=os.environ["API_TOKEN"]' in hub
    assert f'new InferenceClient(process.env.API_TOKEN, {{ endpointUrl: "{url}" }})' in javascript


# -- uploads, binary answers and streams -------------------------------------------------------------

def test_an_upload_is_read_from_the_named_file():
    snippets = build_all(task_request(TASKS["image-classification"]), upload_name="my cat.png")
    assert "--data-binary '@my cat.png'" in snippets["curl"]
    assert 'data = Path("my cat.png").read_bytes()' in snippets["python"]
    assert '"my cat.png",' in snippets["huggingface_hub"]
    assert 'body: fs.readFileSync("my cat.png")' in snippets["node"]
    assert 'data: fs.readFileSync("my cat.png")' in snippets["javascript"]


def test_an_image_answer_is_saved_to_a_file():
    snippets = build_all(task_request(TASKS["text-to-image"]))
    assert snippets["curl"].rstrip().endswith("-o output.jpg")
    assert 'Path("output.jpg").write_bytes(response.content)' in snippets["python"]
    assert 'image.save("output.jpg")' in snippets["huggingface_hub"]
    assert 'fs.writeFileSync("output.jpg", Buffer.from(await response.arrayBuffer()))' in snippets["node"]
    assert "fs.writeFileSync(\"output.jpg\", Buffer.from(await output.arrayBuffer()))" in snippets["javascript"]


def test_a_stream_is_read_event_by_event():
    request = task_request(TASKS["chat-completion"], all_params=True)
    snippets = build_all(request)
    assert request.stream and "--no-buffer" in snippets["curl"]
    assert "stream=True) as response" in snippets["python"] and "response.iter_lines()" in snippets["python"]
    assert "for await (const chunk of response.body)" in snippets["node"]


def test_node_embeds_the_exact_json_text():
    request = InferenceRequest("POST", f"{ROUTER}/hf-inference/models/gpt2", json_body={"inputs": HOSTILE},
                               model_id="gpt2", task="text-generation")
    code = build_snippet(request, "node")
    assert f"const body = {template_literal(json.dumps(request.json_body))};" in code


def test_a_seed_goes_through_image_to_image_s_keyword_arguments():
    # InferenceClient.image_to_image(**kwargs) passes a seed on as a parameter; the snippet need not
    # fall back to requests for it.
    request = task_request(TASKS["image-to-image"], all_params=True)
    assert "seed" in json.dumps(request.json_body or {}), "the request carries a seed"

    code = build_snippet(request, "huggingface_hub")

    assert not code.startswith("# "), code.splitlines()[0]
    method = next(bound for name, bound in hub_calls(code).items() if name == "client.image_to_image")
    assert "seed" in method.arguments.get("kwargs", {})


@pytest.mark.parametrize("task, method", [
    ("visual-question-answering", "visual_question_answering"),
    ("document-question-answering", "document_question_answering"),
    ("zero-shot-image-classification", "zero_shot_image_classification"),
])
def test_image_questions_and_labels_have_their_client_method_in_python_and_fetch_in_javascript(task, method):
    request = task_request(TASKS[task])

    assert f"client.{method}" in hub_calls(build_snippet(request, "huggingface_hub"))
    javascript = build_snippet(request, "javascript")
    assert javascript.startswith("// @huggingface/inference has no method") and "await fetch(API_URL" in javascript
