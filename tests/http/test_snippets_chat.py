"""Copy-as-code for chat with tools, tool messages and `response_format`, each flavour run for real against
the fake HF server (curl, requests, huggingface_hub, the OpenAI client, Node's fetch, @huggingface/inference):
it sends what the playground sent (tools, tool_choice, the assistant's tool_calls, the `tool` messages with
their tool_call_id, the JSON schema) and prints the answer, a tool call as `name(arguments)`.
The token is only ever in the environment (SECURITY.md T2).
"""
from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from backend import Playground, load_settings
from backend.chat import SCHEMA_EXAMPLES, TOOL_EXAMPLE, ChatStream, parse_tools, response_format, tool_choice_value
from backend.settings import DEFAULT_ROUTER_URL
from backend.snippets import build_snippet
from tests.conftest import SENTINEL
from tests.fake_hf import FakeHF, Received
from tests.http.test_snippets import Sent

DECOY = "hf_DECOYwrongVariable00000"  # in the variable a snippet must NOT read
TOOLS = parse_tools(TOOL_EXAMPLE)
QUESTION = {"role": "user", "content": "What is the weather in Paris and in Tokyo?"}
WEATHER = [("call_fake_0", '{"location": "Paris, France", "format": "celsius"}'),
           ("call_fake_1", '{"location": "Tokyo, Japan", "format": "celsius"}')]
# The second turn of the tool loop, as the playground sends it: the assistant's calls, then one `tool`
# message per call; a result with quotes and a `$` that no shell or template may touch.
ANSWERED = [QUESTION,
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": "get_current_weather", "arguments": args}}
                for call_id, args in WEATHER]},
            {"role": "tool", "tool_call_id": "call_fake_0", "content": "18 °C, light rain; it's \"wet\" $HOME"},
            {"role": "tool", "tool_call_id": "call_fake_1", "content": '{"temperature": 24, "sky": "sunny"}'}]
SCHEMA = response_format(SCHEMA_EXAMPLES["animals seen"], strict=True)
RUNNERS = {  # language: (file the snippet is saved as, command that runs it)
    "curl": ("snippet.sh", ["bash"]),
    "python": ("snippet.py", [sys.executable]),
    "huggingface_hub": ("snippet_hub.py", [sys.executable]),
    "openai": ("snippet_openai.py", [sys.executable]),
    "node": ("snippet.js", ["node"]),
    "javascript": ("snippet.mjs", ["node"]),
}
PRINTS_THE_ANSWER = {"huggingface_hub", "openai", "javascript"}  # the others print the JSON, unless streamed
# InferenceClient(base_url=...) would send a json_schema response_format as TGI's json_object grammar, so its
# snippet says so and is the requests one (the router form, which keeps it, is run below).
FALLS_BACK = {("huggingface_hub", "schema"), ("huggingface_hub", "schema-stream")}


def needs(program: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(program) is None, reason=f"{program} is not installed on this machine")


@dataclass(frozen=True)
class Case:
    """One chat request as a person makes it in the UI's Tools and structured output accordion."""

    model_id: str
    messages: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    carries: frozenset[str] = frozenset()  # what of `carried()` its body holds


CASES = {
    "tool-call": Case("fake/tool-caller", [QUESTION], {
        "stream": False, "tools": TOOLS, "tool_choice": tool_choice_value("get_current_weather", TOOLS)},
        frozenset({"tools", "tool_choice"})),
    "tool-call-stream": Case("fake/tool-caller", [QUESTION], {"stream": True, "tools": TOOLS}, frozenset({"tools"})),
    "tool-results-stream": Case("fake/tool-caller", ANSWERED, {"stream": True, "tools": TOOLS},
                                frozenset({"tools", "assistant tool_calls", "tool messages"})),
    "schema": Case("fake/json-answers", [QUESTION], {"stream": False, "response_format": SCHEMA},
                   frozenset({"json_schema"})),
    "schema-stream": Case("fake/json-answers", [QUESTION], {"stream": True, "response_format": SCHEMA},
                          frozenset({"json_schema"})),
}
LANGUAGES = [pytest.param("curl", marks=needs("curl")), "python", "huggingface_hub", "openai",
             pytest.param("node", marks=needs("node")), pytest.param("javascript", marks=needs("node"))]


