"""Copy-as-code with the client libraries: huggingface_hub's InferenceClient, the OpenAI client and
@huggingface/inference. A request a client cannot say falls back to `requests` or `fetch`, with a first
line that says why.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Mapping

from .calls import HUB_LAYOUTS, Arguments, ClientCall, client_answer, client_call, provider_arguments
from .literals import JS, PY, Code, function_call, literal, quote
from .plain_http import write_node, write_python
from .plan import Plan, file_names, with_tools

# huggingface_hub's InferenceClient: one method per task, the answer read as the method returns it.
_HUB_ANSWERS = {
    "value": "output = %(call)s\nprint(output)\n",
    "image": "image = %(call)s\nimage.save(%(file)s)\nprint(%(saved)s)\n",
    "bytes": "data = %(call)s\nPath(%(file)s).write_bytes(data)\nprint(%(saved)s)\n",
    "chat": "completion = %(call)s\nprint(completion.choices[0].message.content)\n",
    "chat_stream": ("stream = %(call)s\nfor chunk in stream:\n    if chunk.choices:\n"
                    "        print(chunk.choices[0].delta.content or \"\", end=\"\", flush=True)\nprint()\n"),
    "stream": "for token in %(call)s:\n    print(token, end=\"\", flush=True)\nprint()\n",
    # With tools the message may be tool calls and no text (content None): print each call too.
    "chat_tools": ("completion = %(call)s\nmessage = completion.choices[0].message\nif message.content:\n"
                   "    print(message.content)\nfor call in message.tool_calls or []:\n"
                   "    print(f\"{call.function.name}({call.function.arguments})\")\n"),
    "chat_stream_tools": ("calls = {}  # tool calls by index: [name, arguments so far]\nstream = %(call)s\n"
                          "for chunk in stream:\n    if chunk.choices:\n        delta = chunk.choices[0].delta\n"
                          "        print(delta.content or \"\", end=\"\", flush=True)\n"
                          "        for piece in delta.tool_calls or []:\n"
                          "            call = calls.setdefault(piece.index, [\"\", \"\"])\n"
                          "            call[0] = piece.function.name or call[0]\n"
                          "            call[1] += piece.function.arguments or \"\"\nprint()\n"
                          "for name, arguments in calls.values():\n    print(f\"{name}({arguments})\")\n"),
}


@functools.cache
def _hub_keywords(method: str) -> frozenset[str] | None:
    """The keyword arguments `InferenceClient.<method>` takes, read off the installed client (None: unknown,
    or any: image_to_image and image_to_video pass `**kwargs` on as parameters, a seed among them)."""
    try:
        from huggingface_hub import InferenceClient  # lazily: only this writer needs it
    except ImportError:  # pragma: no cover - huggingface_hub is a backend dependency
        return None
    function = getattr(InferenceClient, method, None)
    if function is None:
        return None
    parameters = inspect.signature(function).parameters.values()
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return None
    return frozenset(parameter.name for parameter in parameters)


def _hub_arguments(plan: Plan, call: ClientCall) -> Arguments | str:
    """The method's arguments, or why InferenceClient cannot say this request."""
    if plan.route == "provider":
        args, kwargs = provider_arguments(plan)
    else:
        args, kwargs = HUB_LAYOUTS[call.layout](plan, plan.request.json_body or {})
    if plan.route == "hf-inference":
        kwargs = {"model": plan.request.model_id, **kwargs}
    if call.layout == "chat" and plan.route in ("url", "hf-inference") and _asks_json_schema(kwargs):
        # huggingface_hub (2.4) rewrites it for TGI, {"type": "json_object", "value": <schema>}, its name and
        # `strict` dropped; on the router it sends it as it is. @huggingface/inference sends it as it is everywhere.
        return "InferenceClient sends a json_schema response_format to this URL as TGI's json_object grammar"
    accepted = _hub_keywords(call.signature)
    unknown = {name: value for name, value in kwargs.items() if accepted is not None and name not in accepted}
    if not unknown:
        return args, kwargs
    if (call.layout == "chat" or plan.route == "provider") and "extra_body" in (accepted or ()):
        # Only chat's extra_body lands where the playground put them, at the body's root.
        known = {name: value for name, value in kwargs.items() if name not in unknown}
        return args, {**known, "extra_body": unknown}
    return f"InferenceClient.{call.signature}() takes no {', '.join(unknown)}"


