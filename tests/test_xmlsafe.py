from __future__ import annotations

import pytest

from homologa import xmlsafe

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize(
    "data",
    [
        BOMB,
        XXE,
        BOMB.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>').encode("utf-16"),
        BOMB.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16LE"?>').encode("utf-16-le"),
        XXE.replace(b"<!DOCTYPE", b"<!-- x --><!DOCTYPE"),
    ],
)
def test_doctype_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(xmlsafe.UnsafeXML):
        xmlsafe.parse(data)


@pytest.mark.parametrize("data", [b"", b"   ", b"<a>", b"<a></b>", b"not xml"])
def test_malformed_is_reported(data: bytes) -> None:
    with pytest.raises(xmlsafe.MalformedXML):
        xmlsafe.parse(data)


def test_plain_document_parses() -> None:
    root = xmlsafe.parse('<a xmlns="urn:x"><b>São &amp; Paulo</b></a>'.encode())
    assert root[0].text == "São & Paulo"


def test_comments_are_not_mistaken_for_a_doctype() -> None:
    root = xmlsafe.parse(b'<?xml version="1.0"?><!-- nota --><a><!-- outra --><b>1</b></a>')
    assert [child.tag for child in root] == ["b"]