def send_from_playground(hf: FakeHF, case: Case) -> Sent:
    """What the playground itself sends and gets back; the fake's log is cleared afterwards."""
    hf.reset()
    playground = Playground(load_settings({"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url}, None,
                                          read_token_file=False))
    request = playground.build_request(task="chat-completion", model_id=case.model_id,
                                       inputs={"messages": case.messages}, params=case.params)
    result = playground.run_to_end(request, token=SENTINEL)
    assert result.ok, result.error
    (received,) = hf.received
    hf.reset()
    return Sent(request, result, received)


@pytest.fixture(scope="module")
def sent_for(hf: FakeHF) -> Callable[[str], Sent]:
    """The playground's own run of a case, once per module (the fake is this module's); the log left empty."""
    runs: dict[str, Sent] = {}

    def sent(case_name: str) -> Sent:
        if case_name not in runs:
            runs[case_name] = send_from_playground(hf, CASES[case_name])
        hf.reset()
        return runs[case_name]
    return sent


@pytest.fixture(scope="session")
def hf_inference_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`node_modules` holding @huggingface/inference 4.x, installed once per session from the npm registry."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run the @huggingface/inference snippet")
    root = tmp_path_factory.mktemp("hf-inference-js")
    (root / "package.json").write_text('{"private": true}', encoding="utf-8")
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                           "@huggingface/inference@4"], cwd=root, capture_output=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"npm could not install @huggingface/inference: {done.stderr.decode(errors='replace')[-300:]}")
    return root / "node_modules"


# Preloaded with `node --import`: @huggingface/inference sends chat for the router to the real host
# (https://router.huggingface.co, its AutoRouterConversationalTask); this sends it to the fake instead, and
# refuses any other host, so nothing leaves the machine.
TO_THE_FAKE = """\
const real = globalThis.fetch;
const fake = process.env.FAKE_HF_URL;
globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith("https://router.huggingface.co/")) throw new Error(`offline test: no fetch to ${url}`);
  return real(fake + url.slice("https://router.huggingface.co".length), init);
};
"""

# The same for Python, found by `site` on PYTHONPATH: huggingface_hub (httpx2) and openai (httpx) send to the fake.
TO_THE_FAKE_PY = """\
import importlib
import os

for name in ("httpx", "httpx2"):
    try:
        module = importlib.import_module(name)
    except ImportError:
        continue

    def to_the_fake(self, request, _send=module.Client.send, _url=module.URL, **kwargs):
        if request.url.host != "router.huggingface.co":
            raise RuntimeError(f"offline test: no request to {request.url}")
        request.url = _url(os.environ["FAKE_HF_URL"] + request.url.raw_path.decode("ascii"))
        return _send(self, request, **kwargs)

    module.Client.send = to_the_fake
"""


