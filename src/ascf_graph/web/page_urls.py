"""URLs of our own routes for pages and links, never built from the request's ``Host``.

``request.url_for`` makes an absolute URL out of the ``Host`` header, which
the client chooses: a forged ``Host`` would put another site's address into
our HTML (script and style sheet sources, links, the endpoint the query
editor posts to), and a shared cache could keep that page for everyone.
Pages therefore link our routes by path (the application's ``root_path``
included, so a mounted router still works), or under ``ASCF_PUBLIC_URL``
when a deployment sets it; machine answers that need an absolute URL (the
service description's endpoint, the curated-query listing) use
``ASCF_PUBLIC_URL`` when set, and only otherwise the request's own address.

This changes no IRI: the base IRI mapping of DESIGN.md (``ASCF_BASE_IRI``) is
separate and never read from the request.
"""

from typing import Any

from starlette.requests import Request

from ascf_graph.core.settings import Settings


def route_path(request: Request, name: str, /, **path_params: Any) -> str:
    """The path of the route ``name`` from the application's root, ``root_path`` included."""
    provider = request.scope.get("router") or request.scope.get("app")
    if provider is None:
        raise RuntimeError("route_path needs a request routed by a Starlette application")
    path = str(provider.url_path_for(name, **path_params))
    root = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    return root.rstrip("/") + path


def page_url(request: Request, settings: Settings, name: str, /, **path_params: Any) -> str:
    """Where a page links the route ``name``: under ``ASCF_PUBLIC_URL``, else by path."""
    path = route_path(request, name, **path_params)
    if settings.public_url is None:
        return path
    return _under_public_url(settings, path, request)


def absolute_url(request: Request, settings: Settings, name: str, /, **path_params: Any) -> str:
    """An absolute URL of the route ``name`` for a machine answer: under
    ``ASCF_PUBLIC_URL`` when set, else this request's own address."""
    if settings.public_url is None:
        return str(request.url_for(name, **path_params))
    return _under_public_url(settings, route_path(request, name, **path_params), request)


def _under_public_url(settings: Settings, path: str, request: Request) -> str:
    """``path`` (from the root of the application) under the public URL, which names
    that same root, so the application's own ``root_path`` is not repeated."""
    assert settings.public_url is not None
    root = request.scope.get("app_root_path", request.scope.get("root_path", "")).rstrip("/")
    if root and path.startswith(root):
        path = path[len(root) :]
    return str(settings.public_url).rstrip("/") + path
