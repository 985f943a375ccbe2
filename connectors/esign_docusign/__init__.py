"""``esign-docusign``: envelopes from a template for dealer contracts; Connect events verified by HMAC."""
