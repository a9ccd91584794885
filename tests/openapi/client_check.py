"""Calls a running TapRain through a client generated from its OpenAPI document.

Usage: python client_check.py <base-url> <admin-token>   (the generated package on PYTHONPATH)

Three endpoints, each through the generated function and its generated models: create a network
(request body), list networks (query parameters, typed answer), read the audit log filtered by a
query parameter (`action`, once wrongly declared as a path parameter).
"""

import sys

from taprain_admin_api_client import AuthenticatedClient
from taprain_admin_api_client.api.audit import audit_list
from taprain_admin_api_client.api.networks import networks_create, networks_list
from taprain_admin_api_client.models import AuditList, CreateNetwork, CreatedNetwork, NetworkList


def main() -> int:
    base_url, token = sys.argv[1], sys.argv[2]
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    checks = 0

    created = networks_create.sync_detailed(client=client, body=CreateNetwork(name="Generated client"))
    assert created.status_code == 201, created
    assert isinstance(created.parsed, CreatedNetwork), created.parsed
    network_id = created.parsed.id
    assert created.parsed.key, "a new network's key is shown once"
    checks += 1

    listed = networks_list.sync(client=client, search="Generated", limit=10)
    assert isinstance(listed, NetworkList), listed
    assert network_id in [n.id for n in listed.items], listed
    checks += 1

    audit = audit_list.sync(client=client, action="network.create", limit=5)
    assert isinstance(audit, AuditList), audit
    assert any(entry.target == network_id for entry in audit.items), audit
    assert all(entry.action.startswith("network.create") for entry in audit.items), audit
    checks += 1

    print(f"generated client: {checks} endpoint calls answered as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
