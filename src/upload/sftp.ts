import { createHmac, timingSafeEqual } from 'node:crypto';
import { AudienceEtlError } from '../errors.js';
import { TransientError } from './retry.js';
import type { Client as SshClient, SFTPWrapper, Stats } from 'ssh2';

/** One usable line of a known_hosts file. */
export interface KnownHost {
  marker: '' | '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHost[] {
  const hosts: KnownHost[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHost['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHost['marker'];
    const [patterns, keyType, key] = fields;
    if (patterns === undefined || keyType === undefined || key === undefined) continue;
    hosts.push({ marker, patterns, keyType, key: Buffer.from(key, 'base64') });
  }
  return hosts;
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(name);
}

function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (salt === undefined || hash === undefined) return false;
    const mine = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const theirs = Buffer.from(hash, 'base64');
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false;
    } else if (globMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * Whether a host's key is one known_hosts lists for it. A revoked key never is; a host with no
 * line at all is unknown, and unknown hosts are refused (no trust on first use).
 */
export function verifyHostKey(known: readonly KnownHost[], host: string, port: number, key: Buffer): 'ok' | 'unknown-host' | 'mismatch' | 'revoked' {
  const name = knownHostName(host, port);
  const lines = known.filter((k) => patternsMatch(k.patterns, name));
  if (lines.some((k) => k.marker === '@revoked' && k.key.equals(key))) return 'revoked';
  const plain = lines.filter((k) => k.marker === '');
  if (plain.length === 0) return 'unknown-host';
  return plain.some((k) => k.key.equals(key)) ? 'ok' : 'mismatch';
}

export interface SftpConnectOptions {
  host: string;
  port: number;
  user: string;
  privateKey: Buffer;
  passphrase?: string;
  knownHosts: readonly KnownHost[];
  connectTimeoutMs: number;
}

/** An SFTP session over one SSH connection, with promises instead of callbacks. */
export class SftpConnection {
  private readonly ssh: SshClient;
  private readonly sftp: SFTPWrapper;
  private closed = false;

  private constructor(ssh: SshClient, sftp: SFTPWrapper) {
    this.ssh = ssh;
    this.sftp = sftp;
    ssh.on('close', () => {
      this.closed = true;
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  static async connect(options: SftpConnectOptions): Promise<SftpConnection> {
    const { Client } = await import('ssh2');
    const ssh = new Client();
    let hostKeyVerdict: ReturnType<typeof verifyHostKey> | undefined;
    return new Promise<SftpConnection>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        ssh.end();
        reject(err);
      };
      ssh.on('error', (err: Error & { level?: string; code?: string }) => {
        if (hostKeyVerdict !== undefined && hostKeyVerdict !== 'ok') {
          const why = hostKeyVerdict === 'unknown-host' ? 'is not in known_hosts' : hostKeyVerdict === 'revoked' ? 'is revoked in known_hosts' : 'does not match known_hosts';
          fail(new AudienceEtlError('UPLOAD', `the SFTP host key of ${knownHostName(options.host, options.port)} ${why}; refusing to connect`));
        } else if (err.level === 'client-authentication') {
          fail(new AudienceEtlError('UPLOAD', `SFTP login as ${options.user} was refused (check --user and --key-file)`));
        } else {
          fail(new TransientError(`SFTP connection to ${options.host}:${options.port} failed (${err.code ?? err.level ?? err.message})`, undefined, { cause: err }));
        }
      });
      ssh.on('ready', () => {
        ssh.sftp((err, sftp) => {
          if (err) fail(new TransientError(`SFTP subsystem unavailable (${err.message})`));
          else {
            settled = true;
            resolve(new SftpConnection(ssh, sftp));
          }
        });
      });
      ssh.on('close', () => fail(new TransientError(`SFTP connection to ${options.host}:${options.port} closed`)));
      ssh.connect({
        host: options.host,
        port: options.port,
        username: options.user,
        privateKey: options.privateKey,
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        readyTimeout: options.connectTimeoutMs,
        hostVerifier: (key: Buffer) => {
          hostKeyVerdict = verifyHostKey(options.knownHosts, options.host, options.port, key);
          return hostKeyVerdict === 'ok';
        },
      });
    });
  }

  /** Uploads a local file; the SFTP server writes it under `remotePath`. */
  put(localPath: string, remotePath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sftp.fastPut(localPath, remotePath, (err) => (err ? reject(sftpError(err, 'upload', remotePath)) : resolve()));
    });
  }

  /** The remote file's stats, or undefined when there is no such file. */
  stat(remotePath: string): Promise<Stats | undefined> {
    return new Promise((resolve, reject) => {
      this.sftp.stat(remotePath, (err, stats) => {
        if (err && (err as { code?: unknown }).code === 2) resolve(undefined);
        else if (err) reject(sftpError(err, 'stat', remotePath));
        else resolve(stats);
      });
    });
  }

  readFile(remotePath: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.sftp.readFile(remotePath, (err, data) => (err ? reject(sftpError(err, 'read', remotePath)) : resolve(data)));
    });
  }

  unlink(remotePath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sftp.unlink(remotePath, (err) => (err ? reject(sftpError(err, 'remove', remotePath)) : resolve()));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ssh.end();
  }
}

/** SFTP status codes 2 (no such file) and 3 (permission denied) are final; a lost connection is not. */
function sftpError(err: Error, action: string, remotePath: string): Error {
  const code = (err as { code?: unknown }).code;
  if (code === 2 || code === 3 || code === 4) {
    const why = code === 2 ? 'no such file or directory' : code === 3 ? 'permission denied' : 'failure';
    return new AudienceEtlError('UPLOAD', `SFTP ${action} of ${remotePath} failed: ${why}`);
  }
  return new TransientError(`SFTP ${action} of ${remotePath} failed (${err.message})`, undefined, { cause: err });
}
