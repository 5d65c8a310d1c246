"""Media types in Atelier's OpenAPI document that Schemathesis does not know by name.

``application/x-amz-json-1.1`` (the SageMaker-compatible API, as boto3 speaks it) is JSON on the
wire: requests are sent as JSON text under that media type and answers are read as JSON, so the
fuzzer sends to and checks that operation like any other. Loaded by ``test_openapi.py`` through
``SCHEMATHESIS_HOOKS``.
"""

from __future__ import annotations

import json

import schemathesis

AWS_JSON = "application/x-amz-json-1.1"


@schemathesis.serializer(AWS_JSON)
def aws_json_request(ctx, value):
    if isinstance(value, (bytes, bytearray)):
        return {"data": bytes(value)}
    return {"data": json.dumps(value if value is None or isinstance(value, (dict, list, str, int, float, bool))
                               else str(value)).encode()}


@schemathesis.deserializer(AWS_JSON)
def aws_json_answer(ctx, response):
    return json.loads(response.content) if response.content else None
