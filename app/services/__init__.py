"""The domain operations: the only code that writes. Services never commit; the request does."""
