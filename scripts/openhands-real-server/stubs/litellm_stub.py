"""The part of litellm the agent server's chat path uses, as a thin OpenAI-compatible client.
Responses are attribute-access objects shaped like litellm's (`choices[0].message.tool_calls[0].function`)."""
import asyncio
import json
import urllib.request


class Obj:
    def __init__(self, data=None, **kwargs):
        for key, value in {**(data or {}), **kwargs}.items():
            setattr(self, key, wrap(value))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __getitem__(self, key):
        return getattr(self, key)

    def __contains__(self, key):
        return key in self.__dict__

    def get(self, key, default=None):
        return self.__dict__.get(key, default)

    def model_dump(self, *args, **kwargs):
        return unwrap(self)

    def to_dict(self):
        return unwrap(self)

    def json(self):
        return unwrap(self)


def wrap(value):
    if isinstance(value, dict):
        return Obj(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def unwrap(value):
    if isinstance(value, Obj):
        return {k: unwrap(v) for k, v in value.__dict__.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


class ModelResponse(Obj):
    pass


class ModelResponseStream(Obj):
    pass


class Message(Obj):
    pass


class Choices(Obj):
    pass


class StreamingChoices(Obj):
    pass


class Usage(Obj):
    pass


class Delta(Obj):
    pass


class ChatCompletionMessageToolCall(Obj):
    pass


def completion(model=None, messages=None, api_base=None, api_key=None, timeout=None, tools=None, tool_choice=None, **kwargs):
    body = {"model": model.split("/", 1)[1] if model and model.startswith("openai/") else model, "messages": messages}
    if tools:
        body["tools"] = tools
    if tool_choice:
        body["tool_choice"] = tool_choice
    for key in ("temperature", "top_p", "max_tokens", "max_completion_tokens", "stop"):
        if kwargs.get(key) is not None:
            body[key] = kwargs[key]
    key_value = api_key.get_secret_value() if hasattr(api_key, "get_secret_value") else api_key
    request = urllib.request.Request(
        f"{(api_base or 'http://127.0.0.1:4000/v1').rstrip('/')}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {key_value}"} if key_value else {})},
    )
    with urllib.request.urlopen(request, timeout=float(timeout or 120)) as response:
        data = json.loads(response.read())
    choices = [Choices(index=c.get("index", 0), finish_reason=c.get("finish_reason"), message=Message(c.get("message") or {})) for c in data.get("choices", [])]
    return ModelResponse({k: v for k, v in data.items() if k not in ("choices", "usage")}, choices=choices, usage=Usage(data.get("usage") or {}))


async def acompletion(**kwargs):
    return await asyncio.to_thread(completion, **kwargs)


def _unsupported(*args, **kwargs):
    raise NotImplementedError("not in the cooperbench litellm stub")


def _model_info(*args, **kwargs):
    raise Exception("model info is not known to the cooperbench litellm stub")


EXPORTS = {
    "ModelResponse": ModelResponse, "ModelResponseStream": ModelResponseStream, "Message": Message, "Choices": Choices,
    "StreamingChoices": StreamingChoices, "Usage": Usage, "Delta": Delta, "ChatCompletionMessageToolCall": ChatCompletionMessageToolCall,
    "ChatCompletionToolParam": dict, "ChatCompletionToolParamFunctionChunk": dict, "completion": completion, "acompletion": acompletion,
    "responses": _unsupported, "aresponses": _unsupported, "completion_cost": lambda *a, **k: 0.0, "model_cost": {},
    "provider_list": ["openai"], "get_model_info": _model_info, "token_counter": lambda *a, **k: 0,
    "get_supported_openai_params": lambda *a, **k: ["tools", "tool_choice", "temperature", "top_p", "max_tokens", "stop"],
    "supports_vision": lambda *a, **k: False, "create_pretrained_tokenizer": lambda *a, **k: None,
    "stream_chunk_builder": _unsupported, "modify_params": False, "suppress_debug_info": True, "drop_params": True,
    "callbacks": [], "model_list": [], "model_list_set": set(), "bedrock_models": [], "bedrock_converse_models": [], "success_callback": [], "failure_callback": [], "input_callback": [],
}


def fill(module):
    for name, value in EXPORTS.items():
        setattr(module, name, value)
