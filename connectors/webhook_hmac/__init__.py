"""``webhook-hmac``: any provider that signs Stripe-style (``t=…,v1=…``), configured without code."""