def _asks_json_schema(kwargs: Mapping[str, Any]) -> bool:
    response_format = kwargs.get("response_format")
    return isinstance(response_format, Mapping) and response_format.get("type") == "json_schema"


def write_hub(plan: Plan) -> str:
    call = client_call(plan)
    arguments = _hub_arguments(plan, call) if call else "InferenceClient has no method for this request"
    if call is None or isinstance(arguments, str):
        return f"# {arguments}; here it is with requests.\n{write_python(plan)}"
    client: dict[str, Any] = {"hf-inference": {"provider": "hf-inference"}, "router": {},
                              "provider": {"provider": plan.request.provider},
                              "url": {"base_url": plan.request.url}}[plan.route]
    stdlib = []
    if plan.token_variable:
        client["api_key"] = Code(f'os.environ["{plan.token_variable}"]')
        stdlib.append("import os")
    if call.returns == "bytes":
        stdlib.append("from pathlib import Path")
    answer = _HUB_ANSWERS[client_answer(plan, call)] % {
        "call": function_call(f"client.{call.python}", *arguments), **file_names(plan, PY)}
    head = "\n".join(stdlib) + "\n\n" if stdlib else ""
    return f"{head}from huggingface_hub import InferenceClient\n\n" \
           f"client = {function_call('InferenceClient', (), client)}\n\n{answer}"


# `client.chat.completions.create`'s own keywords (openai 1.x to 3.x); the rest of a body goes in
# `extra_body`, which the client puts at the body's root, where the playground put it.
OPENAI_KEYWORDS = frozenset({
    "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "n", "parallel_tool_calls",
    "presence_penalty", "reasoning_effort", "response_format", "seed", "stop", "stream", "stream_options",
    "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user"})


def write_openai(plan: Plan) -> str:
    """The OpenAI client on any OpenAI-compatible chat URL (the router, a provider's, an endpoint's `/v1`)."""
    body = plan.request.json_body
    if not plan.is_chat or not isinstance(body, Mapping) or "model" not in body:
        return f"# The OpenAI client only sends chat completions; here it is with requests.\n{write_python(plan)}"
    kwargs = {"model": body["model"], "messages": body.get("messages")}
    kwargs |= {key: value for key, value in body.items() if key in OPENAI_KEYWORDS}
    extra = {key: value for key, value in body.items() if key not in kwargs}
    if extra:
        kwargs["extra_body"] = extra
    base_url = plan.request.url.rstrip("/").removesuffix("/chat/completions")
    client: dict[str, Any] = {"base_url": base_url}
    head = ""
    if plan.token_variable:
        client["api_key"] = Code(f'os.environ["{plan.token_variable}"]')
        head = "import os\n\n"
    else:  # the client will not start without a key; this server asks for none
        client["api_key"] = "unused"
    answer = _HUB_ANSWERS[with_tools(plan, "chat_stream" if plan.request.stream else "chat")] % {
        "call": function_call("client.chat.completions.create", (), kwargs)}
    return f"{head}from openai import OpenAI\n\nclient = {function_call('OpenAI', (), client)}\n\n{answer}"


