"""The staff roles. Rights come from these groups' permissions, never from is_superuser."""

VENDOR_MANAGERS = "Vendor managers"
ACCOUNTANTS = "Accountants"
