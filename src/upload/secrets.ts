import { readFileSync } from 'node:fs';
import { AudienceEtlError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A secret from the environment: `NAME`, or the contents of the file named by `NAME_FILE`
 * (the convention of Docker and Kubernetes secrets), trimmed. Never from a flag, which would
 * land in shell history and `ps` output. Returns undefined when neither is set.
 */
export function readSecret(name: string, env: Env): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct.trim() !== '') return direct.trim();
  const file = env[`${name}_FILE`];
  if (file === undefined || file.trim() === '') return undefined;
  let text: string;
  try {
    text = readFileSync(file.trim(), 'utf8');
  } catch (err) {
    throw new AudienceEtlError('BAD_OPTION', `${name}_FILE names a file that cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const secret = text.trim();
  if (secret === '') throw new AudienceEtlError('BAD_OPTION', `${name}_FILE names an empty file`);
  return secret;
}

/** Like readSecret, but its absence is an error that says where the secret is looked for. */
export function requireSecret(name: string, env: Env, purpose: string): string {
  const secret = readSecret(name, env);
  if (secret === undefined) {
    throw new AudienceEtlError('BAD_OPTION', `${purpose} needs ${name} (or ${name}_FILE naming a file that holds it) in the environment`);
  }
  return secret;
}

/** Replaces every occurrence of the given secrets in a text: a last guard before anything is printed. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
