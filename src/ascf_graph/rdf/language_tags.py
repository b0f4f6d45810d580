"""Language tags against the IANA Language Subtag Registry (BCP 47): the copy the
``langcodes`` package ships (MIT licence). Well formed is not enough: ``xx-YY`` is, but
``xx`` is no language.

The registry takes ``langcodes`` a fortieth of a second to load, which the server's
start-up does not pay: it is loaded by the first tag checked."""


def unregistered_subtag(tag: str) -> str | None:
    """The first subtag of ``tag`` the registry does not have, None when all are known.

    >>> unregistered_subtag("vi-VN") is None
    True
    >>> unregistered_subtag("xx-YY")
    'xx'
    >>> unregistered_subtag("vi-Abcd")
    'Abcd'
    """
    import langcodes  # noqa: PLC0415 - see the module's docstring

    if langcodes.tag_is_valid(tag):
        return None
    subtags = tag.split("-")
    for end in range(1, len(subtags) + 1):
        if not langcodes.tag_is_valid("-".join(subtags[:end])):
            return subtags[end - 1]
    return tag
