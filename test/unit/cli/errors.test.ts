import { ApiException } from '@kubernetes/client-node';
import { explain } from '../../../src/cli/errors.js';

const api = (code: number, body: unknown) => new ApiException(code, `HTTP-Code: ${code}\nMessage: x`, body, {});

test('a refusal quotes the API server in one line and says what to do', () => {
  const forbidden = api(403, JSON.stringify({
    kind: 'Status', message: 'workerpools.syncpool.dev is forbidden: User "dev" cannot list resource "workerpools" in API group "syncpool.dev" in the namespace "data"',
  }));
  expect(explain(forbidden)).toBe('workerpools.syncpool.dev is forbidden: User "dev" cannot list resource "workerpools" in API group "syncpool.dev" '
    + 'in the namespace "data" (ask for access; kubectl syncpool doctor lists what you may do)');
  expect(explain(api(401, '{}'))).toMatch(/^the API server did not accept your credentials \(401 Unauthorized\)/);
});

test('a path the server does not serve means the CRDs are missing', () => {
  expect(explain(api(404, '404 page not found\n'))).toMatch(/^the syncpool.dev API is not served by this cluster: the CRDs are not installed \(kubectl apply -f deploy\/crds\//);
});

test('an unreachable server is named with how to point elsewhere', () => {
  const err = new Error('request to https://127.0.0.1:1/api/v1/namespaces failed, reason: connect ECONNREFUSED 127.0.0.1:1');
  expect(explain(err)).toBe('cannot reach the API server at https://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (check --kubeconfig, --context, and that the cluster is up)');
  expect(explain(new Error('first\nsecond'))).toBe('first');
});
