"""Every HTML page, rendered with Jinja templates and the one stylesheet; which IRIs may become
links.

Renders domain objects; knows nothing of HTTP.
"""
