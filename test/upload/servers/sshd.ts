import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** A real OpenSSH server on 127.0.0.1 with throw-away host and user keys, SFTP only, for one test file. */
export interface SshdServer {
  port: number;
  user: string;
  /** The user's private key file, and a known_hosts line for this server. */
  keyFile: string;
  knownHosts: string;
  /** A known_hosts file that lists another key for this host. */
  wrongKnownHosts: string;
  /** A folder the SFTP user uploads into (absolute, on this machine). */
  remoteDir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the server sends its SSH banner. */
async function waitForBanner(port: number, child: ChildProcess, logs: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${logs()}`);
    const banner = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
      socket.once('data', (chunk) => (socket.destroy(), resolve(chunk.toString().startsWith('SSH-2.0'))));
      socket.once('error', () => resolve(false));
    });
    if (banner) return;
    if (Date.now() > deadline) throw new Error(`sshd did not answer on port ${port}: ${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSshd(): Promise<SshdServer> {
  if (!existsSync(SSHD)) {
    throw new Error(`${SSHD} not found: the SFTP tests need OpenSSH's server; run scripts/ci-setup.sh (it installs openssh-server)`);
  }
  const home = mkdtempSync(join(tmpdir(), 'audience-etl-sshd-'));
  const keygen = (file: string, comment: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(home, file)]);
  keygen('host_ed25519', 'host');
  keygen('other_host_ed25519', 'other');
  keygen('user_ed25519', 'upload-test');
  writeFileSync(join(home, 'authorized_keys'), readFileSync(join(home, 'user_ed25519.pub')));
  const remoteDir = join(home, 'inbox');
  mkdirSync(remoteDir);
  // sshd refuses to start without its privilege-separation folder.
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const user = userInfo().username;
  const config = join(home, 'sshd_config');
  writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `AuthorizedKeysFile ${join(home, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'Subsystem sftp internal-sftp',
      `PidFile ${join(home, 'sshd.pid')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-e', '-f', config, '-p', String(port), '-h', join(home, 'host_ed25519')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForBanner(port, child, () => stderr, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const keyLine = (file: string) => readFileSync(join(home, file), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHosts = join(home, 'known_hosts');
  writeFileSync(knownHosts, `# throw-away test host\n[127.0.0.1]:${port} ${keyLine('host_ed25519.pub')}\n`);
  const wrongKnownHosts = join(home, 'wrong_known_hosts');
  writeFileSync(wrongKnownHosts, `[127.0.0.1]:${port} ${keyLine('other_host_ed25519.pub')}\n`);
  return { port, user, keyFile: join(home, 'user_ed25519'), knownHosts, wrongKnownHosts, remoteDir, stop };
}

export type Verdict = { success: true; transactionId: string } | { error: number; description: string };

/**
 * LiveIntent's side of the drop folder: when a metadata file lands, it checks that its data file
 * is complete (the digest matches; so the data must have been uploaded first) and writes
 * `<data file>.status`, a success or the error `decide` picks.
 */
export class FakeLiveIntent {
  readonly seen: { metadata: string; dataComplete: boolean }[] = [];
  decide: (metadata: { file: { name: string } }) => Verdict | 'silent' = () => ({ success: true, transactionId: 'T-1' });
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string) {}

  start(): this {
    this.timer = setInterval(() => this.scan(), 30);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private scan(): void {
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') || this.seen.some((s) => s.metadata === name)) continue;
      let metadata: { file: { name: string; hash: 'md5' | 'sha1'; digest: string; records: number }; segments: { id: string; action: string }[] };
      try {
        metadata = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as typeof metadata;
      } catch {
        continue; // still being written
      }
      const dataPath = join(this.dir, metadata.file.name);
      const dataComplete = existsSync(dataPath) && createHash(metadata.file.hash).update(readFileSync(dataPath)).digest('hex') === metadata.file.digest;
      this.seen.push({ metadata: name, dataComplete });
      const verdict = dataComplete ? this.decide(metadata) : { error: 7, description: 'File checksum validation failed' };
      if (verdict === 'silent') continue;
      const status =
        'success' in verdict
          ? { transaction_id: verdict.transactionId, file: metadata.file, segments: metadata.segments.map((s) => ({ id: s.id, action: s.action, code: 'ok', records: metadata.file.records })) }
          : { error: { code: ` ${verdict.error}`, description: verdict.description } };
      writeFileSync(join(this.dir, `${metadata.file.name}.status`), JSON.stringify(status));
    }
  }
}