def run_snippet(language: str, code: str, workdir: Path, *, node_modules: Path | None = None,
                fake_url: str = "") -> bytes:
    """Run a snippet as its user would, the token in HF_TOKEN only; returns what it printed."""
    name, command = RUNNERS[language]
    (workdir / name).write_text(code, encoding="utf-8")
    if node_modules is not None:
        (workdir / "node_modules").symlink_to(node_modules, target_is_directory=True)
    if fake_url and command == ["node"]:
        (workdir / "to_the_fake.mjs").write_text(TO_THE_FAKE, encoding="utf-8")
        command = [*command, "--import", "./to_the_fake.mjs"]
    elif fake_url:
        (workdir / "sitecustomize.py").write_text(TO_THE_FAKE_PY, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "HF_HOME": str(workdir / "hf"),
           "HF_HUB_DISABLE_TELEMETRY": "1", "HF_TOKEN": SENTINEL, "API_TOKEN": DECOY, "OPENAI_API_KEY": DECOY,
           "FAKE_HF_URL": fake_url}
    if fake_url:
        env["PYTHONPATH"] = str(workdir)  # where sitecustomize.py is
    done = subprocess.run([*command, name], cwd=workdir, env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def spelled_out(sent: Sent) -> str:
    """What a snippet that reads the answer prints: the text, then each tool call as `name(arguments)`."""
    chat = ChatStream.from_result(sent.result)
    calls = "".join(f"{call.name}({call.arguments_text})\n" for call in chat.tool_calls)
    if sent.request.stream:
        return chat.answer + "\n" + calls
    return (chat.answer + "\n" if chat.answer else "") + calls


def printed_choices(language: str, stdout: bytes, streamed: bool) -> list[Any]:
    """The `choices` of each chunk (or of the one completion) in what curl, requests or fetch printed."""
    if streamed:
        lines = stdout.decode().splitlines()
        return [json.loads(line[5:])["choices"] for line in lines if line.startswith("data:") and "[DONE]" not in line]
    value = ast.literal_eval(stdout.decode()) if language == "python" else json.loads(stdout)
    return [value["choices"]]


def answered_choices(sent: Sent) -> list[Any]:
    # The fake stamps `created` with the clock, so choices are compared, not bytes.
    if sent.request.stream:
        return [event["choices"] for event in sent.result.events if isinstance(event, dict)]
    return [sent.result.json["choices"]]


def carried(body: dict[str, Any]) -> set[str]:
    """Which of the tool loop's and structured output's parts a chat body holds."""
    messages = body.get("messages") or []
    parts = {"tools": bool(body.get("tools")), "tool_choice": "tool_choice" in body,
             "assistant tool_calls": any(m.get("role") == "assistant" and m.get("tool_calls") for m in messages),
             "tool messages": any(m.get("role") == "tool" and m.get("tool_call_id") for m in messages),
             "json_schema": (body.get("response_format") or {}).get("type") == "json_schema"}
    return {name for name, present in parts.items() if present}


def check_the_snippet_ran(language: str, sent: Sent, received: Received, stdout: bytes, case: Case) -> None:
    assert received.path == sent.received.path
    assert received.headers["Authorization"] == f"Bearer {SENTINEL}"  # from HF_TOKEN, not a decoy
    assert carried(received.json) == case.carries
    if language in ("curl", "python", "node"):
        assert received.body == sent.received.body  # byte for byte
    else:  # the clients lay the JSON out their own way
        assert received.json == sent.received.json
    if language in PRINTS_THE_ANSWER or (sent.request.stream and language != "curl"):
        assert stdout.decode() == spelled_out(sent)
    else:
        assert printed_choices(language, stdout, sent.request.stream) == answered_choices(sent)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case_name", list(CASES))
def test_the_chat_snippet_sends_what_the_playground_sent_and_prints_the_answer(hf, sent_for, tmp_path, request,
                                                                                case_name, language):
    case, sent = CASES[case_name], sent_for(case_name)
    code = build_snippet(sent.request, language)
    assert SENTINEL not in code and "HF_TOKEN" in code
    if (language, case_name) in FALLS_BACK:
        assert code.startswith("# InferenceClient sends a json_schema response_format to this URL as TGI's")
    else:
        assert not code.startswith(("# ", "// ")), code.splitlines()[0]  # each says it its own way
    node_modules = request.getfixturevalue("hf_inference_js") if language == "javascript" else None

    stdout = run_snippet(language, code, tmp_path, node_modules=node_modules)

    (received,) = hf.received
    check_the_snippet_ran("python" if (language, case_name) in FALLS_BACK else language, sent, received, stdout,
                          case)


def test_a_tool_call_answer_names_its_functions(sent_for, tmp_path):
    """What a person sees when the model calls tools: no `None`, each call with its arguments."""
    sent = sent_for("tool-call")
    stdout = run_snippet("openai", build_snippet(sent.request, "openai"), tmp_path).decode()
    assert stdout == "".join(f"get_current_weather({arguments})\n" for _, arguments in WEATHER)


@needs("node")
@pytest.mark.parametrize("case_name", ["tool-call", "tool-results-stream", "schema"])
def test_the_javascript_client_on_the_real_router_url_sends_the_same(hf, sent_for, tmp_path, hf_inference_js,
                                                                    case_name):
    """The snippet a visitor of the real playground copies (no endpointUrl: the client's own router), run with
    `node --import` of a module that points globalThis.fetch's router URL at the fake (TO_THE_FAKE)."""
    case, sent = CASES[case_name], sent_for(case_name)
    on_the_router = dataclasses.replace(sent.request, url=f"{DEFAULT_ROUTER_URL}/v1/chat/completions")
    code = build_snippet(on_the_router, "javascript")
    assert "endpointUrl" not in code and "new InferenceClient(process.env.HF_TOKEN);" in code

    stdout = run_snippet("javascript", code, tmp_path, node_modules=hf_inference_js, fake_url=hf.url)

    (received,) = hf.received
    check_the_snippet_ran("javascript", sent, received, stdout, case)


@pytest.mark.parametrize("language", ["huggingface_hub", "openai"])
@pytest.mark.parametrize("case_name", ["tool-call", "tool-results-stream", "schema"])
def test_the_python_clients_on_the_real_router_url_send_the_same(hf, sent_for, tmp_path, case_name, language):
    """The same for InferenceClient() (its own router) and OpenAI(base_url=the router), run with a
    `sitecustomize` that points httpx's router URL at the fake (TO_THE_FAKE_PY). On the router, InferenceClient
    sends a json_schema response_format as it is: its snippet needs no fallback there."""
    case, sent = CASES[case_name], sent_for(case_name)
    on_the_router = dataclasses.replace(sent.request, url=f"{DEFAULT_ROUTER_URL}/v1/chat/completions")
    code = build_snippet(on_the_router, language)
    assert "127.0.0.1" not in code and not code.startswith("# ")

    stdout = run_snippet(language, code, tmp_path, fake_url=hf.url)

    (received,) = hf.received
    check_the_snippet_ran(language, sent, received, stdout, case)


def test_the_openai_snippet_passes_only_keywords_the_client_takes():
    """Keywords the installed client lacks would fail; the rest of the body goes in extra_body."""
    completions = pytest.importorskip("openai.resources.chat.completions")
    from backend.snippets.clients import OPENAI_KEYWORDS

    assert OPENAI_KEYWORDS <= set(inspect.signature(completions.Completions.create).parameters)


def test_the_openai_client_says_it_only_sends_chat():
    playground = Playground(load_settings({}, None, read_token_file=False))
    request = playground.build_request(task="text-classification", model_id="org/model", inputs={"text": "hi"})
    code = build_snippet(request, "openai")
    assert code.startswith("# The OpenAI client only sends chat completions; here it is with requests.\n")
    assert "requests.post(API_URL" in code and 'os.environ["HF_TOKEN"]' in code
