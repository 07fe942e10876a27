// Certificates for a throwaway control plane, made with openssl (on every machine we
// use). EC keys keep generation fast; everything expires in two days.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function newKey(dir: string, name: string): Promise<void> {
  await openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name);
}

async function signedCert(dir: string, name: string, subject: string, ext: string): Promise<void> {
  await newKey(dir, `${name}.key`);
  await openssl(dir, 'req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  await writeFile(join(dir, `${name}.ext`), ext);
  await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

export async function createPki(dir: string): Promise<Pki> {
  await newKey(dir, 'ca.key');
  await openssl(dir, 'req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=syncpool-testbed-ca',
    '-days', '2', '-out', 'ca.crt');
  await Promise.all([
    signedCert(dir, 'serving', '/CN=kube-apiserver',
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
    // O=system:masters makes the admin client cluster-admin without any RBAC object.
    signedCert(dir, 'admin', '/O=system:masters/CN=syncpool-testbed-admin',
      'extendedKeyUsage=clientAuth\n'),
    newKey(dir, 'sa.key').then(() => openssl(dir, 'ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub')),
  ]);
  const at = (f: string) => join(dir, f);
  return {
    caCert: at('ca.crt'),
    servingCert: at('serving.crt'),
    servingKey: at('serving.key'),
    adminCert: at('admin.crt'),
    adminKey: at('admin.key'),
    serviceAccountKey: at('sa.key'),
    serviceAccountPub: at('sa.pub'),
  };
}
