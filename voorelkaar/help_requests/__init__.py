"""Help requests (hulpvragen): ask, browse, manage."""
