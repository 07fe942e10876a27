// What a pool's template may say about pod security. The operator fills in the
// "restricted" Pod Security Standard wherever the template is silent (src/jobs/build.ts);
// these rules stop a template from undoing it, so every sync pod passes "restricted".
//
// A pool may set (container securityContext / podSecurityContext):
//   runAsUser (not 0), runAsGroup, runAsNonRoot: true, fsGroup, fsGroupChangePolicy,
//   supplementalGroups, supplementalGroupsPolicy, readOnlyRootFilesystem,
//   allowPrivilegeEscalation: false, privileged: false, procMount: Default,
//   capabilities.add: [NET_BIND_SERVICE], capabilities.drop (must include ALL; ALL when unset),
//   seccompProfile and appArmorProfile of type RuntimeDefault or Localhost,
//   seLinuxOptions.level, seLinuxOptions.type container_t, container_init_t,
//   container_kvm_t or container_engine_t, windowsOptions except hostProcess: true.
// Refused, with the field named: privileged: true, allowPrivilegeEscalation: true,
//   runAsNonRoot: false, runAsUser: 0, any other added capability, a drop list without ALL,
//   Unconfined seccomp or AppArmor profiles, procMount other than Default,
//   windowsOptions.hostProcess: true, seLinuxOptions.user or .role, another SELinux type,
//   and sysctls. Fields not listed here are not in the schema (kubectl refuses them).
// syncTypes[].template overrides cannot touch security at all.
import { z } from 'zod';
import { type Rule, withRules } from './common.js';

const WHY = 'sync pods follow the restricted Pod Security Standard';
const SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const PROFILE_TYPES = ['RuntimeDefault', 'Localhost'];

/** UIDs and GIDs: Kubernetes accepts 0 to 2^31 - 1. */
const id = z.int().min(0).max(2147483647);

const profile = withRules(z.object({
  type: z.string().max(32),
  localhostProfile: z.string().max(4096).optional(),
}), [{
  rule: "self.type != 'Localhost' || has(self.localhostProfile)",
  message: 'type Localhost needs localhostProfile',
  fieldPath: '.localhostProfile',
  reason: 'FieldValueRequired',
  holds: (p) => p.type !== 'Localhost' || p.localhostProfile !== undefined,
}]);

const seLinuxOptions = z.object({
  user: z.string().max(253), role: z.string().max(253), type: z.string().max(253), level: z.string().max(253),
}).partial();

const windowsOptions = z.object({
  gmsaCredentialSpecName: z.string().max(253),
  gmsaCredentialSpec: z.string().max(65536),
  runAsUserName: z.string().max(256),
  hostProcess: z.boolean(),
}).partial();

const capabilityList = z.array(z.string().max(64)).max(64);

/** The fields both levels share; commonRules below are their rules. */
const common = {
  runAsUser: id, runAsGroup: id, runAsNonRoot: z.boolean(),
  seccompProfile: profile, appArmorProfile: profile, seLinuxOptions, windowsOptions,
};

/** A rule on one optional field: `cel` and `ok` only see it when it is set. */
function forbid<T>(field: string, cel: string, ok: (value: T) => boolean, message: string): Rule<Record<string, unknown>> {
  const [outer, inner] = field.split('.') as [string, string | undefined];
  const present = inner ? `has(self.${outer}) && has(self.${field})` : `has(self.${field})`;
  return {
    rule: `!(${present}) || ${cel}`,
    message: `${message}: ${WHY}`,
    fieldPath: `.${field}`,
    reason: 'FieldValueForbidden',
    holds: (sc) => {
      const value = inner ? (sc[outer] as Record<string, unknown> | undefined)?.[inner] : sc[field];
      return value === undefined || ok(value as T);
    },
  };
}

const commonRules: Rule<Record<string, unknown>>[] = [
  forbid<boolean>('runAsNonRoot', `self.runAsNonRoot`, (v) => v, 'must be true or unset'),
  forbid<number>('runAsUser', 'self.runAsUser != 0', (v) => v !== 0, 'must not be 0 (root)'),
  forbid<string>('seccompProfile.type', `self.seccompProfile.type in ${JSON.stringify(PROFILE_TYPES)}`,
    (v) => PROFILE_TYPES.includes(v), 'must be RuntimeDefault or Localhost'),
  forbid<string>('appArmorProfile.type', `self.appArmorProfile.type in ${JSON.stringify(PROFILE_TYPES)}`,
    (v) => PROFILE_TYPES.includes(v), 'must be RuntimeDefault or Localhost'),
  forbid<string>('seLinuxOptions.type', `self.seLinuxOptions.type in ${JSON.stringify(['', ...SELINUX_TYPES])}`,
    (v) => v === '' || SELINUX_TYPES.includes(v), `must be one of ${SELINUX_TYPES.join(', ')}`),
  forbid<string>('seLinuxOptions.user', "self.seLinuxOptions.user == ''", (v) => v === '', 'must not be set'),
  forbid<string>('seLinuxOptions.role', "self.seLinuxOptions.role == ''", (v) => v === '', 'must not be set'),
  forbid<boolean>('windowsOptions.hostProcess', '!self.windowsOptions.hostProcess', (v) => !v, 'must be false or unset'),
];

const containerFields = z.object({
  ...common,
  privileged: z.boolean(),
  allowPrivilegeEscalation: z.boolean(),
  readOnlyRootFilesystem: z.boolean(),
  procMount: z.string().max(32),
  capabilities: z.object({ add: capabilityList, drop: capabilityList }).partial(),
}).partial();

/** Container-level securityContext of the sync container. */
export const containerSecurityContextSchema = withRules(containerFields, [
  forbid<boolean>('privileged', '!self.privileged', (v) => !v, 'must be false or unset'),
  forbid<boolean>('allowPrivilegeEscalation', '!self.allowPrivilegeEscalation', (v) => !v, 'must be false or unset'),
  forbid<string>('procMount', "self.procMount == 'Default'", (v) => v === 'Default', 'must be Default or unset'),
  forbid<string[]>('capabilities.add', "self.capabilities.add.all(c, c == 'NET_BIND_SERVICE')",
    (v) => v.every((c) => c === 'NET_BIND_SERVICE'), 'may only add NET_BIND_SERVICE'),
  forbid<string[]>('capabilities.drop', "self.capabilities.drop.exists(c, c == 'ALL')",
    (v) => v.includes('ALL'), 'must include ALL (leave it unset to drop ALL)'),
  ...commonRules,
] as Rule<z.output<typeof containerFields>>[]);

const podFields = z.object({
  ...common,
  fsGroup: id,
  fsGroupChangePolicy: z.enum(['OnRootMismatch', 'Always']),
  supplementalGroups: z.array(id).max(64),
  supplementalGroupsPolicy: z.enum(['Merge', 'Strict']),
  sysctls: z.array(z.object({ name: z.string().max(253), value: z.string().max(4096) })).max(16),
}).partial();

/** Pod-level securityContext of a sync pod. */
export const podSecurityContextSchema = withRules(podFields, [
  forbid<unknown[]>('sysctls', 'self.sysctls.size() == 0', (v) => v.length === 0, 'must not be set'),
  ...commonRules,
] as Rule<z.output<typeof podFields>>[]);
