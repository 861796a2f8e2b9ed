"""The one owner of google-cloud-firestore's internals (the wire format and the transport).

Everything here relies on parts of the library that are not its public API; each module's
docstring lists the assumptions it makes, and tests/shared/firestore/test_contracts.py holds one
named contract test per assumption, so a library upgrade that breaks one fails that test
instead of corrupting data:

- `client`: the process's client, whose gRPC channel carries the request deadlines;
- `documents`: one document read through the low-level API and decoded from its raw protobuf;
- `transforms`: the post-transform values (increments) a commit returns, by field path.

Nothing outside this package reaches into the library's private members (bench/ measures calls
through `_firestore_api` and is measurement code, not the service).
"""
