"""Reports of misuse ("Meld misbruik") and how staff handle them."""
