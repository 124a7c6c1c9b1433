def mask_identifier(value: str, visible: int = 4) -> str:
    """Show only the last few characters of an account number or tax id."""
    compact = "".join(value.split())
    if not compact:
        return ""
    if len(compact) <= visible:
        return "•" * len(compact)
    return "•" * 4 + compact[-visible:]
