// What a pool's template may say, as the operator's parser judges it (the API server's
// CEL twins are proven in test/integration/validation.test.ts): label keys and values
// as Kubernetes checks them, syncpool's own label keys refused, quantities, and the
// restricted Pod Security Standard.
import { parseWorkerPool } from '../../../src/api/parse.js';

function pool(template: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'syncpool.dev/v1alpha1', kind: 'WorkerPool',
    metadata: { name: 'crm', namespace: 'data' },
    spec: { maxWorkers: 3, template: { image: 'registry.example/sync:1', ...template }, ...spec },
  };
}
const problem = (template: Record<string, unknown>, spec?: Record<string, unknown>) => {
  const parsed = parseWorkerPool(pool(template, spec));
  return parsed.ok ? 'accepted' : parsed.message;
};

describe('labels, annotations and nodeSelector', () => {
  test('accepts what Kubernetes accepts', () => {
    expect(problem({
      labels: { team: 'data', 'app.kubernetes.io/name': 'crm-sync', 'example.com/empty': '', a: 'A_b.c-9' },
      annotations: { 'example.com/owner': 'data team!', ['p'.repeat(253) + '/n']: 'x' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    })).toBe('accepted');
  });

  test.each([
    ['a value with a space', { labels: { team: 'data team!' } },
      'spec.template.labels.team: must be a label value: empty, or letters, digits, "-", "_" or ".", '
      + 'beginning and ending with a letter or digit, got "data team!"'],
    ['a value ending in "-"', { labels: { team: 'data-' } }, 'spec.template.labels.team: must be a label value'],
    ['a key with a space', { labels: { 'my team': 'data' } }, 'spec.template.labels["my team"]: key must be a qualified name'],
    ['a key with an upper-case prefix', { labels: { 'Example.com/team': 'data' } }, 'spec.template.labels["Example.com/team"]: key must be a qualified name'],
    ['a key with two slashes', { annotations: { 'a/b/c': 'x' } }, 'spec.template.annotations["a/b/c"]: key must be a qualified name'],
    ['a 64-character name', { annotations: { ['n'.repeat(64)]: 'x' } }, 'spec.template.annotations.nnnn'],
    ['a 254-character prefix', { annotations: { ['p'.repeat(254) + '/n']: 'x' } }, 'key must be a qualified name'],
    ['an empty key', { nodeSelector: { '': 'x' } }, 'spec.template.nodeSelector[""]: key must be a qualified name'],
    ['a nodeSelector value that is no label value', { nodeSelector: { disk: 'fast ssd' } }, 'spec.template.nodeSelector.disk: must be a label value'],
    ['syncpool.dev/pool', { labels: { 'syncpool.dev/pool': 'other' } },
      'spec.template.labels["syncpool.dev/pool"]: key is reserved: syncpool or the Job controller sets on every pod '
      + '(syncpool.dev/*, batch.kubernetes.io/*, app.kubernetes.io/managed-by, job-name, controller-uid)'],
    ['any syncpool.dev/ key', { labels: { 'syncpool.dev/colour': 'blue' } }, 'spec.template.labels["syncpool.dev/colour"]: key is reserved'],
    ['app.kubernetes.io/managed-by', { labels: { 'app.kubernetes.io/managed-by': 'helm' } }, 'key is reserved'],
    ['job-name', { labels: { 'job-name': 'x' } }, 'spec.template.labels["job-name"]: key is reserved'],
    ['batch.kubernetes.io/controller-uid', { labels: { 'batch.kubernetes.io/controller-uid': 'x' } }, 'key is reserved'],
  ])('refuses %s', (_, template, message) => {
    expect(problem(template)).toContain(message);
  });

  test('annotations may use the reserved label keys: only labels are syncpool\'s', () => {
    expect(problem({ annotations: { 'syncpool.dev/note': 'x' } })).toBe('accepted');
  });
});

describe('resource quantities', () => {
  test.each(['500m', '1Gi', '2', '0.5', '1e3', '.5', '1.', '100Mi', '1E', '2Ei', '250k', '1e-2', '10n'])('accepts %s', (q) => {
    expect(problem({ resources: { limits: { cpu: q }, requests: { memory: q } } })).toBe('accepted');
  });

  test.each(['lots', '', '-1', '+1', '1 Gi', '1gi', '1GB', '1e', '1.5.5', 'Gi', '1e100'])('refuses %j, naming the field', (q) => {
    expect(problem({ resources: { limits: { cpu: q } } }))
      .toBe(`spec.template.resources.limits.cpu: must be a quantity such as "500m", "2", "0.5", "1Gi" or "1e3"${q ? `, got ${JSON.stringify(q)}` : ''}`);
  });

  test('in a syncTypes override too', () => {
    expect(problem({}, { syncTypes: [{ source: 'hubspot', types: ['*'], template: { resources: { requests: { memory: 'much' } } } }] }))
      .toBe('spec.syncTypes[0].template.resources.requests.memory: must be a quantity such as "500m", "2", "0.5", "1Gi" or "1e3", got "much"');
  });

  test('resource names are qualified names', () => {
    expect(problem({ resources: { limits: { 'example.com/gpu': '1' } } })).toBe('accepted');
    expect(problem({ resources: { limits: { 'a gpu': '1' } } })).toContain('spec.template.resources.limits["a gpu"]: key must be a qualified name');
  });
});

describe('pod security: what the restricted Pod Security Standard allows', () => {
  test('a pool may set what restricted allows', () => {
    expect(problem({
      securityContext: {
        runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        privileged: false, procMount: 'Default', capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
        seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/sync.json' }, appArmorProfile: { type: 'RuntimeDefault' },
        seLinuxOptions: { type: 'container_t', level: 's0:c123,c456' }, windowsOptions: { runAsUserName: 'sync', hostProcess: false },
      },
      podSecurityContext: {
        runAsUser: 1000, runAsGroup: 0, fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch', supplementalGroups: [3000],
        runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [],
      },
    })).toBe('accepted');
  });

  const WHY = 'sync pods follow the restricted Pod Security Standard';
  test.each([
    ['privileged', { securityContext: { privileged: true } }, 'spec.template.securityContext.privileged: must be false or unset'],
    ['privilege escalation', { securityContext: { allowPrivilegeEscalation: true } },
      'spec.template.securityContext.allowPrivilegeEscalation: must be false or unset'],
    ['root as a container', { securityContext: { runAsUser: 0 } }, 'spec.template.securityContext.runAsUser: must not be 0 (root)'],
    ['root as a pod', { podSecurityContext: { runAsUser: 0 } }, 'spec.template.podSecurityContext.runAsUser: must not be 0 (root)'],
    ['runAsNonRoot false', { securityContext: { runAsNonRoot: false } }, 'spec.template.securityContext.runAsNonRoot: must be true or unset'],
    ['runAsNonRoot false on the pod', { podSecurityContext: { runAsNonRoot: false } },
      'spec.template.podSecurityContext.runAsNonRoot: must be true or unset'],
    ['an added capability', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } } },
      'spec.template.securityContext.capabilities.add: may only add NET_BIND_SERVICE'],
    ['a drop list without ALL', { securityContext: { capabilities: { drop: ['NET_RAW'] } } },
      'spec.template.securityContext.capabilities.drop: must include ALL (leave it unset to drop ALL)'],
    ['an unconfined seccomp profile', { securityContext: { seccompProfile: { type: 'Unconfined' } } },
      'spec.template.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost'],
    ['an unconfined pod seccomp profile', { podSecurityContext: { seccompProfile: { type: 'Unconfined' } } },
      'spec.template.podSecurityContext.seccompProfile.type: must be RuntimeDefault or Localhost'],
    ['an unconfined AppArmor profile', { podSecurityContext: { appArmorProfile: { type: 'Unconfined' } } },
      'spec.template.podSecurityContext.appArmorProfile.type: must be RuntimeDefault or Localhost'],
    ['an unmasked /proc', { securityContext: { procMount: 'Unmasked' } }, 'spec.template.securityContext.procMount: must be Default or unset'],
    ['a Windows host process', { securityContext: { windowsOptions: { hostProcess: true } } },
      'spec.template.securityContext.windowsOptions.hostProcess: must be false or unset'],
    ['an SELinux type of its own', { podSecurityContext: { seLinuxOptions: { type: 'spc_t' } } },
      'spec.template.podSecurityContext.seLinuxOptions.type: must be one of container_t, container_init_t, container_kvm_t, container_engine_t'],
    ['an SELinux user', { securityContext: { seLinuxOptions: { user: 'system_u' } } }, 'spec.template.securityContext.seLinuxOptions.user: must not be set'],
    ['an SELinux role', { securityContext: { seLinuxOptions: { role: 'sysadm_r' } } }, 'spec.template.securityContext.seLinuxOptions.role: must not be set'],
    ['sysctls', { podSecurityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } },
      'spec.template.podSecurityContext.sysctls: must not be set'],
  ])('refuses %s, naming the field and saying why', (_, template, message) => {
    expect(problem(template)).toBe(`${message}: ${WHY}`);
  });

  test('a Localhost profile names its file', () => {
    expect(problem({ securityContext: { seccompProfile: { type: 'Localhost' } } }))
      .toBe('spec.template.securityContext.seccompProfile.localhostProfile: type Localhost needs localhostProfile');
  });

  test('fields outside the policy are dropped, as the API server prunes them', () => {
    const parsed = parseWorkerPool(pool({ securityContext: { runAsUser: 1000, colour: 'blue' } }));
    expect(parsed.ok && parsed.value.spec.template.securityContext).toEqual({ runAsUser: 1000 });
  });
});
