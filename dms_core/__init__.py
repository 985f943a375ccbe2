"""dms_core package."""
