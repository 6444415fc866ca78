"""Own your data: download it, withdraw consent, delete the account; and retention."""
