"""``esign-fadada``: 法大大 FASC OpenAPI v5.1 sign tasks and signed callbacks → contract status."""
