"""``payment-alipay``: Alipay open-platform async notifications (RSA2), verified and mapped to payments."""
