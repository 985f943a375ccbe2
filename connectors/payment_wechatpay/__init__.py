"""``payment-wechatpay``: WeChat Pay API v3 notifications (RSA signature + AES-256-GCM resource)."""
