"""Model ids and endpoint URLs: what is accepted, what is refused, and where the token may go (T8, T9)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from backend.errors import InvalidEndpointUrl, InvalidModelId, InvalidParameters
from backend.settings import Settings
from backend.targets import check_endpoint_url, is_hf_host, router_url_for, split_provider, validate_model_id

SETTINGS = Settings()
VALID_IDS = ["gpt2", "meta-llama/Llama-3.1-8B-Instruct", "Foo-BAR_foo.bar123", "t5-small",
             "google-bert/bert-base-uncased", "a", "org/a", "x" * 96]
INVALID_IDS = ["../../api/whoami-v2", "a/../../b", "%2e%2e/x", "a/b/c", "https://evil.com/m", "//evil.com/x",
               "@evil.com", ".evil.com", "a?b=1", "a#b", "a\\b", "a b", "a\n", "", "   ", "x" * 97,
               "ｇｐｔ２", "foo.git", "-foo", "foo-", "org/", "/name", "a--b", "a..b", "org/name:provider",
               "name\x00", "é"]


@pytest.mark.parametrize("model_id", VALID_IDS)
def test_valid_ids_build_urls_on_the_router_only(model_id: str) -> None:
    assert validate_model_id(model_id) == model_id
    for route in ("models", "pipeline"):
        url = urlsplit(router_url_for(SETTINGS, model_id, "feature-extraction", route))
        assert url.hostname == "router.huggingface.co"
        assert url.path.startswith("/hf-inference/models/" + model_id)
        assert not url.query and not url.fragment


@pytest.mark.parametrize("model_id", INVALID_IDS)
def test_invalid_ids_are_refused_with_a_message(model_id: str) -> None:
    with pytest.raises(InvalidModelId) as info:
        router_url_for(SETTINGS, model_id, "fill-mask", "models")
    assert info.value.message


def test_surrounding_spaces_are_forgiven() -> None:
    assert validate_model_id("  gpt2 ") == "gpt2"


@pytest.mark.parametrize("raw, expected", [
    ("openai/gpt-oss-120b", ("openai/gpt-oss-120b", "")),
    ("openai/gpt-oss-120b:groq", ("openai/gpt-oss-120b", "groq")),
    ("openai/gpt-oss-120b:cheapest", ("openai/gpt-oss-120b", "cheapest")),
    ("openai/gpt-oss-120b:auto", ("openai/gpt-oss-120b", "")),
    ("m:fireworks-ai", ("m", "fireworks-ai")),
])
def test_provider_suffix(raw: str, expected: tuple[str, str]) -> None:
    assert split_provider(raw) == expected


@pytest.mark.parametrize("raw", ["m:evil.com/x", "m:a b", "m:" + "p" * 41, "m:../x"])
def test_bad_provider_suffix(raw: str) -> None:
    with pytest.raises(InvalidParameters):
        split_provider(raw)


@pytest.mark.parametrize("host, expected", [
    ("router.huggingface.co", True), ("xyz.endpoints.huggingface.cloud", True), ("ROUTER.huggingface.co.", True),
    ("huggingface.co", False), ("hf.co", False), ("attacker.hf.space", False), ("endpoints.huggingface.cloud", False),
    ("router.huggingface.co.evil.example", False), ("endpoints.huggingface.cloud.evil.example", False),
    ("evilhuggingface.co", False), ("", False),
])
def test_only_inference_hosts_get_the_hf_token(host: str, expected: bool) -> None:
    assert is_hf_host(host) is expected


def public(_host: str) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize("url", [
    "http://xyz.endpoints.huggingface.cloud", "https://user:pw@router.huggingface.co/x",
    "https://evil.example/?x=router.huggingface.co", "https://xyz.endpoints.huggingface.cloud#frag",
    "ftp://xyz.endpoints.huggingface.cloud", "https://", "not a url", "https://host:8443/x",
    "https://[::1", "javascript:alert(1)",
])
def test_malformed_endpoint_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidEndpointUrl):
        check_endpoint_url(url, SETTINGS, resolve=public)


@pytest.mark.parametrize("url, address", [
    ("https://127.0.0.1", "127.0.0.1"), ("https://[::1]", "::1"), ("https://169.254.169.254", "169.254.169.254"),
    ("https://10.0.0.5", "10.0.0.5"), ("https://sneaky.example", "192.168.1.2"), ("https://zero.example", "0.0.0.0"),
])
def test_private_addresses_are_refused(url: str, address: str) -> None:
    with pytest.raises(InvalidEndpointUrl, match="private or local"):
        check_endpoint_url(url, SETTINGS, resolve=lambda host: [address])


def test_hf_endpoint_gets_the_hf_token_and_others_their_own_key() -> None:
    hf = check_endpoint_url("https://xyz.us-east-1.aws.endpoints.huggingface.cloud/", SETTINGS, resolve=public)
    assert (hf.url, hf.token_kind) == ("https://xyz.us-east-1.aws.endpoints.huggingface.cloud", "hf")
    other = check_endpoint_url("https://my-tgi.example.com", SETTINGS, resolve=public)
    assert other.token_kind == "endpoint"
    assert other.chat_url() == "https://my-tgi.example.com/v1/chat/completions"


def test_public_app_only_calls_allow_listed_hosts() -> None:
    shared = Settings(server_name="0.0.0.0", endpoint_hosts=("tgi.internal",))
    with pytest.raises(InvalidEndpointUrl, match="only calls Hugging Face hosts"):
        check_endpoint_url("https://my-tgi.example.com", shared, resolve=public)
    assert check_endpoint_url("https://xyz.endpoints.huggingface.cloud", shared).token_kind == "hf"
    assert check_endpoint_url("http://tgi.internal:8080", shared).token_kind == "endpoint"


def test_operator_router_origin_is_trusted_even_on_http() -> None:
    local = Settings(router_url="http://127.0.0.1:8765")
    endpoint = check_endpoint_url("http://127.0.0.1:8765/endpoints/endpoint-cold-5", local)
    assert endpoint.token_kind == "hf"
    with pytest.raises(InvalidEndpointUrl):
        check_endpoint_url("http://127.0.0.1:9999/x", local)


def test_custom_endpoints_can_be_switched_off() -> None:
    with pytest.raises(InvalidEndpointUrl, match="switched off"):
        check_endpoint_url("https://xyz.endpoints.huggingface.cloud", Settings(custom_endpoints=False))