# @huggingface/inference: the same table's JavaScript twins, run with Node.js.
_JS_ANSWERS = {
    "value": "const output = await client.%(method)s(%(args)s);\nconsole.log(output);\n",
    "image": ("const output = await client.%(method)s(%(args)s);\n"
              "fs.writeFileSync(%(file)s, Buffer.from(await output.arrayBuffer()));\nconsole.log(%(saved)s);\n"),
    "chat": ("const completion = await client.%(method)s(%(args)s);\n"
             "console.log(completion.choices[0].message.content);\n"),
    "chat_stream": ("for await (const chunk of client.%(method)s(%(args)s)) {\n"
                    "  if (chunk.choices?.length) process.stdout.write(chunk.choices[0].delta.content ?? \"\");\n}\n"
                    "process.stdout.write(\"\\n\");\n"),
    "stream": ("for await (const output of client.%(method)s(%(args)s)) {\n"
               "  if (!output.token.special) process.stdout.write(output.token.text);\n}\nprocess.stdout.write(\"\\n\");\n"),
    "chat_tools": ("const completion = await client.%(method)s(%(args)s);\nconst { message } = completion.choices[0];\n"
                   "if (message.content) console.log(message.content);\nfor (const call of message.tool_calls ?? []) "
                   "console.log(`${call.function.name}(${call.function.arguments})`);\n"),
    "chat_stream_tools": ("const calls = {}; // tool calls by index: name, and arguments so far\n"
                          "for await (const chunk of client.%(method)s(%(args)s)) {\n"
                          "  const delta = chunk.choices?.[0]?.delta;\n  if (!delta) continue;\n"
                          "  process.stdout.write(delta.content ?? \"\");\n"
                          "  for (const piece of delta.tool_calls ?? []) {\n"
                          "    const call = (calls[piece.index ?? 0] ??= { name: \"\", arguments: \"\" });\n"
                          "    call.name = piece.function?.name || call.name;\n"
                          "    call.arguments += piece.function?.arguments ?? \"\";\n  }\n}\n"
                          "process.stdout.write(\"\\n\");\n"
                          "for (const call of Object.values(calls)) console.log(`${call.name}(${call.arguments})`);\n"),
}


def write_javascript(plan: Plan) -> str:
    call = client_call(plan)
    if call is None or not call.js:
        return "// @huggingface/inference has no method for this request; here it is with fetch.\n" + write_node(plan)
    if plan.route == "provider":
        return _javascript_provider(plan, call)
    # The *Stream methods add `stream: true` themselves; a `stream: false` stays, as the playground sent it.
    args = {key: value for key, value in (plan.request.json_body or {}).items() if key != "stream" or not value}
    reads_file = plan.sends_file or call.layout == "file"
    if reads_file:  # the client uploads raw bytes; it base64-encodes nothing itself
        args.pop("inputs", None)
        args["data"] = Code(f"fs.readFileSync({quote(plan.upload, JS)})")
    if plan.route == "hf-inference":
        args = {"provider": "hf-inference", "model": plan.request.model_id, **args}
    token = f"process.env.{plan.token_variable}" if plan.token_variable else ""
    options = f", {{ endpointUrl: {quote(plan.request.url, JS)} }}" if plan.route == "url" else ""
    kind = client_answer(plan, call)
    kind = "image" if kind == "bytes" else kind  # textToSpeech answers a Blob, like textToImage
    method = call.js_stream if plan.request.stream and call.js_stream else call.js
    answer = _JS_ANSWERS[kind] % {"method": method, "args": literal(args, JS), **file_names(plan, JS)}
    imports = ['import fs from "node:fs";'] if reads_file or kind == "image" else []
    imports.append('import { InferenceClient } from "@huggingface/inference";')
    return "\n".join(imports) + f"\n\nconst client = new InferenceClient({token}{options});\n\n{answer}"


def _javascript_provider(plan: Plan, call: ClientCall) -> str:
    """`client.textToImage({ provider, model, inputs, parameters })`, the upload read into a Blob."""
    (first,), kwargs = provider_arguments(plan)
    kwargs.pop("model")
    reads_file = call.layout == "file"
    inputs = Code(f"new Blob([fs.readFileSync({quote(plan.upload, JS)})])") if reads_file else first
    args: dict[str, Any] = {"provider": plan.request.provider, "model": plan.request.model_id, "inputs": inputs}
    if kwargs:
        args["parameters"] = kwargs
    kind = {"bytes": "image"}.get(call.returns, call.returns)  # video and audio answer a Blob, like images
    answer = _JS_ANSWERS[kind] % {"method": call.js, "args": literal(args, JS), **file_names(plan, JS)}
    imports = ['import fs from "node:fs";'] if reads_file or kind == "image" else []
    imports.append('import { InferenceClient } from "@huggingface/inference";')
    token = f"process.env.{plan.token_variable}" if plan.token_variable else ""
    return "\n".join(imports) + f"\n\nconst client = new InferenceClient({token});\n\n{answer}"
