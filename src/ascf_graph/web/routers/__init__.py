"""The HTTP routes, one router per capability."""
