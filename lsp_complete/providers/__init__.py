"""Wire formats. The only package that imports httpx; every httpx error is mapped in ``_http``."""
