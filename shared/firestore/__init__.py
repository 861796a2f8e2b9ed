"""The one owner of google-cloud-firestore's internals (the wire format and the transport).

Everything here relies on parts of the library that are not its public API; each module's
docstring lists the assumptions it makes, and tests/shared/firestore/test_contracts.py holds one
named contract test per assumption, so a library upgrade that breaks one fails that test
instead of corrupting data:

- `client`: the process's client, whose gRPC channel carries the request deadlines;
- `rpc`: GetDocument and Commit sent as raw protobufs on that channel, with the generated
  client's metadata, retry policy and exceptions, without its per-call wrappers;
- `documents`: one document read and decoded from its raw protobuf;
- `writes`: a batch of writes encoded straight into the commit's raw protobuf, and the values
  its increments left, by field path.

Nothing outside this package reaches into the library's private members (bench/ counts calls
through `_firestore_api` and `rpc`, and is measurement code, not the service).
"""
