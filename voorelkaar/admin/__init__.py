"""Administration: categories, settings and roles (admins only)."""
