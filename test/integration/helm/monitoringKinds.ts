// The test control plane has no Prometheus Operator, so nothing would serve the
// ServiceMonitor and PrometheusRule kinds the chart can render. These stand-in CRDs,
// written for these tests from the Prometheus Operator's API reference (monitoring.coreos.com/v1),
// describe only the fields the chart uses or a user commonly sets, with their types; a
// server-side dry run with --validate=strict then refuses a misspelt or mistyped field.
// Created only when the kind is not served yet (a real CRD wins), never deleted:
// CRDs are cluster-wide and other test files may rely on them.
import type { KubeClients } from '../../../src/kube/client.js';
import { isAlreadyExists } from '../../../src/kube/client.js';
import { CRD_API } from '../../../src/api/install.js';
import { eventually } from '../support/cluster.js';

const str = { type: 'string' };
const stringMap = { type: 'object', additionalProperties: str };
const intOrString = { 'x-kubernetes-int-or-string': true };
const labelSelector = {
  type: 'object',
  properties: {
    matchLabels: stringMap,
    matchExpressions: {
      type: 'array',
      items: { type: 'object', required: ['key', 'operator'], properties: { key: str, operator: str, values: { type: 'array', items: str } } },
    },
  },
};
const relabelings = { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };

const serviceMonitorSpec = {
  type: 'object',
  required: ['selector'],
  properties: {
    jobLabel: str,
    targetLabels: { type: 'array', items: str },
    podTargetLabels: { type: 'array', items: str },
    sampleLimit: { type: 'integer' },
    selector: labelSelector,
    namespaceSelector: { type: 'object', properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: str } } },
    endpoints: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          port: str, targetPort: intOrString, path: str, scheme: { type: 'string', enum: ['http', 'https'] },
          interval: { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' },
          scrapeTimeout: { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' },
          honorLabels: { type: 'boolean' }, honorTimestamps: { type: 'boolean' },
          params: { type: 'object', additionalProperties: { type: 'array', items: str } },
          relabelings, metricRelabelings: relabelings,
          bearerTokenFile: str,
          tlsConfig: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  },
};

const prometheusRuleSpec = {
  type: 'object',
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          interval: str,
          limit: { type: 'integer' },
          partial_response_strategy: str,
          labels: stringMap,
          rules: {
            type: 'array',
            items: {
              type: 'object',
              required: ['expr'],
              properties: {
                record: str, alert: str, expr: intOrString, for: str, keep_firing_for: str,
                labels: stringMap, annotations: stringMap,
              },
            },
          },
        },
      },
    },
  },
};

function crd(kind: string, plural: string, spec: object) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com`, annotations: { 'syncpool.dev/test-stand-in': 'true' } },
    spec: {
      group: 'monitoring.coreos.com',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { apiVersion: str, kind: str, metadata: { type: 'object' }, spec } } },
      }],
    },
  };
}

export async function ensureMonitoringKinds(kube: KubeClients): Promise<void> {
  const wanted = [crd('ServiceMonitor', 'servicemonitors', serviceMonitorSpec), crd('PrometheusRule', 'prometheusrules', prometheusRuleSpec)];
  for (const body of wanted) {
    try {
      await kube.custom.createClusterCustomObject({ ...CRD_API, body });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const ref = { group: 'monitoring.coreos.com', version: 'v1', plural: body.spec.names.plural };
    await eventually(`${body.metadata.name} served`, () => kube.custom.listClusterCustomObject(ref).then(() => true), { timeoutMs: 60_000 });
  }
}
