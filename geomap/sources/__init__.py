"""Where data comes from: the source registry, publishers' APIs, downloads and the cache."""
