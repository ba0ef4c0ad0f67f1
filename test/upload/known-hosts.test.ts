import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownHostName, parseKnownHosts, verifyHostKey } from '../../src/upload/sftp.js';
import { tempDir } from '../helpers/tmp.js';

function newKey(dir: string, name: string): { line: string; blob: Buffer } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  const [type, base64] = readFileSync(join(dir, `${name}.pub`), 'utf8').trim().split(/\s+/);
  return { line: `${type} ${base64}`, blob: Buffer.from(base64!, 'base64') };
}

describe('known_hosts', () => {
  const keys = mkdtempSync(join(tmpdir(), 'known-hosts-'));
  const a = newKey(keys, 'a');
  const b = newKey(keys, 'b');
  rmSync(keys, { recursive: true, force: true });

  it('names a host as known_hosts does', () => {
    expect(knownHostName('sftp.example.com', 22)).toBe('sftp.example.com');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('matches plain names, port forms, lists and wildcards', () => {
    const known = parseKnownHosts(`# comment\n\nsftp.example.com,10.0.0.5 ${a.line}\n[127.0.0.1]:2222 ${b.line} test\n*.drop.example ${a.line}\n`);
    expect(verifyHostKey(known, 'sftp.example.com', 22, a.blob)).toBe('ok');
    expect(verifyHostKey(known, '10.0.0.5', 22, a.blob)).toBe('ok');
    expect(verifyHostKey(known, 'SFTP.EXAMPLE.COM', 22, a.blob)).toBe('ok');
    expect(verifyHostKey(known, '127.0.0.1', 2222, b.blob)).toBe('ok');
    expect(verifyHostKey(known, 'eu.drop.example', 22, a.blob)).toBe('ok');
    expect(verifyHostKey(known, 'sftp.example.com', 22, b.blob)).toBe('mismatch');
    expect(verifyHostKey(known, '127.0.0.1', 22, b.blob)).toBe('unknown-host');
    expect(verifyHostKey(known, 'other.example.com', 22, a.blob)).toBe('unknown-host');
  });

  it('honours negated patterns and @revoked keys, and skips @cert-authority lines', () => {
    const known = parseKnownHosts(`*.example.com,!bad.example.com ${a.line}\n@revoked * ${b.line}\n@cert-authority *.ca.example ${a.line}\n`);
    expect(verifyHostKey(known, 'good.example.com', 22, a.blob)).toBe('ok');
    expect(verifyHostKey(known, 'bad.example.com', 22, a.blob)).toBe('unknown-host');
    expect(verifyHostKey(known, 'good.example.com', 22, b.blob)).toBe('revoked');
    expect(verifyHostKey(known, 'x.ca.example', 22, a.blob)).toBe('unknown-host');
  });

  it('reads lines hashed by ssh-keygen -H', () => {
    const file = join(tempDir(), 'known_hosts');
    writeFileSync(file, `sftp.example.com ${a.line}\n[127.0.0.1]:2222 ${b.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('sftp.example.com');
    const known = parseKnownHosts(text);
    expect(verifyHostKey(known, 'sftp.example.com', 22, a.blob)).toBe('ok');
    expect(verifyHostKey(known, '127.0.0.1', 2222, b.blob)).toBe('ok');
    expect(verifyHostKey(known, '127.0.0.1', 2222, a.blob)).toBe('mismatch');
    expect(verifyHostKey(known, 'sftp.example.org', 22, a.blob)).toBe('unknown-host');
  });
});
